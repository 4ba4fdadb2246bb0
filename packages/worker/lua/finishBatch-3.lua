--[[
  Forgets a batch whose results were all delivered to their steps (or a claim answered without a batch).
  KEYS[1] batches in flight, or open claims (sorted set)
  KEYS[2] the batch's (or claim's) calls (list)
  KEYS[3] call payloads (hash)
  ARGV[1] batch id (or claim id)
  Returns how many calls it held.
]]
local ids = redis.call('LRANGE', KEYS[2], 0, -1)
for _, id in ipairs(ids) do redis.call('HDEL', KEYS[3], id) end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return #ids
