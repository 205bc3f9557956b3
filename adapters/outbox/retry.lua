-- retry.lua: a delivery failed; try again at ARGV[2] (ms), if this worker
-- still holds the lease ending at ARGV[3] (ms).
-- KEYS[1] queue; ARGV[1] key
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
