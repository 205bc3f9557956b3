-- resolve.lua: a helper closes the request they accepted and is free again.
--
-- KEYS[7] active requests   KEYS[8] deadlines
-- ARGV[7] helper id
-- ARGV[8] closing note ('' for none); kept in its own key (donenotekey)
-- ARGV[9] grace (ms) after which the request's note and closing note are
--         erased
-- ARGV[10] the helper's person
local hid, note, grace, hp = ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if late() then return {'too_late'} end

-- The request at this school: a person busy at another school closes it
-- there.
local rid = engagedhere(hp)
if not rid then return {'no_active'} end
local rk = reqkey(rid)
local r = redis.call('HMGET', rk, 'state', 'helper', 'week', 'mine', 'offer_no', 'mine_key')
local state, helper, week, offerno = r[1], r[2], r[3], r[5] or '0'
local mk = mineindex(r[4], r[6])

if not state then return {'not_found'} end
-- Engaged in an offer not yet accepted: there is nothing to close.
if state ~= 'accepted' or helper ~= hid then return {'no_active'} end

redis.call('HSET', rk, 'state', 'resolved', 'closed', nowms)
setdonenote(rid, rk, note, grace)
sethelper(hp, 'engaged', '')
closenote(rid, rk, grace)
redis.call('ZREM', KEYS[7], rid)
redis.call('ZREM', KEYS[8], rid)
if mk then redis.call('ZREM', mk, rid) end
tally(rk, 'resolved')
tell('resolved', rid, offerno, 'requester', hid, '', '', false)
return reply(rk)
