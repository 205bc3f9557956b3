-- cancel.lua: a requester withdraws an active request (offered, accepted or
-- escalated), or one still held (release.lua). The helper it was offered to or accepted by is free again; the
-- record keeps that helper so they can be told.
--
-- KEYS[7] the index of the requester's active requests (named by their
--         pseudonym, see create_offer.lua)
-- KEYS[8] active requests   KEYS[9] deadlines
-- KEYS[10] the request's key, when ARGV[7] names it (else derived: the
--          latest of the index)
-- ARGV[7] request id, '' for the requester's latest active request
-- ARGV[8] the requester ("mine": platform:handle), as the record has it
-- ARGV[9] grace (ms) after which the request's note is erased
local mk, ak, dk, rid, who, grace = KEYS[7], KEYS[8], KEYS[9], ARGV[7], ARGV[8], ARGV[9]
if late() then return {'too_late'} end

if rid == '' then
  -- Latest first; members of expired or closed requests are passed over, not
  -- removed, so a failing cancel writes nothing.
  for _, id in ipairs(redis.call('ZREVRANGE', mk, 0, -1)) do
    local st = redis.call('HGET', reqkey(id), 'state')
    if active(st) or st == 'held' then
      rid = id
      break
    end
  end
  if rid == '' then return {'no_active'} end
end
local rk = KEYS[10] or reqkey(rid)
local r = redis.call('HMGET', rk, 'state', 'helper', 'week', 'mine', 'offer_no', 'person')
local state, helper, week, mine, offerno = r[1], r[2], r[3], r[4], r[5] or '0'

if not state then return {'not_found'} end
if mine ~= who then return {'not_yours'} end
if not active(state) and state ~= 'held' then return {'closed'} end
local held = state == 'held'

if present(helper) then
  local hp = personof(r[6], helper)
  if isengagedin(hp, rid) then sethelper(hp, 'engaged', '') end
end
redis.call('HSET', rk, 'state', 'cancelled', 'closed', nowms)
redis.call('HDEL', rk, 'deadline')
redis.call('ZREM', ak, rid)
redis.call('ZREM', dk, rid)
redis.call('ZREM', mk, rid)
if held then
  -- Held (release.lua): nobody heard of it, nobody is told, and its note
  -- goes at once.
  redis.call('DEL', notekey(rid))
  tally(rk, 'held_cancelled')
  return reply(rk)
end
closenote(rid, rk, grace)
tally(rk, 'cancelled')
-- The helper it was offered to or accepted by hears it is off; an
-- escalated request's fallback channel hears it is over.
if present(helper) then
  tell('cancelled', rid, offerno, 'helper:' .. helper, helper, '', '', false)
else
  tell('cancelled', rid, offerno, 'channel', '', '', '', false)
end
return reply(rk)
