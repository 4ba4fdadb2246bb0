--[[
  Checkpoints a step's model response and counts its usage, in one round trip and at most once: whoever
  stores the response first counts the usage; a racing or retried writer gets the stored response back.
  The step's events ride on the same write, so a worker killed after it can never lose them: the events
  buffered so far are appended always, the call's own events (model_call) only by the writer that counted.
  Every event appended is also kept in the checkpoint's outbox field until the worker has copied it to the
  global stream (which lives in another slot); a retried step copies what a dead worker left there.
  KEYS[1] session hash
  KEYS[2] checkpoint hash of the step
  KEYS[3] session event stream
  KEYS[4] memory hash of the session (working memory: its token calibration, see step-checkpoint.ts)
  KEYS[5] loop state hash of the session (see checkLoop-1.lua)
  ARGV[1] checkpoint field of the response (e.g. 'model')
  ARGV[2] response JSON
  ARGV[3] usage guard field (e.g. 'usage:model')
  ARGV[4] input tokens
  ARGV[5] output tokens
  ARGV[6] cache read tokens
  ARGV[7] cache write tokens
  ARGV[8] cost in micro-dollars
  ARGV[9] approximate cap of the session event stream
  ARGV[10] outbox field of this write (unique per write)
  ARGV[11] JSON array of events (each a flat field array) appended always ('[]' for none)
  ARGV[12] JSON array of events appended only when the usage is counted now
  ARGV[13] calibration field of the memory hash to set when the usage is counted now ('' for none)
  ARGV[14] its value
  ARGV[15..] the loop check of the response's tool calls, as checkLoop's ARGV (none when it has none): run
             only when this response is the one stored now, so a racing or retried writer never checks calls
             of a response that was not kept
  Returns { stored response JSON, 1 when the usage was counted now or 0 when it was counted before, the loop
  check's reply (see checkLoop-1.lua; empty when it did not run) }, or { false, -1 } when the session record
  does not exist (expired, or lost with Redis data): nothing is written, so neither the checkpoint nor a
  usage-only session hash comes back without a TTL.
]]
--#include loopTurn
--#include checkpointEvents
-- The session's status (present in every session record) and its usage counters, in one read: a missing
-- status is a missing session.
local counters = { 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'costMicroUsd' }
local now = redis.call('HMGET', KEYS[1], 'status', unpack(counters))
if not now[1] then return { false, -1 } end
local written = {}
-- The checkpoint's writes go out in one HSET at the end.
local checkpoint = {}
-- The response and the usage guard, in one read.
local got = redis.call('HMGET', KEYS[2], ARGV[1], ARGV[3])
local stored = got[1]
local loop = {}
if not stored then
  checkpoint = { ARGV[1], ARGV[2] }
  stored = ARGV[2]
  if #ARGV > 14 then loop = loopTurn(KEYS[5], ARGV, 15) end
end
appendEvents(KEYS[3], ARGV[9], ARGV[11], written)
local counted = 0
if not got[2] then
  checkpoint[#checkpoint + 1] = ARGV[3]
  checkpoint[#checkpoint + 1] = '1'
  -- One read (above) and one write of the five counters rather than five HINCRBYs (the script is atomic
  -- either way).
  local sums = {}
  for i, name in ipairs(counters) do
    sums[#sums + 1] = name
    -- %d, not tostring: tostring prints numbers of 15 digits and more with an exponent.
    sums[#sums + 1] = string.format('%d', (tonumber(now[i + 1]) or 0) + tonumber(ARGV[3 + i]))
  end
  redis.call('HSET', KEYS[1], unpack(sums))
  if ARGV[13] ~= '' then redis.call('HSET', KEYS[4], ARGV[13], ARGV[14]) end
  appendEvents(KEYS[3], ARGV[9], ARGV[12], written)
  counted = 1
end
writeCheckpoint(KEYS[2], checkpoint, ARGV[10], written)
return { stored, counted, loop }
