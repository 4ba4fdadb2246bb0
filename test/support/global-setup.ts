import type { TestProject } from 'vitest/node';
import { RedisServer } from './redis-server.js';

let server: RedisServer | undefined;

/** Starts one private redis-server for the run unless REDIS_URL is given; tests read it from `inject('redisUrl')`. */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.REDIS_URL;
  if (external) {
    project.provide('redisUrl', external);
    return;
  }
  server = await RedisServer.start();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.destroy();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
