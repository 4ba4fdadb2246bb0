--[[
  Adds one model call's usage to the session exactly once (guarded by a checkpoint field).
  KEYS[1] session hash
  KEYS[2] checkpoint hash of the step
  ARGV[1] guard field (e.g. 'usage:model' or 'usage:summary')
  ARGV[2] input tokens
  ARGV[3] output tokens
  ARGV[4] cache read tokens
  ARGV[5] cache write tokens
  ARGV[6] cost in micro-dollars
  Returns 1 when counted, 0 when this call was counted before.
]]
if redis.call('HSETNX', KEYS[2], ARGV[1], '1') == 0 then
  return 0
end
redis.call('HINCRBY', KEYS[1], 'inputTokens', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'outputTokens', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'cacheReadTokens', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'cacheWriteTokens', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'costMicroUsd', ARGV[6])
return 1
