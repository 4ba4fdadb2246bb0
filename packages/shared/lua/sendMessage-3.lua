--[[
  Delivers a user's message to a session, atomically with the move it causes: the answer to the oldest open
  `ask_human` question of its current step, or else, for a session that finished its turn (completed, or
  awaiting input with no open question), the next user turn appended to its history.
  KEYS[1] session hash
  KEYS[2] session's questions hash (tool_use id -> question JSON)
  KEYS[3] history list
  ARGV[1] now (ms)
  ARGV[2] message text
  ARGV[3] sent by
  ARGV[4] history entry JSON ({ step, message }) for a new user turn; its step is replaced by the session's
  ARGV[5] tool_use id of the one question to answer ('' = the oldest open one); with it, no new turn is started
  Returns one of:
    { 'not_found' }
    { 'refused', status }                      -- ended otherwise (failed, cancelled, ...), or mid-turn with no open question
    { 'answered', toolUseId, remaining }       -- answered; other questions still open, or the step not parked yet
    { 'resumed', resumeCount, step, toolUseId } -- answered the last open question: enqueue step job i<resumeCount>
    { 'continued', resumeCount, step }         -- a new user turn: enqueue step job c<resumeCount>
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return { 'not_found' } end
if status == 'failed' or status == 'loop_detected' or status == 'budget_exceeded' or status == 'cancelled' then
  return { 'refused', status }
end
if redis.call('HGET', KEYS[1], 'cancelRequested') == '1' then return { 'refused', 'cancel_requested' } end
local step = redis.call('HGET', KEYS[1], 'step')

local open_id, open_q, open_count = nil, nil, 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local q = cjson.decode(all[i + 1])
  if q.answer == nil and tostring(q.step) == step then
    open_count = open_count + 1
    if (ARGV[5] == '' or ARGV[5] == all[i]) and (open_q == nil or q.askedAt < open_q.askedAt) then open_id, open_q = all[i], q end
  end
end
if open_q and status ~= 'completed' then
  open_q.answer = ARGV[2]
  open_q.answeredBy = ARGV[3]
  open_q.answeredAt = tonumber(ARGV[1])
  redis.call('HSET', KEYS[2], open_id, cjson.encode(open_q))
  if open_count == 1 and status == 'awaiting_input' then
    local resumes = redis.call('HINCRBY', KEYS[1], 'resumes', 1)
    redis.call('HSET', KEYS[1], 'status', 'running', 'updatedAt', ARGV[1])
    return { 'resumed', resumes, step, open_id }
  end
  return { 'answered', open_id, open_count - 1 }
end

if ARGV[5] ~= '' then return { 'refused', 'no_such_question' } end
if status == 'completed' or status == 'awaiting_input' then
  local entry = cjson.decode(ARGV[4])
  entry.step = tonumber(step)
  redis.call('RPUSH', KEYS[3], cjson.encode(entry))
  local resumes = redis.call('HINCRBY', KEYS[1], 'resumes', 1)
  redis.call('HSET', KEYS[1], 'status', 'running', 'updatedAt', ARGV[1])
  return { 'continued', resumes, step }
end
return { 'refused', status }
