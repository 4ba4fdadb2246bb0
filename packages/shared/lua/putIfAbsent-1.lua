--[[
  Stores a checkpoint field once; whoever comes second gets the first value back, so two workers racing
  on one step agree on one model response or one tool result.
  KEYS[1] checkpoint hash
  ARGV[1] field
  ARGV[2] value
  ARGV[3] TTL of the hash in ms (0 = none)
  Returns the stored value.
]]
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return ARGV[2]
