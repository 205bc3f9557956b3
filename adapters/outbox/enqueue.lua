-- enqueue.lua: queue one message for delivery, once per key.
-- KEYS[1] its queue, urgent or not (zset: key → when to try next, ms)
-- KEYS[2] messages (hash: key → payload)
-- KEYS[3] done marker of this key (string; set when delivered)
-- ARGV[1] key, ARGV[2] payload, ARGV[3] now (ms)
-- Returns 1 when queued, 0 when the key is queued or delivered already.
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
