--[[
  Decides one approval and, when it was the last pending one of a parked session, resumes the session:
  mark decided, remove from the session's pending set, move awaiting_approval -> running, all at once, so
  two deciders never both resume and a decision never leaves a session parked with nothing to wait for.
  KEYS[1] approval hash
  KEYS[2] session's pending-approvals set
  KEYS[3] session hash
  ARGV[1] approval id
  ARGV[2] decision: 'approved' or 'denied'
  ARGV[3] decided by
  ARGV[4] reason ('' for none)
  ARGV[5] now (ms)
  ARGV[6] '1' to refuse an approval past its expiry (people), '0' to decide it anyway (the timeout job, cancel)
  ARGV[7] the approver's edited input as JSON ('' for none)
  Returns one of:
    { 'not_found' }
    { 'already_decided', status, decidedBy, decisionReason, resumedWith }
    { 'expired', expiresAt }
    { 'decided', remaining }           -- recorded; other approvals still pending, or the session is not parked
    { 'resumed', resumeCount, step }   -- recorded and the session is running again: enqueue step job a<resumeCount>
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return { 'not_found' }
end
if status ~= 'pending' then
  local fields = redis.call('HMGET', KEYS[1], 'decidedBy', 'decisionReason', 'resumedWith')
  return { 'already_decided', status, fields[1] or '', fields[2] or '', fields[3] or '' }
end
local expiresAt = redis.call('HGET', KEYS[1], 'expiresAt')
if ARGV[6] == '1' and expiresAt and tonumber(ARGV[5]) > tonumber(expiresAt) then
  return { 'expired', expiresAt }
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decidedBy', ARGV[3], 'decidedAt', ARGV[5])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'decisionReason', ARGV[4])
end
if ARGV[7] and ARGV[7] ~= '' then
  redis.call('HSET', KEYS[1], 'editedInput', ARGV[7])
end
redis.call('SREM', KEYS[2], ARGV[1])
local remaining = redis.call('SCARD', KEYS[2])
local step = redis.call('HGET', KEYS[1], 'step')
if remaining == 0 and redis.call('HGET', KEYS[3], 'status') == 'awaiting_approval'
  and redis.call('HGET', KEYS[3], 'step') == step then
  local resumes = redis.call('HINCRBY', KEYS[3], 'resumes', 1)
  redis.call('HSET', KEYS[3], 'status', 'running', 'updatedAt', ARGV[5])
  redis.call('HSET', KEYS[1], 'resumedWith', 'a' .. resumes)
  return { 'resumed', resumes, step }
end
return { 'decided', remaining }
