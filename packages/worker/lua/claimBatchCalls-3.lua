--[[
  Takes the oldest pending calls out of the buffer into a claim, when the buffer is full enough or its
  oldest call old enough. The claim is written before the batch is submitted, so a flusher killed during
  the submit leaves a claim that a later flusher resolves (adopts the batch it finds, or submits it).
  KEYS[1] pending calls (sorted set)
  KEYS[2] open claims (sorted set: claim id scored by claim time)
  KEYS[3] this claim's calls (list of custom_ids)
  ARGV[1] most calls in one batch
  ARGV[2] cutoff (ms): a smaller buffer is claimed only when its oldest call was parked at or before it
  ARGV[3] now (ms)
  ARGV[4] claim id
  Returns the claimed custom_ids (empty when nothing is due).
]]
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then return {} end
local max = tonumber(ARGV[1])
if n < max then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if tonumber(oldest[2]) > tonumber(ARGV[2]) then return {} end
end
local ids = redis.call('ZRANGE', KEYS[1], 0, max - 1)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('RPUSH', KEYS[3], id)
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return ids
