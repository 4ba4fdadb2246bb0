export { freePort, RedisServer, redisServerAvailable } from '@agentq/shared/testing';
