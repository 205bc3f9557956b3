-- retry.lua: try a message again at ARGV[2] (ms), if this worker still
-- holds the lease ending at ARGV[3] (ms): after a failed delivery, or, with
-- ARGV[4] '1', to hand back one this process took but never tried (its
-- attempts are reset, so the next is counted its first). The message stays
-- in the queue it was in.
-- KEYS[1] urgent queue, KEYS[2] queue, KEYS[3] attempts; ARGV[1] key
for q = 1, 2 do
  local score = redis.call('ZSCORE', KEYS[q], ARGV[1])
  if score then
    if tonumber(score) ~= tonumber(ARGV[3]) then return 0 end
    redis.call('ZADD', KEYS[q], ARGV[2], ARGV[1])
    if ARGV[4] == '1' then redis.call('HDEL', KEYS[3], ARGV[1]) end
    return 1
  end
end
return 0
