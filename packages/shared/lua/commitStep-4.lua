--[[
  Ends step n of a running session: appends the step's messages to history and advances to n+1,
  in one compare-and-set so a stale or duplicated job is a no-op. The step's checkpoint is given its
  (short) expiry in the same script: after the commit only a retry of step n or the next step reads it.
  The checkpoint of step n-1 goes: step n was its last reader (its token calibration). One that still holds an
  outbox field (events a dead worker left for its step's retry to copy) stays until its expiry.
  KEYS[1] session hash
  KEYS[2] history list
  KEYS[3] checkpoint hash of step n
  KEYS[4] checkpoint hash of step n-1
  ARGV[1] expected step n
  ARGV[2] now (ms)
  ARGV[3] TTL of the committed step's checkpoint in ms (0 = keep)
  ARGV[4..] history entries (JSON)
  Returns 1 when committed; 0 when stale (status not running or step != n);
  2 when a cancel was requested: the messages are kept and the session ends `cancelled`.
]]
local s = redis.call('HMGET', KEYS[1], 'status', 'step', 'cancelRequested')
if s[1] ~= 'running' or s[2] ~= ARGV[1] then
  return 0
end
-- One RPUSH for the step's entries (in chunks: unpack has a limit on how many values it returns).
for first = 4, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, first, math.min(#ARGV, first + 999)))
end
local nextStep = tonumber(ARGV[1]) + 1
if s[3] == '1' then
  redis.call('HSET', KEYS[1], 'step', nextStep, 'status', 'cancelled', 'updatedAt', ARGV[2],
    'error', cjson.encode({ code = 'cancelled', message = 'cancelled by request' }))
  return 2
end
redis.call('HSET', KEYS[1], 'step', nextStep, 'updatedAt', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
if nextStep > 1 then
  local left = false
  for _, field in ipairs(redis.call('HKEYS', KEYS[4])) do
    -- 'outbox:' is OUTBOX_FIELD_PREFIX of step-checkpoint.ts
    if string.sub(field, 1, 7) == 'outbox:' then
      left = true
      break
    end
  end
  if not left then redis.call('DEL', KEYS[4]) end
end
return 1
