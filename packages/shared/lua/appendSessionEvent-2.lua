--[[
  Appends one event to a session's own stream, only while the session record exists: an event of a session
  that expired or was lost with Redis data must not bring back a stream no retention will ever expire.
  KEYS[1] session hash
  KEYS[2] the session's event stream
  ARGV[1] MAXLEN (approximate) of the stream
  ARGV[2..] field, value pairs of the event
  Returns the entry id, or false when the session record does not exist.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 2))
