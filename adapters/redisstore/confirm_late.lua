-- confirm_late.lua: a request for help whose create had an unknown outcome
-- (its requester was told it could not be passed on) is looked up once
-- Redis answers. When it exists after all, its requester is told, in this
-- same step, that it was passed on; when it does not, the not-after guard
-- keeps it from ever being created.
--
-- KEYS[7] request key
-- ARGV[7] request id
-- Answers ok() with '1' when the request exists (its requester told), '0'.
local rk, rid = KEYS[7], ARGV[7]
local r = redis.call('HMGET', rk, 'state', 'offer_no', 'helper')
if not r[1] then return ok({'0'}) end
-- Told once, also when two lookups of the same request meet.
if redis.call('HSETNX', rk, 'late_told', '1') == 0 then return ok({'1'}) end
tell('passed_on_late', rid, r[2] or '0', 'requester', r[3] or '', '', '', false)
return ok({'1'})
