--[[
  Pauses a BullMQ queue for at least `ms`, never shortening a longer pause already set: the same write as
  BullMQ's queue.rateLimit(ms) (the limiter key at MAX_SAFE_INTEGER with a PX expiry), which workers with a
  `limiter` check before every fetch, but a short governor pause cannot cut a 429's retry-after short.
  KEYS[1] the queue's limiter key (queue.keys.limiter)
  ARGV[1] pause in ms
  Returns the pause now in force, in ms.
]]
local ms = tonumber(ARGV[1])
local current = redis.call('PTTL', KEYS[1])
if current >= ms then return current end
redis.call('SET', KEYS[1], '9007199254740991', 'PX', ms)
return ms
