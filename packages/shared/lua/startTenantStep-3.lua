--[[
  A worker takes a step job of one tenant: the job leaves the tenant's backlog and, unless the tenant is at
  its concurrency cap, takes a running slot (a lease, so a crashed worker's slot frees itself). Returns
  what the worker needs to queue the tenant's next step without another round trip.
  KEYS[1] tenant backlog sorted set of the queue
  KEYS[2] tenant running sorted set of the queue (member job id, score = lease expiry ms)
  KEYS[3] tenant scheduling settings hash (weight, maxConcurrency)
  ARGV[1] job id
  ARGV[2] now (ms)
  ARGV[3] lease length (ms)
  Returns { granted (1|0), backlog after removal, weight (as a string), running (-1 when not counted: no cap),
            cap (0 = none) }
]]
local now = tonumber(ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
local backlog = redis.call('ZCARD', KEYS[1])
local s = redis.call('HMGET', KEYS[3], 'weight', 'maxConcurrency')
local weight = s[1] or '1'
local cap = tonumber(s[2] or '0') or 0
local running = -1
-- Only a cap needs the running count. Without one, expired leases (crashed workers' steps) are dropped when
-- the tenant's backlog runs dry, so the set stays small without two more commands on every step.
if cap > 0 or backlog == 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
end
if cap > 0 then
  running = redis.call('ZCARD', KEYS[2])
  if running >= cap and not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
    return { 0, backlog, weight, running, cap }
  end
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
if running >= 0 then running = running + 1 end
return { 1, backlog, weight, running, cap }
