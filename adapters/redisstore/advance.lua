-- advance.lua: move an offer on because its helper declined or its deadline
-- passed: offer the request to the next helper choose picks (helpers tried
-- before are skipped), or escalate it when nobody is left. The helper the
-- offer moves away from is free again.
--
-- KEYS[7] deadlines
-- KEYS[8] the request's key, when ARGV[7] names it (else derived: the offer
--         the declining helper holds)
-- ARGV[7] request id, '' (decline only) for the offer the declining helper holds
-- ARGV[8] offer number, '0' for the current offer
-- ARGV[9] reason: 'decline' or 'timeout'
-- ARGV[10] declining helper id ('' for a timeout)
-- ARGV[11] deadline ms of the next offer
-- ARGV[12] the declining helper's person ('' for a timeout)
-- ARGV[13..] candidates: id, person, rank triples
local dk, rid, offerno, reason, from, deadline = KEYS[7], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local fromp = ARGV[12]
if late() then return {'too_late'} end

if rid == '' then
  if reason ~= 'decline' or from == '' then return {'no_offer'} end
  rid = engagedhere(fromp)
  if not rid then return {'no_offer'} end
end
local rk = KEYS[8] or reqkey(rid)
local r = redis.call('HMGET', rk, 'state', 'helper', 'offer_no', 'week', 'tried', 'deadline', 'person')
local state, prev, cur, week, tried, due = r[1], r[2], r[3], r[4], r[5], r[6]
local prevp = personof(r[7], prev)

if not state then return {'not_found'} end
if state == 'accepted' then return {'already_accepted'} end
if state ~= 'offered' then return {'closed'} end
if offerno ~= '0' and offerno ~= cur then return {'stale'} end
if reason == 'decline' then
  if prev ~= from then return {'not_yours'} end
elseif not present(due) or tonumber(due) > now then
  -- Not due (yet): a sweeper with a fast clock or an early call moves nothing.
  return {'stale'}
end

if present(prev) and isengagedin(prevp, rid) then sethelper(prevp, 'engaged', '') end

if not present(tried) then tried = '' end
local skip = {}
for h in string.gmatch(tried, '[^,]+') do skip[h] = true end
local why = reason == 'decline' and 'declines' or 'timeouts'

local pick, person = choose(13, skip)
local nextno = tonumber(cur) + 1
if pick then
  if tried ~= '' then tried = tried .. ',' end
  redis.call('HSET', rk, 'state', 'offered', 'helper', pick, 'person', person, 'offer_no', tostring(nextno),
    'tried', tried .. pick, 'deadline', deadline)
  offer(rid, person, dk, deadline)
  tally(rk, why, 'offers')
else
  redis.call('HSET', rk, 'state', 'escalated')
  redis.call('HDEL', rk, 'helper', 'person', 'deadline')
  redis.call('ZREM', dk, rid)
  tally(rk, why, 'escalated')
end
-- Whoever must act now first (urgent): the next helper, or the fallback
-- channel. Then the helper whose offer lapsed (their offer message is
-- updated), then the requester.
if pick then
  tell('offer', rid, nextno, 'helper:' .. pick, pick, prev, reason, true)
else
  tell('escalated', rid, cur, 'channel', '', prev, reason, true)
end
if reason == 'timeout' and present(prev) then
  tell('offer_lapsed', rid, cur, 'helper:' .. prev, pick or '', prev, reason, false)
end
if pick then
  -- The requester hears of the first move only: a round of helpers is no
  -- news, and a teacher is told at most twice while nobody comes (this
  -- or the follow-up, then the escalation with what to do).
  if not present(redis.call('HGET', rk, 'told')) then
    redis.call('HSET', rk, 'told', '1')
    tell('moved_on', rid, nextno, 'requester', pick, prev, reason, false)
  end
else
  tell('nobody', rid, cur, 'requester', '', prev, reason, false)
end
return reply(rk)
