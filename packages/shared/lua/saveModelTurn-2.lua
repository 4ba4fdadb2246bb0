--[[
  Checkpoints a step's model response and counts its usage, in one round trip and at most once: whoever
  stores the response first counts the usage; a racing or retried writer gets the stored response back.
  KEYS[1] session hash
  KEYS[2] checkpoint hash of the step
  ARGV[1] checkpoint field of the response (e.g. 'model')
  ARGV[2] response JSON
  ARGV[3] usage guard field (e.g. 'usage:model')
  ARGV[4] input tokens
  ARGV[5] output tokens
  ARGV[6] cache read tokens
  ARGV[7] cache write tokens
  ARGV[8] cost in micro-dollars
  Returns { stored response JSON, 1 when the usage was counted now or 0 when it was counted before }, or
  { false, -1 } when the session record does not exist (expired, or lost with Redis data): nothing is
  written, so neither the checkpoint nor a usage-only session hash comes back without a TTL.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return { false, -1 } end
local stored = redis.call('HGET', KEYS[2], ARGV[1])
if not stored then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  stored = ARGV[2]
end
if redis.call('HSETNX', KEYS[2], ARGV[3], '1') == 0 then
  return { stored, 0 }
end
redis.call('HINCRBY', KEYS[1], 'inputTokens', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'outputTokens', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'cacheReadTokens', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'cacheWriteTokens', ARGV[7])
redis.call('HINCRBY', KEYS[1], 'costMicroUsd', ARGV[8])
return { stored, 1 }
