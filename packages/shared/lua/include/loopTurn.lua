--[[
  The loop check of one model turn's tool calls (see checkLoop-1.lua for the rules), as a function a script
  includes with `--#include loopTurn`: checkLoop runs it alone, saveModelTurn with the turn's checkpoint.
  key   the session's loop state hash: 'w' the window (signatures, oldest first, one per line); 'strikes';
        'v:<toolUseId>' cached verdicts; 'e:<tool>' error streaks ('<length> <sha256 of the error>')
  args  the script's ARGV; from args[first]: window W, threshold T, strikes S, ping-pong length L, then one
        triple per call: toolUseId, tool name, signature ('<tool>:<sha256 of canonical input>')
  The hash gets no expiry here: like the history, it lives while the session runs and gets its expiry with the
  session's other data when the session ends (applyRetention in retention.ts).
  Returns, per call in order, { verdict, kind, count, strikes, fresh, streak } flattened.
]]
local function loopTurn(key, args, first)
  local window = tonumber(args[first])
  local threshold = tonumber(args[first + 1])
  local maxStrikes = tonumber(args[first + 2])
  local ppLen = tonumber(args[first + 3])
  local keep = math.max(window, ppLen)
  local n = (#args - first - 3) / 3

  -- Everything the turn may read, in one HMGET: window, strikes, then each call's cached verdict and error streak.
  local fields = { 'w', 'strikes' }
  for c = 1, n do
    local at = first + 3 + (c - 1) * 3
    fields[#fields + 1] = 'v:' .. args[at + 1]
    fields[#fields + 1] = 'e:' .. args[at + 2]
  end
  local h = redis.call('HMGET', key, unpack(fields))

  local calls = {}
  if h[1] then
    for sig in string.gmatch(h[1], '[^\n]+') do calls[#calls + 1] = sig end
  end
  local strikes = tonumber(h[2] or '0')
  -- Error streaks as this turn leaves them: a streak answered by one call is not answered again by the next.
  local streaks = {}
  local answered = {}
  local writes = {}
  local out = {}
  local changed = false

  for c = 1, n do
    local at = first + 3 + (c - 1) * 3
    local id, tool, sig = args[at + 1], args[at + 2], args[at + 3]
    local cached = h[1 + 2 * c]
    if cached then
      local v = cjson.decode(cached)
      out[#out + 1] = v[1]; out[#out + 1] = v[2]; out[#out + 1] = v[3]; out[#out + 1] = v[4]; out[#out + 1] = 0
      -- whether the tool has an error streak is not known for a call checked before: say it may
      out[#out + 1] = 1
    else
      changed = true
      calls[#calls + 1] = sig
      while #calls > keep do table.remove(calls, 1) end
      local m = #calls
      local kind = ''
      local count = 0
      -- repeat: this signature among the last W calls, this one included
      for i = math.max(1, m - window + 1), m do
        if calls[i] == sig then count = count + 1 end
      end
      if count >= threshold then kind = 'repeat' end
      -- ping-pong: the last L calls are A,B,A,B,... with A ~= B
      if kind == '' and m >= ppLen and calls[m] ~= calls[m - 1] then
        local alternating = true
        for i = m - ppLen + 3, m do
          if calls[i] ~= calls[i - 2] then
            alternating = false
            break
          end
        end
        if alternating then
          kind = 'ping_pong'
          count = ppLen
        end
      end
      local streak = streaks[tool]
      if streak == nil then streak = h[2 + 2 * c] or false end
      -- error streak: this tool's last T results were the same error
      if kind == '' then
        if streak then
          local sep = string.find(streak, ' ', 1, true)
          local len = tonumber(string.sub(streak, 1, sep - 1))
          if len >= threshold then
            kind = 'error_repeat'
            count = len
            -- the streak is answered now; the model gets T more identical errors before it counts again
            streak = false
            streaks[tool] = false
            answered[#answered + 1] = 'e:' .. tool
          end
        end
      end
      local verdict = 'ok'
      if kind ~= '' then
        strikes = strikes + 1
        if strikes > maxStrikes then verdict = 'stop' else verdict = 'warn' end
      end
      writes[#writes + 1] = 'v:' .. id
      writes[#writes + 1] = cjson.encode({ verdict, kind, count, strikes })
      out[#out + 1] = verdict; out[#out + 1] = kind; out[#out + 1] = count; out[#out + 1] = strikes; out[#out + 1] = 1
      out[#out + 1] = streak and 1 or 0
    end
  end

  if changed then
    redis.call('HSET', key, 'w', table.concat(calls, '\n'), 'strikes', strikes, unpack(writes))
    if #answered > 0 then redis.call('HDEL', key, unpack(answered)) end
  end
  return out
end
