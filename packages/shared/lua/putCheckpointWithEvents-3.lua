--[[
  Stores a checkpoint field once (a tool call's outcome, or the claim of a non-idempotent call) with the
  events that belong to it, in one atomic write: whoever stores the value first appends its own events
  (tool_call with a claim; tool_result or tool_outcome_unknown with an outcome); a racing or retried writer
  gets the stored value back and appends only the step's buffered events. Appended events are also kept in the
  checkpoint's outbox field until the worker copies them to the global stream (see saveModelTurn-5.lua).
  KEYS[1] session hash (nothing is written when it does not exist: a checkpoint must not recreate a session
          that expired or was lost with Redis data; read only when the checkpoint lacks ARGV[7])
  KEYS[2] checkpoint hash of the step
  KEYS[3] session event stream
  ARGV[1] field (e.g. 'tool:<toolUseId>', 'started:<toolUseId>')
  ARGV[2] value
  ARGV[3] approximate cap of the session event stream
  ARGV[4] outbox field of this write (unique per write)
  ARGV[5] JSON array of events (each a flat field array) appended always ('[]' for none)
  ARGV[6] JSON array of events appended only when this value is the one stored
  ARGV[7] the step's model response field: when the checkpoint holds it, the session existed when the turn
          was checkpointed and the checkpoint expires with the session, so its record need not be read
  Returns { stored value, 1 when this call stored it or 0 when one was stored before }, or { false, -1 } when
  the session record does not exist.
]]
--#include checkpointEvents
-- The field and the model response in one read.
local got = redis.call('HMGET', KEYS[2], ARGV[1], ARGV[7])
if not got[2] and redis.call('EXISTS', KEYS[1]) == 0 then return { false, -1 } end
local written = {}
appendEvents(KEYS[3], ARGV[3], ARGV[5], written)
local stored = got[1]
local now = 0
-- The value and the outbox go out in one HSET.
local checkpoint = {}
if not stored then
  checkpoint = { ARGV[1], ARGV[2] }
  stored = ARGV[2]
  now = 1
  appendEvents(KEYS[3], ARGV[3], ARGV[6], written)
end
writeCheckpoint(KEYS[2], checkpoint, ARGV[4], written)
return { stored, now }
