--[[
  Moves a non-terminal session to a terminal status, appending any final messages.
  KEYS[1] session hash
  KEYS[2] history list
  ARGV[1] expected step, or -1 for any step
  ARGV[2] terminal status
  ARGV[3] now (ms)
  ARGV[4] output text ('' for none)
  ARGV[5] error JSON ('' for none)
  ARGV[6] step to record (the step count), or -1 to leave it
  ARGV[7..] history entries (JSON)
  Returns 1 when finished, 0 when stale or already terminal.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if status == 'completed' or status == 'failed' or status == 'loop_detected'
  or status == 'budget_exceeded' or status == 'cancelled' then
  return 0
end
if ARGV[1] ~= '-1' and redis.call('HGET', KEYS[1], 'step') ~= ARGV[1] then
  return 0
end
for i = 7, #ARGV do
  redis.call('RPUSH', KEYS[2], ARGV[i])
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'output', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[5]) end
if ARGV[6] ~= '-1' then redis.call('HSET', KEYS[1], 'step', ARGV[6]) end
return 1
