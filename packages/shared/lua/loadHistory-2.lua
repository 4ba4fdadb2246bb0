--[[
  Reads what a step's working memory can use of a session's history: all of it until a rolling summary holds
  its oldest entries, then the pinned task (entry 0) and the entries after the summary. A windowed session's
  load then stays the size of its window however long the session runs.
  KEYS[1] history list
  KEYS[2] memory hash (the rolling summary; its foldedThrough is the last entry the summary holds)
  Returns { offset, memory hash as a flat field/value list, entries }: the entries are history[0], then
  history[offset + 1] onwards (offset 0: the whole history).
]]
local memory = redis.call('HGETALL', KEYS[2])
local folded = 0
for i = 1, #memory, 2 do
  if memory[i] == 'foldedThrough' then folded = tonumber(memory[i + 1]) or 0 end
end
if folded < 1 then return { 0, memory, redis.call('LRANGE', KEYS[1], 0, -1) } end
local entries = redis.call('LRANGE', KEYS[1], 0, 0)
local rest = redis.call('LRANGE', KEYS[1], folded + 1, -1)
for i = 1, #rest do entries[#entries + 1] = rest[i] end
return { folded, memory, entries }
