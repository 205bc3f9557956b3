-- hold_story.lua: a success story that seems to name a child or hold
-- health data is held, not shared: kept HoldFor (its key's expiry) for its
-- author to choose Deel toch or Annuleer (decide_story.lua). Without a
-- choice the key expires and the story is gone, never shared: nothing is
-- urgent about a story.
--
-- KEYS[7] the held story's key (base .. 'story:' .. id)
-- KEYS[8] the list it joins when shared (base .. ARGV[10]); not written here
-- ARGV[7] week   ARGV[8] month   ARGV[9] author ("mine")
-- ARGV[10] the list it joins when shared (rest of the key, e.g.
--          'stories:2026-W48'), ARGV[11] its entry there
-- ARGV[12] that list's retention (ms)   ARGV[13] how long it is held (ms)
local hk = KEYS[7]
if late() then return {'too_late'} end
if redis.call('EXISTS', hk) == 1 then return ok({}) end
redis.call('HSET', hk, 'week', ARGV[7], 'month', ARGV[8], 'mine', ARGV[9], 'list', ARGV[10],
  'entry', ARGV[11], 'retention', ARGV[12])
redis.call('PEXPIRE', hk, ARGV[13])
tally(hk, 'held_story')
return ok({})
