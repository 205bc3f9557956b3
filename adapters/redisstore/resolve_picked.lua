-- resolve_picked.lua: someone who is no helper (an IB'er, a teacher) closes
-- the request they took from the fallback channel ("Ik pak dit op"):
-- the latest of theirs still accepted.
--
-- KEYS[7] the picker's index: base .. 'picked:' .. pseudonym (pickup.lua)
-- KEYS[8] deadlines
-- ARGV[7] picker platform   ARGV[8] picker handle (as pickup.lua stored it)
-- ARGV[9] closing note ('' for none); kept in its own key (donenotekey)
-- ARGV[10] grace (ms) after which the closing note is erased (the
--          request's note goes a grace after the pick-up, pickup.lua)
local pk, dk, pplat, phandle, note, grace = KEYS[7], KEYS[8], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if late() then return {'too_late'} end

local ids = redis.call('ZREVRANGE', pk, 0, -1)
local rid, rk
for _, id in ipairs(ids) do
  local k = reqkey(id)
  local r = redis.call('HMGET', k, 'state', 'helper', 'picked_platform', 'picked_handle')
  if r[1] == 'accepted' and not present(r[2]) and r[3] == pplat and r[4] and string.lower(r[4]) == string.lower(phandle) then
    rid, rk = id, k
    break
  end
end
if not rid then return {'no_active'} end

local offerno = redis.call('HGET', rk, 'offer_no') or '0'
redis.call('HSET', rk, 'state', 'resolved', 'closed', nowms)
setdonenote(rid, rk, note, grace)
redis.call('ZREM', pk, rid)
redis.call('ZREM', dk, rid)
tally(rk, 'resolved')
tell('resolved', rid, offerno, 'requester', '', '', '', false)
return reply(rk)
