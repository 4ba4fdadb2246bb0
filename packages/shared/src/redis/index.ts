export { createRedis, type Redis } from './create-redis.js';
export { Keys } from './keys.js';
export { defineScripts, pipeScript, runScript, type ScriptName } from './scripts.js';
