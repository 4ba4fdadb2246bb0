--[[
  Ends a tenant reservation: releases it, and on 'settle' adds the call's real usage to the day, once per
  reservation id (a retried step that reuses the checkpointed response settles again as a no-op).
  KEYS[1] tenant usage hash of the day (see reserveTenant-3.lua)
  KEYS[2] tenant reservations sorted set of the day
  ARGV[1] reservation id
  ARGV[2] 'settle' or 'release' (the call was not made or failed: nothing to count)
  ARGV[3] input tokens   ARGV[4] output tokens   ARGV[5] cache read tokens   ARGV[6] cache write tokens
  ARGV[7] cost in micro-USD
  ARGV[8] TTL of the day's keys (ms)
  Returns 1 when usage was counted now, 0 otherwise.
]]
local r = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if r then
  local t, c = string.match(r, '^(%S+) (%S+)')
  redis.call('HINCRBY', KEYS[1], 'reservedTokens', -tonumber(t))
  redis.call('HINCRBY', KEYS[1], 'reservedCostMicroUsd', -tonumber(c))
  redis.call('HDEL', KEYS[1], 'r:' .. ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
if ARGV[2] ~= 'settle' then return 0 end
if redis.call('HSETNX', KEYS[1], 'done:' .. ARGV[1], '1') == 0 then return 0 end
local input, output = tonumber(ARGV[3]), tonumber(ARGV[4])
local cacheRead, cacheWrite = tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('HINCRBY', KEYS[1], 'tokens', input + output + cacheRead + cacheWrite)
redis.call('HINCRBY', KEYS[1], 'inputTokens', input + cacheRead + cacheWrite)
redis.call('HINCRBY', KEYS[1], 'outputTokens', output)
redis.call('HINCRBY', KEYS[1], 'costMicroUsd', ARGV[7])
redis.call('HINCRBY', KEYS[1], 'calls', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return 1
