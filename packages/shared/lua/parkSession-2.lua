--[[
  Parks a running session while its step waits for human decisions. Checked against the pending set in the
  same script, so approvals decided before the park landed cannot leave the session parked with nothing
  pending.
  KEYS[1] session hash
  KEYS[2] session's pending-approvals set
  ARGV[1] step being parked
  ARGV[2] now (ms)
  Returns { 1 } parked; { 0 } stale (not running at that step); { 3 } a cancel was requested (the caller
  ends the session); { 2, resumeCount } every approval was decided already: stay running and enqueue step
  job a<resumeCount>.
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'running' or redis.call('HGET', KEYS[1], 'step') ~= ARGV[1] then
  return { 0 }
end
if redis.call('HGET', KEYS[1], 'cancelRequested') == '1' then
  return { 3 }
end
if redis.call('SCARD', KEYS[2]) > 0 then
  redis.call('HSET', KEYS[1], 'status', 'awaiting_approval', 'updatedAt', ARGV[2])
  return { 1 }
end
local resumes = redis.call('HINCRBY', KEYS[1], 'resumes', 1)
return { 2, resumes }
