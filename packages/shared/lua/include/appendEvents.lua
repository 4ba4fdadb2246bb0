--[[
  Appends a checkpoint's events (a JSON array, each event a flat field array) to the session's event stream,
  capped at about maxLen entries, and adds each to `written`, the checkpoint's outbox list (see
  saveModelTurn-5.lua): a script includes it with `--#include appendEvents`.
]]
local function appendEvents(stream, maxLen, json, written)
  for _, fields in ipairs(cjson.decode(json)) do
    redis.call('XADD', stream, 'MAXLEN', '~', maxLen, '*', unpack(fields))
    written[#written + 1] = fields
  end
end
