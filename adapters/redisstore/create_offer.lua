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
-- KEYS[1] request key
-- ARGV[4] id            ARGV[5] school       ARGV[6] group
-- ARGV[7] note          ARGV[8] day part     ARGV[9] week
-- ARGV[10] requester platform                ARGV[11] requester handle
-- ARGV[12] requester name                    ARGV[13] requester key ("mine")
-- ARGV[14] created ms   ARGV[15] deadline ms ARGV[16] retention ms
-- ARGV[17] trim ms: index entries created at or before it belong to
--          requests that have expired
-- ARGV[18] follow-up ms ('' for none): when the requester hears how it
--          stands if nobody accepted by then (see claim_followups.lua)
-- ARGV[19..] candidates: id, rank pairs
local rk = KEYS[1]
local id, group, daypart, week, mine = ARGV[4], ARGV[6], ARGV[8], ARGV[9], ARGV[13]
local created, deadline, retention, trim, followup = ARGV[14], ARGV[15], ARGV[16], ARGV[17], ARGV[18]

local existing = redis.call('HGETALL', rk)
if #existing > 0 then
  table.insert(existing, 1, 'duplicate')
  return existing
end

local f = {'id', id, 'school', ARGV[5], 'group', group, 'note', ARGV[7], 'daypart', daypart,
  'week', week, 'rq_platform', ARGV[10], 'rq_handle', ARGV[11], 'rq_name', ARGV[12],
  'mine', mine, 'created', created}
local fields = {}
for i = 1, #f, 2 do
  if f[i + 1] ~= '' then
    fields[#fields + 1] = f[i]
    fields[#fields + 1] = f[i + 1]
  end
end

local ncand = (#ARGV - 18) / 2
local pick = choose(19, {})
local counters = {'requests', 'group:' .. group, 'daypart:' .. (daypart ~= '' and daypart or 'buiten')}
if ncand == 0 then counters[#counters + 1] = 'no_cover' end
if pick then
  for _, v in ipairs({'state', 'offered', 'helper', pick, 'offer_no', '1', 'tried', pick, 'deadline', deadline}) do
    fields[#fields + 1] = v
  end
  counters[#counters + 1] = 'offers'
else
  for _, v in ipairs({'state', 'escalated', 'offer_no', '0'}) do fields[#fields + 1] = v end
  counters[#counters + 1] = 'escalated'
end

redis.call('HSET', rk, unpack(fields))
redis.call('PEXPIRE', rk, retention)
if pick then offer(id, pick, deadline) end

-- The indexes have no TTL per member: drop members whose records expired.
local ak = base .. 'active'
redis.call('ZREMRANGEBYSCORE', ak, '-inf', trim)
redis.call('ZADD', ak, created, id)
local mk = base .. 'mine:' .. mine
redis.call('ZREMRANGEBYSCORE', mk, '-inf', trim)
redis.call('ZADD', mk, created, id)
redis.call('PEXPIRE', mk, retention)
if followup ~= '' then redis.call('ZADD', base .. 'followups', followup, id) end

count(week, unpack(counters))
return reply(rk)
