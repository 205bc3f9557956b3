-- accept.lua: a helper accepts the offer they hold. The helper stays engaged
-- (they are busy with it now) until resolve or cancel.
--
-- KEYS[7] deadlines
-- KEYS[8] the request's key, when ARGV[8] names it (else derived: the offer
--         the helper holds)
-- ARGV[7] helper id
-- ARGV[8] request id, '' for the offer the helper holds (at this school)
-- ARGV[9] offer number, '0' for the current offer
-- ARGV[10] the helper's person
local hid, rid, offerno, hp = ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if late() then return {'too_late'} end

if rid == '' then
  rid = engagedhere(hp)
  if not rid then return {'no_offer'} end
end
local rk = KEYS[8] or reqkey(rid)
local r = redis.call('HMGET', rk, 'state', 'helper', 'offer_no')
local state, helper, cur = r[1], r[2], r[3]

if not state then return {'not_found'} end
-- Accepted is reported as such also to the helper who accepted it: a second
-- click changes nothing.
if state == 'accepted' then return {'already_accepted'} end
if state ~= 'offered' then return {'closed'} end
if offerno ~= '0' and offerno ~= cur then return {'stale'} end
if helper ~= hid then return {'not_yours'} end

redis.call('HSET', rk, 'state', 'accepted', 'accepted', nowms)
redis.call('HDEL', rk, 'deadline')
redis.call('ZREM', KEYS[7], rid)
tally(rk, 'accepted', cur == '1' and 'accepted_first' or nil, intime(rk))
waited(rk)
tell('accepted', rid, cur, 'requester', hid, '', '', false)
return reply(rk)
