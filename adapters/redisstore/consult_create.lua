-- consult_create.lua: store a consult (meedenken) asked of one helper, due
-- at the end of the next school day, and queue the question to the helper.
-- No offer clock, no engaged helper: it waits for the helper's answer.
-- An id that exists already is a repeated delivery: 'duplicate' and the
-- record as it stands, nothing written.
--
-- KEYS[7] request key   KEYS[8] the consult deadlines (consultdue)
-- KEYS[9] the question's key (note:<ARGV[7]>)
-- ARGV[7] id           ARGV[8] school       ARGV[9] group
-- ARGV[10] question (kept in its own key, see notekey)
-- ARGV[11] week        ARGV[12] month
-- ARGV[13] requester platform   ARGV[14] requester handle   ARGV[15] requester name
-- ARGV[16] requester ("mine": platform:handle, lower case): who may close it
-- ARGV[17] created ms  ARGV[18] due ms      ARGV[19] retention ms
-- ARGV[20] the helper asked
-- KEYS[10] the question's hold (hold_consult.lua) when ARGV[21] is '1':
-- the teacher chose Verstuur toch. The hold must still be there, theirs and
-- undecided ('not_found', 'not_yours', 'not_held'); it becomes a marker
-- kept ARGV[22] ms, without the question.
local rk, dk, nk = KEYS[7], KEYS[8], KEYS[9]
local id, due, retention, hid = ARGV[7], ARGV[18], ARGV[19], ARGV[20]
local hk, held = KEYS[10], ARGV[21] == '1'

local existing = record(rk)
if #existing > 0 then
  table.insert(existing, 1, 'duplicate')
  return existing
end
if late() then return {'too_late'} end
if held then
  local h = redis.call('HMGET', hk, 'mine', 'done')
  if not h[1] then return {'not_found'} end
  if h[1] ~= ARGV[16] then return {'not_yours'} end
  if present(h[2]) then return {'not_held'} end
end

local f = {'id', id, 'school', ARGV[8], 'kind', 'consult', 'group', ARGV[9], 'week', ARGV[11], 'month', ARGV[12],
  'rq_platform', ARGV[13], 'rq_handle', ARGV[14], 'rq_name', ARGV[15], 'mine', ARGV[16], 'created', ARGV[17],
  'state', 'asked', 'helper', hid, 'offer_no', '1', 'deadline', due}
local fields = nonempty(f)
redis.call('HSET', rk, unpack(fields))
redis.call('PEXPIRE', rk, retention)
if ARGV[10] ~= '' then redis.call('SET', nk, ARGV[10], 'PX', retention) end
redis.call('ZADD', dk, due, id)
tally(rk, 'consults')
if held then
  tally(hk, 'held_consult_sent')
  redis.call('HDEL', hk, 'group', 'question')
  redis.call('HSET', hk, 'done', 'sent')
  redis.call('PEXPIRE', hk, ARGV[22])
end
tell('consult', id, 1, 'helper:' .. hid, hid, '', '', false)
return reply(rk)
