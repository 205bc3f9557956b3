-- agenda_add.lua: put a request on the kernteam's agenda ("bespreken in
-- kernteam"), marked by the helper who accepted it. The agenda holds request
-- ids only; the reminder reads group and time from the record.
--
-- KEYS[1] request key
-- ARGV[7] request id   ARGV[8] helper id
-- ARGV[9] ttl of the agenda in ms
-- ARGV[10] trim ms: items marked at or before it have expired
local rk, rid, hid, ttl, trim = KEYS[1], ARGV[7], ARGV[8], ARGV[9], ARGV[10]

local r = redis.call('HMGET', rk, 'state', 'helper')
local state, helper = r[1], r[2]

if not state then return {'not_found'} end
if helper ~= hid then return {'not_yours'} end
if state ~= 'accepted' and state ~= 'resolved' then return {'closed'} end

local ak = base .. 'agenda'
if redis.call('ZSCORE', ak, rid) then return {'duplicate'} end

redis.call('ZREMRANGEBYSCORE', ak, '-inf', trim)
redis.call('ZADD', ak, nowms, rid)
redis.call('PEXPIRE', ak, ttl)
return ok({})
