import { enqueueStep } from '@agentq/shared';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, test, vi } from './support/fixtures.js';

describe('adding a step job', () => {
  // A step adds its successor's job. `addBulk` of one entry built an ioredis pipeline, whose constructor copies
  // every script BullMQ defines on its connection (about fifty, twice each): the largest single entry of the
  // worker's profile. One job goes out as the same add script on the connection itself.
  test('one step job is added without building a pipeline, and a second add of its id is a no-op', async ({ redisUrl, queueName }) => {
    const queue = new Queue(queueName, { connection: { url: redisUrl } });
    try {
      await queue.waitUntilReady();
      // BullMQ's client is a proxy over an ioredis connection, whose pipelines come from the prototype.
      const pipelines = vi.spyOn(Redis.prototype, 'pipeline');
      let id: string;
      try {
        id = await enqueueStep(queue, 'ses_add', 3, { stepAttempts: 2 }, { tenant: 'acme', priority: 7 });
        expect(id).toBe('ses_add-s3');
        expect(await enqueueStep(queue, 'ses_add', 3, { stepAttempts: 2 }, { tenant: 'acme', priority: 7 })).toBe(id);
        expect(pipelines).not.toHaveBeenCalled();
      } finally {
        pipelines.mockRestore();
      }

      const job = await queue.getJob(id);
      expect(job?.data).toEqual({ sessionId: 'ses_add', step: 3, tenant: 'acme' });
      expect(job?.opts).toMatchObject({ attempts: 2, priority: 7 });
      expect(await queue.getJobCounts('prioritized', 'wait')).toEqual({ prioritized: 1, wait: 0 });
    } finally {
      await queue.close();
    }
  });
});
