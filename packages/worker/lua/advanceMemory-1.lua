--[[
  Moves a session's rolling summary forward, never back: a late or duplicated summary of an older fold
  cannot overwrite a newer one.
  KEYS[1] memory hash (fields: summary, foldedThrough, step, updatedAt)
  ARGV[1] index of the last history entry the summary holds
  ARGV[2] summary text
  ARGV[3] step that made it
  ARGV[4] now (ms)
  Returns 1 when stored, 0 when the stored summary already reaches as far.
]]
local current = tonumber(redis.call('HGET', KEYS[1], 'foldedThrough') or '0')
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'foldedThrough', ARGV[1], 'summary', ARGV[2], 'step', ARGV[3], 'updatedAt', ARGV[4])
return 1
