--[[
  Records the tool calls of one model turn in the session's loop window and decides, call by call in turn
  order, whether each is part of a loop, in one atomic step. Idempotent per tool_use id: checking a call
  again (a retried step) returns its first verdict and changes nothing, so a call is never counted twice.
  KEYS[1] loop state hash: 'w' the window (signatures, oldest first, one per line); 'strikes'; 'v:<toolUseId>'
          cached verdicts; 'e:<tool>' error streaks ('<length> <sha256 of the error>')
  ARGV[1] window W: calls looked at by the repeat rule
  ARGV[2] threshold T
  ARGV[3] strikes S: detections answered with a reflection; detection S+1 stops the session
  ARGV[4] ping-pong length L (calls an A,B,A,B run must span)
  ARGV[5..] one triple per call: toolUseId, tool name, signature ('<tool>:<sha256 of canonical input>')
  The check itself is include/loopTurn.lua, which saveModelTurn also runs, with a fresh turn's checkpoint.
  Returns, per call in order, { verdict, kind, count, strikes, fresh, streak } flattened:
    verdict 'ok' | 'warn' | 'stop'; kind 'repeat' | 'ping_pong' | 'error_repeat' | '';
    count = occurrences of the signature in the window (repeat), the run length (ping_pong) or the error
    streak (error_repeat); strikes = detections so far; fresh = 1 when decided now, 0 when cached;
    streak = 1 when the tool has an error streak left to reset by a success (always 1 for a cached verdict).
]]
--#include loopTurn
return loopTurn(KEYS[1], ARGV, 1)
