--[[
  Parks a step's model call in its queue's batch buffer, once: a call already parked, claimed or submitted
  under this custom_id is left alone, so a re-run step never submits its call twice.
  KEYS[1] pending calls (sorted set: custom_id scored by the time it was parked)
  KEYS[2] call payloads (hash: custom_id -> JSON { sessionId, step, attempt, params })
  ARGV[1] custom_id
  ARGV[2] now (ms)
  ARGV[3] payload JSON
  Returns { 1 if parked now / 0 if it was there already, calls now pending }.
]]
local added = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3])
if added == 1 then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
return { added, redis.call('ZCARD', KEYS[1]) }
