--[[
  Stores a checkpoint field once; whoever comes second gets the first value back, so two workers racing
  on one step agree on one model response or one tool result. A session whose record is gone (expired, or
  lost with Redis data) gets nothing written: a checkpoint must not outlive, or recreate, its session.
  KEYS[1] session hash
  KEYS[2] checkpoint hash
  ARGV[1] field
  ARGV[2] value
  ARGV[3] TTL of the hash in ms (0 = none)
  Returns the stored value, or false when the session record does not exist.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return existing end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return ARGV[2]
