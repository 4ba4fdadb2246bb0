--[[
  Records a submitted batch in place of the claim it was submitted for. A claim already recorded (by a
  flusher that adopted it) is not recorded twice.
  KEYS[1] open claims (sorted set)
  KEYS[2] the claim's calls (list)
  KEYS[3] batches in flight (sorted set: batch id scored by submit time)
  KEYS[4] the batch's calls (list; the claim list renamed)
  KEYS[5] batch ids ever recorded (sorted set, scored by submit time; adoption skips these)
  ARGV[1] claim id
  ARGV[2] now (ms)
  ARGV[3] batch id
  Returns 1 recorded, 0 the claim was gone.
]]
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('RENAME', KEYS[2], KEYS[4])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[5], ARGV[2], ARGV[3])
-- Adoption only looks at batches created since a claim, so a month of ids is plenty.
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', tonumber(ARGV[2]) - 2592000000)
return 1
