export { type ProducerShard, ShardRouter } from './shard-router.js';
