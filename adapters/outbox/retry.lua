-- retry.lua: a delivery failed; try again at ARGV[2] (ms), if this worker
-- still holds the lease ending at ARGV[3] (ms). The message stays in the
-- queue it was in.
-- KEYS[1] urgent queue, KEYS[2] queue; ARGV[1] key
for q = 1, 2 do
  local score = redis.call('ZSCORE', KEYS[q], ARGV[1])
  if score then
    if tonumber(score) ~= tonumber(ARGV[3]) then return 0 end
    redis.call('ZADD', KEYS[q], ARGV[2], ARGV[1])
    return 1
  end
end
return 0
