--[[
  Sets a session's status when its current status is one of the allowed ones (and, optionally, its step matches).
  KEYS[1] session hash
  ARGV[1] new status
  ARGV[2] now (ms)
  ARGV[3] expected step, or -1 for any
  ARGV[4..] allowed current statuses
  Returns the previous status when changed, or false (nil) when not.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if ARGV[3] ~= '-1' and redis.call('HGET', KEYS[1], 'step') ~= ARGV[3] then return false end
for i = 4, #ARGV do
  if status == ARGV[i] then
    redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updatedAt', ARGV[2])
    return status
  end
end
return false
