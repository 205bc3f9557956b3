-- pickup.lua: someone in the fallback channel takes an escalated request
-- ("Ik pak dit op"). Anyone there may; the first press wins. A configured
-- helper who picks it up works on it (engaged, like an accepted offer) and
-- must not be engaged already; anyone else simply takes it, and the request
-- leaves the indexes of open work. Whoever picked it up gets its note in a
-- direct message.
--
-- KEYS[7] request key   KEYS[8] active requests   KEYS[9] its note (note:<id>)
-- KEYS[10] the picker's index (picked:<ARGV[13]>), when ARGV[13] is given
-- ARGV[7] request id
-- ARGV[8] picker platform   ARGV[9] picker handle   ARGV[10] picker name
-- ARGV[11] helper id of the picker, '' when the picker is not a helper
-- ARGV[12] grace (ms) after which the note is erased
-- ARGV[13] pseudonym of the picker ('' for a helper): names the index of
--          what they picked up, so "/hulp klaar" finds it (resolve_picked.lua)
-- ARGV[14] the picker's person ('' when not a helper)
local rk, rid, hid, grace, pickedby, hp = KEYS[7], ARGV[7], ARGV[11], ARGV[12], ARGV[13] or '', ARGV[14]
if late() then return {'too_late'} end
local r = redis.call('HMGET', rk, 'state', 'mine', 'offer_no', 'mine_key')
local state, offerno = r[1], r[3] or '0'
local mk = mineindex(r[2], r[4])

if not state then return {'not_found'} end
if state == 'accepted' then return {'already_accepted'} end
if state ~= 'escalated' then return {'closed'} end
-- Engaged at any school of theirs: busy.
if hid ~= '' and present(helperstate(hp).engaged) then return {'busy'} end

redis.call('HSET', rk, 'state', 'accepted', 'accepted', nowms,
  'picked_platform', ARGV[8], 'picked_handle', ARGV[9], 'picked_name', ARGV[10])
if hid ~= '' then
  redis.call('HSET', rk, 'helper', hid, 'person', hp)
  sethelper(hp, 'engaged', rid, 'last', nowms)
else
  -- Nobody in hulpbot is engaged in it: no open work left to track.
  redis.call('ZREM', KEYS[8], rid)
  if mk then redis.call('ZREM', mk, rid) end
  if pickedby ~= '' then
    local pk = KEYS[10]
    redis.call('ZADD', pk, nowms, rid)
    local ttl = redis.call('PTTL', rk)
    if ttl > 0 then redis.call('PEXPIRE', pk, ttl) end
  end
end
tally(rk, 'accepted', 'picked_up', intime(rk))
waited(rk)
tell('accepted', rid, offerno, 'requester', hid, '', '', false)
-- The fallback post showed group, time and who asked, never the note: the
-- one who picked it up gets the note in a direct message (rendered at
-- delivery, from the record).
if hasnote(rid, rk) then
  tell('picked_note', rid, offerno, 'picker', hid, '', '', true)
end
-- Taken from the channel: the note is erased a grace from now, time
-- enough for that direct message.
closenote(rid, rk, grace)
return reply(rk)
