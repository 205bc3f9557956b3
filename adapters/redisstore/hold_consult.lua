-- hold_consult.lua: a meedenken question that seems to name a child or
-- hold health data is held, not sent: kept HoldFor (its key's expiry) for
-- the teacher to choose Verstuur toch (consult_create.lua with this hold)
-- or Annuleer (drop_consult.lua). Without a choice the key expires and the
-- question is gone, never sent: nothing about a consult is urgent. A
-- second hold of the same id changes nothing.
--
-- KEYS[7] the hold (base .. 'consulthold:' .. id, id the consult's to be)
-- ARGV[7] week   ARGV[8] month   ARGV[9] the teacher ("mine")
-- ARGV[10] group   ARGV[11] question   ARGV[12] how long it is held (ms)
local hk = KEYS[7]
if late() then return {'too_late'} end
if redis.call('EXISTS', hk) == 1 then return ok({}) end
redis.call('HSET', hk, 'week', ARGV[7], 'month', ARGV[8], 'mine', ARGV[9], 'group', ARGV[10], 'question', ARGV[11])
redis.call('PEXPIRE', hk, ARGV[12])
tally(hk, 'held_consult')
return ok({})
