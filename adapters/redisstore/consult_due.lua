-- consult_due.lua: a consult's deadline has come. Still asked at the first
-- (the end of the next school day): the helper is reminded, and it is due
-- again at the end of the school day after. Still asked at the second: it
-- goes on the kernteam's agenda and the teacher is told. Once per
-- deadline: a caller that finds it no longer due changes nothing.
--
-- KEYS[7] the school's consult deadlines: base .. 'consultdue'
-- KEYS[8] the consult's record   KEYS[9] the agenda's themes
-- KEYS[10] the consults on the agenda
-- ARGV[7] request id   ARGV[8] the next deadline (ms)
-- ARGV[9] the agenda theme as JSON   ARGV[10] ttl of the agenda (ms)
local dk, rk, tk, ck, rid, nextdue, theme, ttl = KEYS[7], KEYS[8], KEYS[9], KEYS[10], ARGV[7], ARGV[8], ARGV[9], ARGV[10]

local score = redis.call('ZSCORE', dk, rid)
if not score or tonumber(score) > now then return {'stale'} end
local r = redis.call('HMGET', rk, 'kind', 'state', 'helper', 'offer_no')
-- An entry whose consult expired or is no longer asked would be due for
-- ever: it leaves the set, and nothing else changes.
if not r[2] or r[1] ~= 'consult' then
  redis.call('ZREM', dk, rid)
  return {'not_found'}
end
if r[2] ~= 'asked' then
  redis.call('ZREM', dk, rid)
  return {'closed'}
end

if r[4] == '1' then
  redis.call('HSET', rk, 'offer_no', '2', 'deadline', nextdue)
  redis.call('ZADD', dk, nextdue, rid)
  tally(rk, 'consults_reminded')
  tell('consult_reminder', rid, 2, 'helper:' .. r[3], r[3], '', '', false)
else
  redis.call('HSET', rk, 'offer_no', '3')
  redis.call('HDEL', rk, 'deadline')
  redis.call('ZREM', dk, rid)
  addtheme(tk, ck, theme, rid, ttl)
  keepquestion(rid, rk)
  tally(rk, 'consults_to_agenda')
  tell('consult_agenda', rid, 3, 'requester', r[3], '', '', false)
end
return reply(rk)
