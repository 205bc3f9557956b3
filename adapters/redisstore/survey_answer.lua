-- survey_answer.lua: count one person's answer (1 … 5) to one question of a
-- survey in a period, once. Only the count is kept; who answered is kept
-- as a pseudonym in the period's set, so a second answer counts nothing.
--
-- KEYS[7] the counts: base .. 'survey:<survey>:<period>'
-- KEYS[8] the answered set: base .. 'survey:answered:<survey>:<period>:<question>'
-- ARGV[7] the person's pseudonym   ARGV[8] question   ARGV[9] answer 1-5
-- ARGV[10] how long the answered set lives (ms)
local ck, ak, who, q, answer, ttl = KEYS[7], KEYS[8], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if redis.call('SADD', ak, who) == 0 then return {'duplicate'} end
redis.call('PEXPIRE', ak, ttl)
redis.call('HINCRBY', ck, q .. ':' .. answer, 1)
raise(ck)
return ok({})
