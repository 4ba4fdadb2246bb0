--[[
  Puts a claim's calls back in the buffer (the submit failed in a way that a later flush may retry).
  KEYS[1] open claims (sorted set)
  KEYS[2] the claim's calls (list)
  KEYS[3] pending calls (sorted set)
  ARGV[1] claim id
  ARGV[2] score to park them with (ms; their first park time is not kept)
  Returns how many calls went back.
]]
local ids = redis.call('LRANGE', KEYS[2], 0, -1)
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[3], 'NX', ARGV[2], id) end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return #ids
