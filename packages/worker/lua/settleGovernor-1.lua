--[[
  Reconciles one model call with the rate-limit buckets (see acquireGovernor-1.lua): gives back what was
  reserved but not used (the input estimate beyond the real usage, max_tokens beyond the real output, all of
  it when the API refused the call), learns limits from the `anthropic-ratelimit-*` headers, and lowers a
  bucket to the API's `remaining` when the API has seen more use than the fleet accounted for (another
  client on the same key). `remaining` only ever lowers a bucket: in-flight reservations are not in it yet.

  KEYS[1] governor hash
  ARGV[1..3]  charged requests, input tokens, output tokens (from the permit)
  ARGV[4..6]  used requests, input tokens, output tokens (what the API counted)
  ARGV[7..9]  configured limits r, i, o (0 = none)
  ARGV[10..12] header limits r, i, o (-1 = absent)
  ARGV[13..15] header remaining r, i, o (-1 = absent)
  ARGV[16] 1 when the API answered 429: trust `remaining` exactly, with no allowance for rounding
  ARGV[17] tenant ('' = none)
  ARGV[18] tenant share (0 = off)
  ARGV[19] TTL of the hash in ms
  Returns the levels after settling { r, i, o } as integers (-1 = not governed).
]]
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dims = { 'r', 'i', 'o' }
local charged = { r = tonumber(ARGV[1]), i = tonumber(ARGV[2]), o = tonumber(ARGV[3]) }
local used = { r = tonumber(ARGV[4]), i = tonumber(ARGV[5]), o = tonumber(ARGV[6]) }
local configured = { r = tonumber(ARGV[7]), i = tonumber(ARGV[8]), o = tonumber(ARGV[9]) }
local headerLimit = { r = tonumber(ARGV[10]), i = tonumber(ARGV[11]), o = tonumber(ARGV[12]) }
local remaining = { r = tonumber(ARGV[13]), i = tonumber(ARGV[14]), o = tonumber(ARGV[15]) }
local strict = ARGV[16] == '1'
local tenant = ARGV[17]
local share = tonumber(ARGV[18])
local ttl = tonumber(ARGV[19])
local useTenant = tenant ~= '' and share > 0 and share < 1
-- The API rounds token counts in these headers (to the nearest thousand); request counts are exact.
local slack = { r = 1, i = 500, o = 500 }

-- Every field the script may read, in one HMGET, and every write in one HSET at the end.
local fields = {}
for _, d in ipairs(dims) do
  fields[#fields + 1] = d .. ':limit'
  fields[#fields + 1] = d .. ':level'
  fields[#fields + 1] = d .. ':at'
  if useTenant then
    fields[#fields + 1] = 't:' .. tenant .. ':' .. d .. ':level'
    fields[#fields + 1] = 't:' .. tenant .. ':' .. d .. ':at'
  end
end
local values = redis.call('HMGET', key, unpack(fields))
local h = {}
for i, f in ipairs(fields) do
  if values[i] then h[f] = values[i] end
end
local writes = {}
local function set(field, value)
  writes[#writes + 1] = field
  writes[#writes + 1] = value
end

local function refilled(prefix, cap)
  local level = tonumber(h[prefix .. ':level'])
  if level == nil then return nil end
  local at = tonumber(h[prefix .. ':at']) or now
  if now > at then level = level + (now - at) * cap / 60000 end
  return math.min(cap, level)
end

local out = {}
local touched = false
for n, d in ipairs(dims) do
  if headerLimit[d] > 0 then
    set(d .. ':limit', headerLimit[d])
    h[d .. ':limit'] = headerLimit[d]
  end
  local learned = tonumber(h[d .. ':limit']) or 0
  local cfg = configured[d]
  local limit = learned
  if cfg > 0 and learned > 0 then limit = math.min(cfg, learned) elseif cfg > 0 then limit = cfg end
  out[n] = -1
  if limit > 0 then
    touched = true
    local refund = 0
    -- A call larger than the whole bucket is counted as one full bucket, as the API admits it.
    if used[d] >= 0 then refund = charged[d] - math.min(used[d], limit) end
    local level = refilled(d, limit)
    local allowance = strict and 0 or slack[d]
    if level == nil then
      -- First sight of this bucket: start from the API's own count when it gave one.
      if remaining[d] >= 0 then level = math.min(limit, remaining[d]) else level = limit end
    elseif d == 'o' then
      -- The API still holds this call's max_tokens in `remaining` when it answers; it gives the unused
      -- part back afterwards, as the refund below does.
      if remaining[d] >= 0 then level = math.min(level, remaining[d] + allowance) end
      level = level + refund
    else
      level = level + refund
      if remaining[d] >= 0 then level = math.min(level, remaining[d] + allowance) end
    end
    level = math.min(limit, level)
    set(d .. ':level', tostring(level))
    set(d .. ':at', now)
    out[n] = math.floor(level)
    if useTenant and refund ~= 0 then
      local cap = limit * share
      local prefix = 't:' .. tenant .. ':' .. d
      local tl = refilled(prefix, cap)
      if tl ~= nil then
        set(prefix .. ':level', tostring(math.min(cap, tl + refund)))
        set(prefix .. ':at', now)
      end
    end
  end
end
if #writes > 0 then redis.call('HSET', key, unpack(writes)) end
if touched and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
return out
