-- create_offer.lua: store a new request and offer it to the helper choose
-- picks, or store it escalated when nobody can be picked. One step, so a
-- request is never seen without an offer and two requests never get the same
-- free helper.
--
-- An id that exists already is a repeated delivery of the same command: the
-- script writes nothing and answers 'duplicate' followed by the record as it
-- stands, so the repeat can be answered as the first was without another
-- round trip.
--
-- KEYS[7] request key   KEYS[8] deadlines   KEYS[9] active requests
-- KEYS[10] the requester's index (mine:<ARGV[22]>)   KEYS[11] follow-ups
-- KEYS[12] the week's counters (week:<ARGV[12]>)   KEYS[13] the month's
-- (month:<ARGV[23]>)   KEYS[14] the school's months with counters
-- KEYS[15] the request's note (note:<ARGV[7]>)
-- KEYS[16] who asked this month (asked:<ARGV[23]>), for the month's survey
-- ARGV[7] id            ARGV[8] school       ARGV[9] group
-- ARGV[10] note (kept in its own key, see notekey)   ARGV[11] day part     ARGV[12] week
-- ARGV[13] requester platform                ARGV[14] requester handle
-- ARGV[15] requester name
-- ARGV[16] requester ("mine": platform:handle, lower case), which cancel
--          and pulse compare; kept in the record only, which expires
-- ARGV[17] created ms   ARGV[18] deadline ms ARGV[19] retention ms
-- ARGV[20] trim ms: index entries created at or before it belong to
--          requests that have expired
-- ARGV[21] follow-up ms ('' for none): when the requester hears how it
--          stands if nobody accepted by then (see claim_followups.lua)
-- ARGV[22] the requester's pseudonym ("mine_key"), which names the index
--          of their active requests: no handle in a key name
-- ARGV[23] month ("2026-12", the school's), key of the monthly statistics
-- ARGV[24] hold until (ms), '' for none: a request whose note seems to
--          name a child or hold health data is stored held — offered to
--          nobody, the requester deciding first (release.lua)
-- ARGV[25..] candidates: id, person, rank triples
local rk, dk, ak, mk, fk = KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local id, group, daypart, week, mine = ARGV[7], ARGV[9], ARGV[11], ARGV[12], ARGV[16]
local created, deadline, retention, trim, followup = ARGV[17], ARGV[18], ARGV[19], ARGV[20], ARGV[21]
local minekey, month, hold = ARGV[22], ARGV[23], ARGV[24]

local existing = record(rk)
if #existing > 0 then
  table.insert(existing, 1, 'duplicate')
  return existing
end
if late() then return {'too_late'} end

local f = {'id', id, 'school', ARGV[8], 'group', group, 'daypart', daypart,
  'week', week, 'month', month, 'rq_platform', ARGV[13], 'rq_handle', ARGV[14], 'rq_name', ARGV[15],
  'mine', mine, 'mine_key', minekey, 'created', created}
local fields = nonempty(f)

redis.call('HSET', rk, unpack(fields))
redis.call('PEXPIRE', rk, retention)
if ARGV[10] ~= '' then
  -- The note lives apart, to be erased soon after the request closes.
  redis.call('SET', notekey(id), ARGV[10], 'PX', retention)
end
local counters
if hold ~= '' then
  -- Held: nobody is told anything until the requester decides, or the
  -- hold's deadline lets it go without its note (release.lua); the
  -- sweeper finds that deadline with the offers'.
  redis.call('HSET', rk, 'state', 'held', 'offer_no', '0', 'deadline', hold)
  redis.call('ZADD', dk, hold, id)
  counters = {'held'}
else
  counters = {'requests', 'group:' .. group, 'daypart:' .. (daypart ~= '' and daypart or 'buiten')}
  place(rk, id, 25, dk, deadline, counters)
end

-- The indexes have no TTL per member: members whose records expired are
-- dropped now and then — by one create in sixteen (ids are random), which
-- keeps them short at a fraction of the cost.
if string.byte(id, -1) % 16 == 0 then
  redis.call('ZREMRANGEBYSCORE', ak, '-inf', trim)
  redis.call('ZREMRANGEBYSCORE', mk, '-inf', trim)
end
redis.call('ZADD', ak, created, id)
redis.call('ZADD', mk, created, id)
redis.call('PEXPIRE', mk, retention)
if followup ~= '' and hold == '' then redis.call('ZADD', fk, followup, id) end

tally(rk, unpack(counters))
-- Who asked this month, for the month's survey: field the requester's
-- pseudonym, value the address to send it to (platform and handle, no
-- name). Kept only until the survey about the month is done with.
if present(month) and present(minekey) then
  local ak2 = KEYS[16]
  redis.call('HSET', ak2, minekey, ARGV[13] .. ':' .. ARGV[14])
  redis.call('PEXPIRE', ak2, 7776000000) -- 90 days
end
return reply(rk)
