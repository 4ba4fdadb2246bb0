--[[
  Tells a tool's circuit breaker how a call ended, and moves it between closed, open and half_open.
  KEYS[1] breaker hash
  KEYS[2] failure times (sorted set, score = ms) inside the sliding window
  ARGV[1] now (ms)
  ARGV[2] '1' when the call failed, '0' when it succeeded
  ARGV[3] failures within the window that open the breaker
  ARGV[4] window (ms)
  ARGV[5] a unique member for this failure
  Returns { transition, failuresInWindow }: transition is 'opened', 'closed' or ''.
]]
local now = tonumber(ARGV[1])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local window = tonumber(ARGV[4])
if ARGV[2] == '0' then
  if state == 'half_open' then
    redis.call('HSET', KEYS[1], 'state', 'closed', 'closedAt', now)
    redis.call('HDEL', KEYS[1], 'trialUntil', 'openedAt')
    redis.call('DEL', KEYS[2])
    return { 'closed', 0 }
  end
  return { '', 0 }
end
if state == 'half_open' then
  -- the trial failed: open again for a full cool-down
  redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', now)
  redis.call('HDEL', KEYS[1], 'trialUntil')
  return { 'opened', 1 }
end
if state == 'open' then
  -- a call let through before the breaker opened finished late: already open
  return { '', 0 }
end
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
redis.call('PEXPIRE', KEYS[2], window)
local count = redis.call('ZCARD', KEYS[2])
if count >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', now)
  redis.call('DEL', KEYS[2])
  return { 'opened', count }
end
return { '', count }
