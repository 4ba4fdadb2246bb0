--[[
  How a checkpoint script writes its events, included with `--#include checkpointEvents` (see
  saveModelTurn-5.lua): each event is appended to the session's event stream and kept in the checkpoint's
  outbox field, written with the checkpoint's own fields, until the worker has copied it to the global stream.
]]
-- Appends a JSON array of events (each a flat field array) to the stream, capped at about maxLen entries,
-- and adds each to `written`, the outbox list.
local function appendEvents(stream, maxLen, json, written)
  for _, fields in ipairs(cjson.decode(json)) do
    redis.call('XADD', stream, 'MAXLEN', '~', maxLen, '*', unpack(fields))
    written[#written + 1] = fields
  end
end

-- Writes the checkpoint's fields (a flat field/value list) and, when events were appended, the outbox, in one HSET.
local function writeCheckpoint(key, fields, outboxField, written)
  if #written > 0 then
    fields[#fields + 1] = outboxField
    fields[#fields + 1] = cjson.encode(written)
  end
  if #fields > 0 then redis.call('HSET', key, unpack(fields)) end
end
