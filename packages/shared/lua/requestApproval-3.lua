--[[
  Records an approval request for one gated tool call, once: a retried step finds the record it made before.
  KEYS[1] approval hash
  KEYS[2] session's pending-approvals set
  KEYS[3] session hash
  ARGV[1] approval id
  ARGV[2] step the call belongs to
  ARGV[3..] the approval record, flattened (field, value, field, value, ...)
  Returns { 1, 'pending' } when created; { 0, status } when the record existed (status: pending, approved,
  denied); { -1, sessionStatus } when the session is not running at that step (a stale job: nothing stored).
]]
local existing = redis.call('HGET', KEYS[1], 'status')
if existing then
  return { 0, existing }
end
local status = redis.call('HGET', KEYS[3], 'status')
if status ~= 'running' or redis.call('HGET', KEYS[3], 'step') ~= ARGV[2] then
  return { -1, status or '' }
end
local record = {}
for i = 3, #ARGV do record[#record + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(record))
redis.call('SADD', KEYS[2], ARGV[1])
return { 1, 'pending' }
