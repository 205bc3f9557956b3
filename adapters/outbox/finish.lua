-- finish.lua: a message was delivered (or will never be): forget it and
-- remember its key for ARGV[2] ms so a repeated enqueue is ignored.
-- KEYS[1] urgent queue, KEYS[2] queue, KEYS[3] messages, KEYS[4] attempts,
-- KEYS[5] done marker
-- ARGV[1] key, ARGV[2] how long to remember it (ms), ARGV[3] lease end the
-- finisher holds (ms): a worker whose lease ran out and was taken over by
-- another must not finish the other's work.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZSCORE', KEYS[2], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('SET', KEYS[5], '1', 'PX', ARGV[2])
return 1
