export { freePort, RedisServer, redisServerAvailable } from './redis-server.js';
