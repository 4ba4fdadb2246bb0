--[[
  Remembers the result of one finished tool call for the error-streak rule, once per tool_use id.
  KEYS[1] loop state hash ('e:<tool>' = '<streak length> <sha256 of the error content>'; 'r:<toolUseId>' marks)
  ARGV[1] toolUseId
  ARGV[2] tool name
  ARGV[3] 1 when the result is an error, else 0
  ARGV[4] sha256 of the result content
  Returns the tool's error streak after this result (0 after a success), or -1 when already recorded.
]]
if redis.call('HSETNX', KEYS[1], 'r:' .. ARGV[1], '1') == 0 then
  return -1
end
local field = 'e:' .. ARGV[2]
if ARGV[3] ~= '1' then
  redis.call('HDEL', KEYS[1], field)
  return 0
end
local len = 1
local current = redis.call('HGET', KEYS[1], field)
if current then
  local sep = string.find(current, ' ', 1, true)
  if string.sub(current, sep + 1) == ARGV[4] then
    len = tonumber(string.sub(current, 1, sep - 1)) + 1
  end
end
redis.call('HSET', KEYS[1], field, len .. ' ' .. ARGV[4])
return len
