--[[
  Asks a session to stop at its next step boundary. A parked session (no job running) is cancelled at once.
  KEYS[1] session hash
  ARGV[1] now (ms)
  Returns the status after the call ('cancelled', 'cancel_requested', or the terminal status it already had),
  or false when there is no such session.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if status == 'completed' or status == 'failed' or status == 'loop_detected'
  or status == 'budget_exceeded' or status == 'cancelled' then
  return status
end
if status == 'awaiting_approval' or status == 'awaiting_input' then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'updatedAt', ARGV[1], 'cancelRequested', '1',
    'error', cjson.encode({ code = 'cancelled', message = 'cancelled by request' }))
  return 'cancelled'
end
redis.call('HSET', KEYS[1], 'cancelRequested', '1', 'updatedAt', ARGV[1])
return 'cancel_requested'
