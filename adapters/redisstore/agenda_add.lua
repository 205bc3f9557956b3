-- agenda_add.lua: put a request on the kernteam's agenda ("bespreken in
-- kernteam"), marked by the helper who accepted it. The agenda holds request
-- ids only; the reminder reads group and time from the record.
--
-- or by whoever (no helper) took it from the fallback channel.
--
-- KEYS[7] request key   KEYS[8] the agenda
-- ARGV[7] request id   ARGV[8] helper id ('' for a picker who is no helper)
-- ARGV[9] ttl of the agenda in ms
-- ARGV[10] trim ms: items marked at or before it have expired
-- ARGV[11] the picker as platform:handle (lower case), when ARGV[8] is ''
local rk, ak, rid, hid, ttl, trim, picker = KEYS[7], KEYS[8], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11] or ''

local r = redis.call('HMGET', rk, 'state', 'helper', 'picked_platform', 'picked_handle')
local state, helper = r[1], r[2]

if not state then return {'not_found'} end
if hid ~= '' then
  if helper ~= hid then return {'not_yours'} end
else
  if present(helper) or not r[3] or not r[4] or picker == '' or
      r[3] .. ':' .. string.lower(r[4]) ~= picker then
    return {'not_yours'}
  end
end
if state ~= 'accepted' and state ~= 'resolved' then return {'closed'} end

if redis.call('ZSCORE', ak, rid) then return {'duplicate'} end

redis.call('ZREMRANGEBYSCORE', ak, '-inf', trim)
redis.call('ZADD', ak, nowms, rid)
redis.call('PEXPIRE', ak, ttl)
return ok({})
