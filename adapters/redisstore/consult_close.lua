-- consult_close.lua: a consult is done with — closed by the teacher who
-- asked it or the helper it was asked of. Its question is erased a grace
-- from now.
--
-- KEYS[7] request key   KEYS[8] the consult deadlines (consultdue)
-- ARGV[7] request id   ARGV[8] who closes (platform:handle, lower case)
-- ARGV[9] helper id of who closes, '' when no helper
-- ARGV[10] grace (ms) after which the question is erased
local rk, dk, rid, who, hid, grace = KEYS[7], KEYS[8], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if late() then return {'too_late'} end

local r = redis.call('HMGET', rk, 'kind', 'state', 'mine', 'helper')
if not r[2] or r[1] ~= 'consult' then return {'not_found'} end
if r[3] ~= who and (hid == '' or r[4] ~= hid) then return {'not_yours'} end
if r[2] ~= 'asked' and r[2] ~= 'answered' then return {'closed'} end

redis.call('HSET', rk, 'state', 'resolved', 'closed', nowms)
redis.call('HDEL', rk, 'deadline')
redis.call('ZREM', dk, rid)
closenote(rid, rk, grace)
tally(rk, 'consults_closed')
return reply(rk)
