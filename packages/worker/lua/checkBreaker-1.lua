--[[
  Asks a tool's fleet-wide circuit breaker whether a call may run now.
  KEYS[1] breaker hash (fields: state, openedAt, trialUntil, failures)
  ARGV[1] now (ms)
  ARGV[2] cool-down (ms) an open breaker waits before letting one trial call through
  ARGV[3] trial lease (ms): if the trial call never reports back (its worker died, a later guard stopped
          it), another trial is allowed after this long
  Returns { 'allow' } closed; { 'trial', transition } one trial call may run (transition is 'half_open'
  when the breaker moved now, else ''); { 'reject', retryAt } open or a trial is already running.
]]
local now = tonumber(ARGV[1])
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'closed' then
  return { 'allow' }
end
if state == 'open' then
  local openedAt = tonumber(redis.call('HGET', KEYS[1], 'openedAt') or '0')
  local retryAt = openedAt + tonumber(ARGV[2])
  if now < retryAt then
    return { 'reject', retryAt }
  end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'trialUntil', now + tonumber(ARGV[3]))
  return { 'trial', 'half_open' }
end
-- half_open: one trial at a time
local trialUntil = tonumber(redis.call('HGET', KEYS[1], 'trialUntil') or '0')
if now < trialUntil then
  return { 'reject', trialUntil }
end
redis.call('HSET', KEYS[1], 'trialUntil', now + tonumber(ARGV[3]))
return { 'trial', '' }
