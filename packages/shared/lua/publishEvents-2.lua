--[[
  Copies events from a checkpoint's outbox to the global stream, each at most once however many workers flush
  the same outbox (a retried step racing a slow one, a late duplicate job): an event is appended only when its
  id is new to the set of recently published ids. Both keys share one slot (the set's hash tag is the stream's
  name), so the script stays cluster-safe.
  KEYS[1] global event stream
  KEYS[2] sorted set of recently published event ids (score = publish time, ms)
  ARGV[1] approximate cap of the global stream
  ARGV[2] now (ms)
  ARGV[3] how long a published id is remembered (ms)
  ARGV[4] id of the outbox write (the event ids are '<this>#<index>')
  ARGV[5] JSON array of events, each a flat field array
  Returns an array with 1 for each event appended now and 0 for each published before.
]]
local events = cjson.decode(ARGV[5])
local now = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local out = {}
for i, fields in ipairs(events) do
  if redis.call('ZADD', KEYS[2], 'NX', now, ARGV[4] .. '#' .. i) == 1 then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
    out[i] = 1
  else
    out[i] = 0
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - keep)
redis.call('PEXPIRE', KEYS[2], keep * 2)
return out
