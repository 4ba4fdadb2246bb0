--[[
  Queues step jobs of one tenant and gives each its BullMQ priority: the tenant's backlog (its step jobs
  queued and not yet started) divided by its weight, plus one. A tenant with nothing waiting gets priority
  1 and goes ahead of a tenant with thousands waiting; equal backlogs interleave. Entries older than the
  stale age (a job whose add failed) are dropped first.
  KEYS[1] tenant backlog sorted set of the queue (member job id, score = enqueue time ms)
  KEYS[2] tenant scheduling settings hash (weight)
  ARGV[1] now (ms)
  ARGV[2] stale age (ms)
  ARGV[3] highest priority number BullMQ accepts
  ARGV[4..] job ids
  Returns one priority per job id, in order.
]]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local weight = tonumber(redis.call('HGET', KEYS[2], 'weight') or '1') or 1
if weight <= 0 then weight = 1 end
local top = tonumber(ARGV[3])
local out = {}
for i = 4, #ARGV do
  local ahead
  if redis.call('ZADD', KEYS[1], 'NX', now, ARGV[i]) == 1 then
    ahead = redis.call('ZCARD', KEYS[1]) - 1
  else
    -- Queued before (a repeated add of a job that still exists): keep its place.
    ahead = redis.call('ZRANK', KEYS[1], ARGV[i])
  end
  out[#out + 1] = math.min(top, math.floor(ahead / weight) + 1)
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return out
