-- consult_answer.lua: the helper answers a consult asked of them (Vandaag,
-- Deze week, Bel me even, or a moment they propose); the teacher is told.
--
-- KEYS[7] the school's consult deadlines: base .. 'consultdue'
-- ARGV[7] request id, '' for the oldest consult the helper has not answered
-- ARGV[8] helper id    ARGV[9] answer    ARGV[10] moment ('' for none)
local dk, rid, hid, answer, moment = KEYS[7], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if late() then return {'too_late'} end

if rid == '' then
  for _, id in ipairs(redis.call('ZRANGE', dk, 0, -1)) do
    local r = redis.call('HMGET', reqkey(id), 'state', 'helper')
    if r[1] == 'asked' and r[2] == hid then
      rid = id
      break
    end
  end
  if rid == '' then return {'no_active'} end
end
local rk = reqkey(rid)
local r = redis.call('HMGET', rk, 'kind', 'state', 'helper')
if not r[2] or r[1] ~= 'consult' then return {'not_found'} end
if r[3] ~= hid then return {'not_yours'} end
if r[2] ~= 'asked' then return {'closed'} end

redis.call('HSET', rk, 'state', 'answered', 'answer', answer, 'answered', nowms)
if moment ~= '' then redis.call('HSET', rk, 'moment', moment) end
redis.call('HDEL', rk, 'deadline')
redis.call('ZREM', dk, rid)
keepquestion(rid, rk)
tally(rk, 'consults_answered')
tell('consult_answered', rid, 1, 'requester', hid, '', '', false)
return reply(rk)
