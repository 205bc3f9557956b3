-- claim.lua: take up to ARGV[3] messages that are due at ARGV[1] (ms) and
-- lease them until ARGV[2] (ms): their next try moves to the lease's end, so
-- no other worker takes them while this one delivers. A worker that dies
-- mid-delivery loses its lease and the message is tried again.
-- KEYS[1] queue, KEYS[2] messages, KEYS[3] attempts (hash: key → tries)
-- Returns key, payload, attempt number, ... for each claimed message.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, k in ipairs(due) do
  local payload = redis.call('HGET', KEYS[2], k)
  if payload then
    redis.call('ZADD', KEYS[1], ARGV[2], k)
    local n = redis.call('HINCRBY', KEYS[3], k, 1)
    table.insert(out, k)
    table.insert(out, payload)
    table.insert(out, n)
  else
    -- A queue entry without its message: nothing to deliver.
    redis.call('ZREM', KEYS[1], k)
    redis.call('HDEL', KEYS[3], k)
  end
end
return out
