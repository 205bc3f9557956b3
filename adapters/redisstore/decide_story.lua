-- decide_story.lua: the author of a held story (hold_story.lua) shares it
-- after all or drops it, once. The decision replaces the story with a
-- marker of what was decided, kept a while so a second press hears how it
-- stands; a story whose hold expired is gone ('not_found'): not shared.
--
-- KEYS[7] the held story's key
-- KEYS[8] the list a shared story joins, as the held story names it
-- ARGV[7] 'share' or 'cancel'   ARGV[8] the presser ("mine")
-- ARGV[9] how long the marker is kept (ms)
-- Answers ok with {'shared'} or {'cancelled'}; 'not_yours'; 'not_found';
-- or 'not_held' followed by what was decided before.
local hk, lk, how, who, keep = KEYS[7], KEYS[8], ARGV[7], ARGV[8], ARGV[9]
if late() then return {'too_late'} end
local r = redis.call('HMGET', hk, 'mine', 'list', 'entry', 'retention', 'done')
local mine, list, entry, retention, done = r[1], r[2], r[3], r[4], r[5]
if not mine then return {'not_found'} end
if mine ~= who then return {'not_yours'} end
if present(done) then return {'not_held', done} end
-- The list must be the one declared (read by the caller just before).
if how == 'share' and lk ~= base .. list then return {'stale'} end

local outcome = 'cancelled'
if how == 'share' then
  redis.call('RPUSH', lk, entry)
  redis.call('PEXPIRE', lk, retention)
  outcome = 'shared'
end
tally(hk, outcome == 'shared' and 'held_story_shared' or 'held_story_cancelled',
  outcome == 'shared' and 'stories' or nil)
redis.call('HDEL', hk, 'list', 'entry', 'retention')
redis.call('HSET', hk, 'done', outcome)
redis.call('PEXPIRE', hk, keep)
return ok({outcome})
