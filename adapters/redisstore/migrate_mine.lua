-- migrate_mine.lua: move a requester's index of active requests from the
-- name earlier versions gave it (mine:<platform>:<handle>) to the one named
-- by their pseudonym, merged with whatever a newer process wrote there
-- meanwhile, and mark the records it lists with the pseudonym (mine_key), so
-- that closing them takes them off the new index. Idempotent: the old key is
-- gone afterwards.
--
-- KEYS[7] the index under its old name   KEYS[8] under its new (mine:<ARGV[8]>)
-- ARGV[7] the requester as the records keep them (platform:handle)
-- ARGV[8] the requester's pseudonym
local old, new, who, minekey = KEYS[7], KEYS[8], ARGV[7], ARGV[8]
local entries = redis.call('ZRANGE', old, 0, -1, 'WITHSCORES')
if #entries == 0 then return ok({0}) end
for i = 1, #entries, 2 do
  local id = entries[i]
  redis.call('ZADD', new, entries[i + 1], id)
  local rk = reqkey(id)
  if redis.call('HGET', rk, 'mine') == who then redis.call('HSET', rk, 'mine_key', minekey) end
end
-- The index lives as long as the longer of the two would have.
local ttl = redis.call('PTTL', old)
if ttl > 0 and redis.call('PTTL', new) < ttl then redis.call('PEXPIRE', new, ttl) end
redis.call('DEL', old)
return ok({#entries / 2})
