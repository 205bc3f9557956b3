-- drop_consult.lua: the teacher drops a held meedenken question
-- (hold_consult.lua), once. The question goes; a marker of the decision
-- stays a while so a second press hears how it stands.
--
-- KEYS[7] the hold   ARGV[7] the presser ("mine")   ARGV[8] how long the
-- marker is kept (ms)
-- Answers ok; 'not_yours'; 'not_found' (its hold expired: never sent); or
-- 'not_held' followed by what was decided before ('sent', 'cancelled').
local hk, who, keep = KEYS[7], ARGV[7], ARGV[8]
if late() then return {'too_late'} end
local r = redis.call('HMGET', hk, 'mine', 'done')
if not r[1] then return {'not_found'} end
if r[1] ~= who then return {'not_yours'} end
if present(r[2]) then return {'not_held', r[2]} end
tally(hk, 'held_consult_cancelled')
redis.call('HDEL', hk, 'group', 'question')
redis.call('HSET', hk, 'done', 'cancelled')
redis.call('PEXPIRE', hk, keep)
return ok({})
