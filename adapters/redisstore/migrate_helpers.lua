-- migrate_helpers.lua: move helper states kept the older way, one hash per
-- helper (<base>helper:<id>), into the pool's helpers hash, so an upgrade
-- keeps who is engaged and who is away. A state already in the helpers hash
-- wins (a newer process wrote it). Idempotent.
--
-- KEYS[7..] the old hashes of the school's helpers (helper:<id>)
-- ARGV[7..] the persons of those helpers, in the same order
local moved = 0
for i = 7, #ARGV do
  local p = ARGV[i]
  local old = KEYS[i]
  if redis.call('EXISTS', old) == 1 then
    local h = redis.call('HMGET', old, 'status', 'until', 'engaged', 'last')
    if redis.call('HEXISTS', helperskey, p) == 0 then
      sethelper(p, 'status', h[1] or '', 'until', h[2] or '', 'engaged', h[3] or '', 'last', h[4] or '')
    end
    redis.call('DEL', old)
    moved = moved + 1
  end
end
return ok({moved})
