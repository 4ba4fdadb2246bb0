--[[
  Copies events from checkpoint outboxes to the global stream, each outbox at most once however many workers
  flush it (a retried step racing a slow one, a late duplicate job): an outbox's events are appended only
  when its id is new to the set of recently published ids. An outbox is written whole by one script and
  copied whole by this one, so one id stands for all its events ('<outbox>#1', the id its first event had
  when each event had its own). A step copies all its outboxes in one call. Both keys share one slot (the
  set's hash tag is the stream's name), so the script stays cluster-safe.
  KEYS[1] global event stream
  KEYS[2] sorted set of recently published event ids (score = publish time, ms)
  ARGV[1] approximate cap of the global stream
  ARGV[2] now (ms)
  ARGV[3] how long a published id is remembered (ms)
  ARGV[4] '1' to also drop ids older than ARGV[3] and renew the set's TTL (a worker asks about once a second:
          doing it on every copy cost two commands per copy)
  ARGV[5], ARGV[6], ... pairs: the id of an outbox write, its JSON array of events (each a flat field array)
  Returns one flag per outbox, in order: 1 when its events were appended now, 0 when they were published before.
]]
local now = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local appended = {}
for i = 5, #ARGV - 1, 2 do
  if redis.call('ZADD', KEYS[2], 'NX', now, ARGV[i] .. '#1') == 1 then
    for _, fields in ipairs(cjson.decode(ARGV[i + 1])) do
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
    end
    appended[#appended + 1] = 1
  else
    appended[#appended + 1] = 0
  end
end
if ARGV[4] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - keep)
  redis.call('PEXPIRE', KEYS[2], keep * 2)
end
return appended
