--[[
  Parks a running session while its step waits for answers to its `ask_human` questions. Checked against
  the open questions in the same script, so answers that came before the park landed resume the step now.
  KEYS[1] session hash
  KEYS[2] session's questions hash (tool_use id -> question JSON)
  ARGV[1] step being parked
  ARGV[2] now (ms)
  Returns { 1 } parked; { 0 } stale (not running at that step); { 3 } a cancel was requested (the caller
  ends the session); { 2, resumeCount } every question was answered already: stay running and enqueue step
  job i<resumeCount>.
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'running' or redis.call('HGET', KEYS[1], 'step') ~= ARGV[1] then
  return { 0 }
end
if redis.call('HGET', KEYS[1], 'cancelRequested') == '1' then
  return { 3 }
end
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local q = cjson.decode(all[i + 1])
  if q.answer == nil and tostring(q.step) == ARGV[1] then
    redis.call('HSET', KEYS[1], 'status', 'awaiting_input', 'updatedAt', ARGV[2])
    return { 1 }
  end
end
local resumes = redis.call('HINCRBY', KEYS[1], 'resumes', 1)
return { 2, resumes }
