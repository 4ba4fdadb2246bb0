export { freePort, RedisServer, redisServerAvailable } from './redis-server.js';
export { RedisCluster } from './redis-cluster.js';
export { RoundTripCounter } from './round-trip-counter.js';
