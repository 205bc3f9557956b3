-- claim_followups.lua: take the follow-ups due at now, each for exactly one
-- caller, and queue the follow-up notice of each request still going round
-- the helpers, whose requester has heard nothing since the answer, in the
-- same step: the ZREM that claims one is the step that queues
-- its notice, so two processes never both tell a requester, and a process
-- that dies after the claim loses nothing.
--
-- KEYS[7] followups key (zset: request id → when, ms)
-- ARGV[7] how many at most
-- Answers ok() with the ids of the requesters told.
local fk = KEYS[7]
local due = redis.call('ZRANGEBYSCORE', fk, '-inf', nowms, 'LIMIT', 0, tonumber(ARGV[7]))
local ids = {}
for _, id in ipairs(due) do
  redis.call('ZREM', fk, id)
  local rk = reqkey(id)
  local r = redis.call('HMGET', rk, 'state', 'offer_no', 'helper', 'told')
  -- Accepted, resolved, cancelled or expired meanwhile: nothing to tell.
  -- Escalated: the teacher heard it then, with what to do; nothing new.
  -- Moved on and told so: the teacher knows it is going round. A teacher
  -- hears at most twice while nobody comes.
  if r[1] == 'offered' and not present(r[4]) then
    redis.call('HSET', rk, 'told', '1')
    tell('follow_up', id, r[2] or '0', 'requester', r[3] or '', '', '', false)
    ids[#ids + 1] = id
  end
end
return ok(ids)
