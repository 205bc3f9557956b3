-- migrate_helpers.lua: move helper states kept the older way, one hash per
-- helper (<prefix>:{<school>}:helper:<id>), into the school's helpers hash,
-- so an upgrade keeps who is engaged and who is away. A state already in the
-- helpers hash wins (a newer process wrote it). Idempotent.
--
-- KEYS[1] the school's helper states
-- ARGV[7..] the school's helper ids
local moved = 0
for i = 7, #ARGV do
  local id = ARGV[i]
  local old = base .. 'helper:' .. id
  if redis.call('EXISTS', old) == 1 then
    local h = redis.call('HMGET', old, 'status', 'until', 'engaged', 'last')
    if redis.call('HEXISTS', helperskey, id) == 0 then
      sethelper(id, 'status', h[1] or '', 'until', h[2] or '', 'engaged', h[3] or '', 'last', h[4] or '')
    end
    redis.call('DEL', old)
    moved = moved + 1
  end
end
return ok({moved})
