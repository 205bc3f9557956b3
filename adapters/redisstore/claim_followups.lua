-- claim_followups.lua: take the follow-ups due at now, each for exactly one
-- caller: the ZREM that claims one is the same step that reads it, so two
-- processes never both tell a requester.
--
-- KEYS[1] followups key (zset: request id → when, ms)
-- ARGV[4] how many at most
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', nowms, 'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(due) do redis.call('ZREM', KEYS[1], id) end
table.insert(due, 1, 'ok')
return due
