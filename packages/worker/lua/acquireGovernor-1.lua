--[[
  Reserves one model call from the fleet-wide rate-limit buckets of one API key and model family: requests,
  input tokens and output tokens per minute, each a token bucket of capacity = its per-minute limit, refilled
  continuously (as the API's limits are). With a tenant share, the tenant's own buckets (share x limit) must
  also hold the cost. All or nothing: either every bucket is charged or none is.
  A dimension with no limit (none configured, none learned from headers yet) is not governed.
  The clock is Redis TIME, so workers on different hosts agree.

  KEYS[1] governor hash (fields '<d>:limit' learned, '<d>:level', '<d>:at', 't:<tenant>:<d>:level|at'; d = r|i|o)
  ARGV[1] cost in requests (1)
  ARGV[2] cost in input tokens (estimate)
  ARGV[3] cost in output tokens (max_tokens)
  ARGV[4] configured requests per minute (0 = none)
  ARGV[5] configured input tokens per minute (0 = none)
  ARGV[6] configured output tokens per minute (0 = none)
  ARGV[7] longest wait, in ms, the caller will sleep in place; a reservation due within it is granted in
          advance (the bucket goes into debt) and the caller sleeps until it is due
  ARGV[8] tenant ('' = none)
  ARGV[9] tenant share, 0 < share <= 1 (0 = off)
  ARGV[10] TTL of the hash in ms
  Returns { granted (1|0), waitMs, reason ('' | 'requests' | 'input_tokens' | 'output_tokens' | 'tenant_<...>'),
            charged requests, charged input tokens, charged output tokens }
  granted = 1: charged; sleep waitMs before calling. granted = 0: nothing charged; the cost is available in waitMs.
]]
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dims = { 'r', 'i', 'o' }
local names = { r = 'requests', i = 'input_tokens', o = 'output_tokens' }
local cost = { r = tonumber(ARGV[1]), i = tonumber(ARGV[2]), o = tonumber(ARGV[3]) }
local configured = { r = tonumber(ARGV[4]), i = tonumber(ARGV[5]), o = tonumber(ARGV[6]) }
local maxDebtMs = tonumber(ARGV[7])
local tenant = ARGV[8]
local share = tonumber(ARGV[9])
local ttl = tonumber(ARGV[10])
local useTenant = tenant ~= '' and share > 0 and share < 1

-- Every field the script may read, in one HMGET (an HGET each cost up to 15 commands).
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

local function effectiveLimit(d)
  local learned = tonumber(h[d .. ':limit']) or 0
  local cfg = configured[d]
  if cfg > 0 and learned > 0 then return math.min(cfg, learned) end
  if cfg > 0 then return cfg end
  return learned
end

-- Current level of a bucket, refilled up to now; a bucket never seen starts full.
local function levelOf(prefix, cap)
  local level = tonumber(h[prefix .. ':level'])
  local at = tonumber(h[prefix .. ':at']) or now
  if level == nil then return cap end
  if now > at then level = level + (now - at) * cap / 60000 end
  return math.min(cap, level)
end

local buckets = {}
local waitMs = 0
local reason = ''
for _, d in ipairs(dims) do
  local limit = effectiveLimit(d)
  if limit > 0 and cost[d] > 0 then
    local entries = { { prefix = d, cap = limit, label = names[d] } }
    if useTenant then
      entries[2] = { prefix = 't:' .. tenant .. ':' .. d, cap = limit * share, label = 'tenant_' .. names[d] }
    end
    for _, b in ipairs(entries) do
      b.level = levelOf(b.prefix, b.cap)
      -- A cost larger than the whole bucket waits for a full bucket rather than forever.
      b.cost = math.min(cost[d], b.cap)
      if b.prefix == d then b.dim = d end
      if b.level < b.cost then
        local wait = (b.cost - b.level) * 60000 / b.cap
        if wait > waitMs then
          waitMs = wait
          reason = b.label
        end
      end
      buckets[#buckets + 1] = b
    end
  end
end

waitMs = math.ceil(waitMs)
if waitMs > maxDebtMs then
  return { 0, waitMs, reason, 0, 0, 0 }
end
local charged = { r = 0, i = 0, o = 0 }
local writes = {}
for _, b in ipairs(buckets) do
  writes[#writes + 1] = b.prefix .. ':level'
  writes[#writes + 1] = tostring(b.level - b.cost)
  writes[#writes + 1] = b.prefix .. ':at'
  writes[#writes + 1] = now
  if b.dim then charged[b.dim] = b.cost end
end
if #writes > 0 then redis.call('HSET', key, unpack(writes)) end
if #buckets > 0 and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
return { 1, waitMs, reason, math.ceil(charged.r), math.ceil(charged.i), math.ceil(charged.o) }
