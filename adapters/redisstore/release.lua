-- release.lua: a held request is let go, by its requester's press or by the
-- hold's deadline, exactly once: sent without its note, sent as typed, or
-- withdrawn before anyone heard of it. Sent, it is routed as a new request
-- is (place, in lib.lua): offered to the helper choose picks, or escalated.
--
-- KEYS[7] request key   KEYS[8] deadlines   KEYS[9] active requests
-- KEYS[10] follow-ups   KEYS[11] the request's note (note:<ARGV[7]>)
-- ARGV[7] request id
-- ARGV[8] how: 'without_note', 'anyway', 'cancel' (a press) or 'timeout'
--         (the sweeper: the deadline passed, sent without its note)
-- ARGV[9] the requester ("mine"), as the record has it; '' for a timeout
-- ARGV[10] deadline ms of the first offer
-- ARGV[11] follow-up ms ('' for none)
-- ARGV[12..] candidates: id, person, rank triples
local rk, dk, ak, fk = KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local rid, how, who, deadline, followup = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
if late() then return {'too_late'} end

local r = redis.call('HMGET', rk, 'state', 'mine', 'deadline', 'group', 'daypart', 'mine_key')
local state, mine, due, group, daypart = r[1], r[2], r[3], r[4], r[5]

if not state then return {'not_found'} end
if how ~= 'timeout' and mine ~= who then return {'not_yours'} end
-- Let go already (a second press, or the deadline first): how it stands.
if state ~= 'held' then
  local out = record(rk)
  table.insert(out, 1, 'not_held')
  return out
end
if how == 'timeout' and (not present(due) or tonumber(due) > now) then return {'stale'} end

redis.call('ZREM', dk, rid)
if how == 'cancel' then
  -- Nobody heard of it: nobody to tell, and the note goes at once.
  redis.call('HSET', rk, 'state', 'cancelled', 'closed', nowms)
  redis.call('HDEL', rk, 'deadline')
  redis.call('DEL', notekey(rid))
  redis.call('ZREM', ak, rid)
  local mk = mineindex(mine, r[6])
  if mk then redis.call('ZREM', mk, rid) end
  tally(rk, 'held_cancelled')
  return reply(rk)
end

if how ~= 'anyway' then redis.call('DEL', notekey(rid)) end
-- It goes out now: the wait the figures count starts here, not at the
-- hold, which was the teacher's own time (see sentfrom in lib.lua).
redis.call('HSET', rk, 'released', nowms)
local counters = {'requests', 'group:' .. group, 'daypart:' .. (present(daypart) and daypart or 'buiten')}
counters[#counters + 1] = ({without_note = 'held_sent_without_note', anyway = 'held_sent_anyway', timeout = 'held_timeout'})[how]
local pick = place(rk, rid, 12, dk, deadline, counters)
if how == 'timeout' then
  -- The requester chose nothing in time: told it went, and without the
  -- note (a press is answered on the spot).
  tell('held_sent', rid, pick and 1 or 0, 'requester', pick or '', '', '', false)
end
if followup ~= '' then redis.call('ZADD', fk, followup, rid) end
tally(rk, unpack(counters))
return reply(rk)
