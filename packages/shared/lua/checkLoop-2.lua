--[[
  Records one tool call of a session in its loop window and decides whether it is part of a loop, in one
  atomic step. Idempotent per tool_use id: checking the same tool_use again (a retried step) returns the
  first verdict and changes nothing, so a call is never counted twice.
  KEYS[1] loop window list (signatures, oldest first)
  KEYS[2] loop state hash: 'strikes'; 'v:<toolUseId>' cached verdicts; 'e:<tool>' error streaks
  ARGV[1] toolUseId
  ARGV[2] tool name
  ARGV[3] signature ('<tool>:<sha256 of canonical input>')
  ARGV[4] window W: calls looked at by the repeat rule
  ARGV[5] threshold T
  ARGV[6] strikes S: detections answered with a reflection; detection S+1 stops the session
  ARGV[7] ping-pong length L (calls an A,B,A,B run must span)
  ARGV[8] TTL of both keys in ms
  Returns { verdict, kind, count, strikes, fresh }:
    verdict 'ok' | 'warn' | 'stop'; kind 'repeat' | 'ping_pong' | 'error_repeat' | '';
    count = occurrences of the signature in the window (repeat), the run length (ping_pong) or the error
    streak (error_repeat); strikes = detections so far; fresh = 1 when decided now, 0 when cached.
]]
local cached = redis.call('HGET', KEYS[2], 'v:' .. ARGV[1])
if cached then
  local v = cjson.decode(cached)
  return { v[1], v[2], v[3], v[4], 0 }
end

local sig = ARGV[3]
local window = tonumber(ARGV[4])
local threshold = tonumber(ARGV[5])
local maxStrikes = tonumber(ARGV[6])
local ppLen = tonumber(ARGV[7])
local keep = math.max(window, ppLen)

redis.call('RPUSH', KEYS[1], sig)
redis.call('LTRIM', KEYS[1], -keep, -1)
local calls = redis.call('LRANGE', KEYS[1], 0, -1)
local n = #calls

local kind = ''
local count = 0
-- repeat: this signature among the last W calls, this one included
for i = math.max(1, n - window + 1), n do
  if calls[i] == sig then count = count + 1 end
end
if count >= threshold then
  kind = 'repeat'
end
-- ping-pong: the last L calls are A,B,A,B,... with A ~= B
if kind == '' and n >= ppLen and calls[n] ~= calls[n - 1] then
  local alternating = true
  for i = n - ppLen + 3, n do
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
-- The error streak and the strikes so far, in one read.
local state = redis.call('HMGET', KEYS[2], 'e:' .. ARGV[2], 'strikes')
-- error streak: this tool's last T results were the same error
if kind == '' then
  local streak = state[1]
  if streak then
    local sep = string.find(streak, ' ', 1, true)
    local len = tonumber(string.sub(streak, 1, sep - 1))
    if len >= threshold then
      kind = 'error_repeat'
      count = len
      -- the streak is answered now; the model gets T more identical errors before it counts again
      redis.call('HDEL', KEYS[2], 'e:' .. ARGV[2])
    end
  end
end

local verdict = 'ok'
local strikes = tonumber(state[2] or '0')
if kind ~= '' then
  strikes = strikes + 1
  if strikes > maxStrikes then verdict = 'stop' else verdict = 'warn' end
  redis.call('HSET', KEYS[2], 'strikes', strikes, 'v:' .. ARGV[1], cjson.encode({ verdict, kind, count, strikes }))
else
  redis.call('HSET', KEYS[2], 'v:' .. ARGV[1], cjson.encode({ verdict, kind, count, strikes }))
end
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('PEXPIRE', KEYS[2], ARGV[8])
return { verdict, kind, count, strikes, 1 }
