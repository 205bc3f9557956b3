-- enqueue.lua: queue one message for delivery, once per key.
-- KEYS[1] its queue, urgent or not (zset: key → when to try next, ms)
-- KEYS[2] messages (hash: key → payload)
-- KEYS[3] done marker of this key (string; set when delivered)
-- KEYS[4] attempts (hash: key → tries)
-- ARGV[1] key, ARGV[2] payload, ARGV[3] when to try (ms)
-- ARGV[4] '1': the queuing process delivers it itself at once, so this is
--         its first attempt and ARGV[3] is the end of its lease (as after a
--         claim, claim.lua); '0': due at ARGV[3] for whoever claims it.
-- Returns 1 when queued, 0 when the key is queued or delivered already.
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
if ARGV[4] == '1' then redis.call('HSET', KEYS[4], ARGV[1], 1) end
return 1
