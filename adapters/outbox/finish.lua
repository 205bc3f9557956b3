-- finish.lua: a message was delivered (or will never be): forget it, and
-- remember the key of a message queued whole for ARGV[2] ms so a repeated
-- enqueue of it is ignored. A notice (key n/…) needs no such memory: its
-- change happens once, so it is never queued again.
-- KEYS[1] the lane it is in (urgent or queue), KEYS[2] the other lane,
-- KEYS[3] messages, KEYS[4] attempts, KEYS[5] done marker
-- ARGV[1] key, ARGV[2] how long to remember it (ms), ARGV[3] lease end the
-- finisher holds (ms): a worker whose lease ran out and was taken over by
-- another must not finish the other's work.
local lane = KEYS[1]
local score = redis.call('ZSCORE', lane, ARGV[1])
if not score then
  lane = KEYS[2]
  score = redis.call('ZSCORE', lane, ARGV[1])
end
if not score or tonumber(score) ~= tonumber(ARGV[3]) then return 0 end
redis.call('ZREM', lane, ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if string.sub(ARGV[1], 1, 2) ~= 'n/' then
  redis.call('SET', KEYS[5], '1', 'PX', ARGV[2])
end
return 1
