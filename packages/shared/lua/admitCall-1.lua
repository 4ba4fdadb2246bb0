--[[
  Admits one model call against a session's token and cost budgets, from the usage the session has
  recorded so far. The call's output allowance (`max_tokens`) is cut to what the budgets leave; when even
  `minOut` tokens do not fit, the call is not made.
  KEYS[1] session hash (inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, costMicroUsd)
  ARGV[1] estimated input tokens of the call
  ARGV[2] requested max_tokens
  ARGV[3] minOut: the smallest max_tokens worth a call
  ARGV[4] maxInputTokens (-1 = none; input counts cache reads and writes)
  ARGV[5] maxOutputTokens (-1 = none)
  ARGV[6] maxTokens, input + output (-1 = none)
  ARGV[7] maxCost in micro-USD (-1 = none)
  ARGV[8] input price, micro-USD per token
  ARGV[9] output price, micro-USD per token
  Returns { 1, max_tokens } when admitted, { 1, max_tokens, code, limit, used } when admitted with
  max_tokens cut below the request (naming the budget that cut it), or { 0, code, limit, used } naming the
  budget that does not fit (code: max_input_tokens | max_output_tokens | max_tokens_total | max_cost).
]]
local h = redis.call('HMGET', KEYS[1], 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'costMicroUsd')
local usedIn = tonumber(h[1] or '0') + tonumber(h[3] or '0') + tonumber(h[4] or '0')
local usedOut = tonumber(h[2] or '0')
local usedCost = tonumber(h[5] or '0')
local estIn = tonumber(ARGV[1])
local out = tonumber(ARGV[2])
local minOut = tonumber(ARGV[3])
local maxIn = tonumber(ARGV[4])
local maxOut = tonumber(ARGV[5])
local maxTotal = tonumber(ARGV[6])
local maxCost = tonumber(ARGV[7])
local inPrice = tonumber(ARGV[8])
local outPrice = tonumber(ARGV[9])

if maxIn >= 0 and usedIn + estIn > maxIn then
  return { 0, 'max_input_tokens', maxIn, usedIn }
end
-- The budget that cut max_tokens the most, reported with the admission.
local cut = nil
local function bound(allowed, code, limit, used)
  if allowed < out then
    out = allowed
    cut = { code, limit, used }
  end
end

if maxOut >= 0 then
  bound(maxOut - usedOut, 'max_output_tokens', maxOut, usedOut)
  if out < minOut then return { 0, 'max_output_tokens', maxOut, usedOut } end
end
if maxTotal >= 0 then
  bound(maxTotal - usedIn - usedOut - estIn, 'max_tokens_total', maxTotal, usedIn + usedOut)
  if out < minOut then return { 0, 'max_tokens_total', maxTotal, usedIn + usedOut } end
end
if maxCost >= 0 then
  bound(math.floor((maxCost - usedCost - estIn * inPrice) / outPrice), 'max_cost', maxCost, usedCost)
  if out < minOut then return { 0, 'max_cost', maxCost, usedCost } end
end
if cut then return { 1, out, cut[1], cut[2], cut[3] } end
return { 1, out }
