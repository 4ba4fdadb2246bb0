--[[
  Creates a session record and its first history entries unless a session with this id exists.
  KEYS[1] session hash
  KEYS[2] history list
  ARGV[1] number N of record arguments that follow (field, value, field, value, ...)
  ARGV[2..N+1] the record, flattened
  ARGV[N+2..] initial history entries (JSON)
  Returns 1 when created, 0 when the session already existed (start is idempotent).
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local n = tonumber(ARGV[1])
local record = {}
for i = 2, n + 1 do record[#record + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(record))
for i = n + 2, #ARGV do
  redis.call('RPUSH', KEYS[2], ARGV[i])
end
return 1
