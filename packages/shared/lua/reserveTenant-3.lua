--[[
  Reserves a model call against its tenant's daily budget: estimated input + max_tokens, and their cost at
  list price. Settled usage and open reservations both count, so concurrent calls of the whole fleet can
  never together promise more than the budget. Expired reservations (a worker died mid-call) are released
  first. The output allowance is cut to what is left; below `minOut` the call is refused. Idempotent per id.
  KEYS[1] tenant budget hash (dailyTokens, dailyCostMicroUsd; absent fields = no limit)
  KEYS[2] tenant usage hash of the day (tokens, costMicroUsd, reservedTokens, reservedCostMicroUsd,
          'r:<id>' = '<tokens> <cost> <out>' open reservations, 'done:<id>' settled marks)
  KEYS[3] tenant reservations sorted set of the day (member id, score = expiry ms)
  ARGV[1] reservation id ('<sessionId>:<step>:<purpose>')
  ARGV[2] estimated input tokens
  ARGV[3] requested max_tokens
  ARGV[4] minOut
  ARGV[5] input price, micro-USD per token
  ARGV[6] output price, micro-USD per token
  ARGV[7] now (ms)
  ARGV[8] expiry of this reservation (ms)
  ARGV[9] TTL of the day's keys (ms)
  Returns { 1, max_tokens } when reserved (or reserved before), { 1, max_tokens, code, limit, used, reserved }
  when reserved now with max_tokens cut below the request (naming the budget that cut it), or
  { 0, code, limit, used, reserved } with code tenant_tokens | tenant_cost.
]]
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[7])
for _, id in ipairs(expired) do
  local r = redis.call('HGET', KEYS[2], 'r:' .. id)
  if r then
    local t, c = string.match(r, '^(%S+) (%S+)')
    redis.call('HINCRBY', KEYS[2], 'reservedTokens', -tonumber(t))
    redis.call('HINCRBY', KEYS[2], 'reservedCostMicroUsd', -tonumber(c))
    redis.call('HDEL', KEYS[2], 'r:' .. id)
  end
  redis.call('ZREM', KEYS[3], id)
end

local existing = redis.call('HGET', KEYS[2], 'r:' .. ARGV[1])
if existing then
  local _, _, o = string.match(existing, '^(%S+) (%S+) (%S+)')
  return { 1, tonumber(o) }
end
if redis.call('HEXISTS', KEYS[2], 'done:' .. ARGV[1]) == 1 then
  return { 1, tonumber(ARGV[3]) }
end

local estIn = tonumber(ARGV[2])
local out = tonumber(ARGV[3])
local minOut = tonumber(ARGV[4])
local inPrice = tonumber(ARGV[5])
local outPrice = tonumber(ARGV[6])
local b = redis.call('HMGET', KEYS[1], 'dailyTokens', 'dailyCostMicroUsd')
local u = redis.call('HMGET', KEYS[2], 'tokens', 'reservedTokens', 'costMicroUsd', 'reservedCostMicroUsd')
local usedT, resT = tonumber(u[1] or '0'), tonumber(u[2] or '0')
local usedC, resC = tonumber(u[3] or '0'), tonumber(u[4] or '0')

-- The budget that cut max_tokens the most, reported with the admission.
local cut = nil
if b[1] then
  local limit = tonumber(b[1])
  local allowed = limit - usedT - resT - estIn
  if allowed < out then
    out = allowed
    cut = { 'tenant_tokens', limit, usedT, resT }
  end
  if out < minOut then return { 0, 'tenant_tokens', limit, usedT, resT } end
end
if b[2] then
  local limit = tonumber(b[2])
  local allowed = math.floor((limit - usedC - resC - estIn * inPrice) / outPrice)
  if allowed < out then
    out = allowed
    cut = { 'tenant_cost', limit, usedC, resC }
  end
  if out < minOut then return { 0, 'tenant_cost', limit, usedC, resC } end
end

local tokens = estIn + out
local cost = math.ceil(estIn * inPrice + out * outPrice)
redis.call('HSET', KEYS[2], 'r:' .. ARGV[1], tokens .. ' ' .. cost .. ' ' .. out)
redis.call('HINCRBY', KEYS[2], 'reservedTokens', tokens)
redis.call('HINCRBY', KEYS[2], 'reservedCostMicroUsd', cost)
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[9])
redis.call('PEXPIRE', KEYS[3], ARGV[9])
if cut then return { 1, out, cut[1], cut[2], cut[3], cut[4] } end
return { 1, out }
