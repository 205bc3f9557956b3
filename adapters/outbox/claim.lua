-- claim.lua: take up to ARGV[3] messages that are due at ARGV[1] (ms),
-- urgent ones first, and lease them until ARGV[2] (ms): their next try moves
-- to the lease's end, so no other worker takes them while this one
-- delivers. A worker that dies mid-delivery loses its lease and the message
-- is tried again.
-- KEYS[1] urgent queue, KEYS[2] queue (zsets: key → next try, ms)
-- KEYS[3] messages, KEYS[4] attempts (hash: key → tries)
-- ARGV[4] lanes: 1 the urgent queue only, 2 both
-- Returns key, payload, attempt number, ... for each claimed message.
local out = {}
local room = tonumber(ARGV[3])
for q = 1, tonumber(ARGV[4]) do
  if room <= 0 then break end
  local due = redis.call('ZRANGEBYSCORE', KEYS[q], '-inf', ARGV[1], 'LIMIT', 0, room)
  for _, k in ipairs(due) do
    local payload = redis.call('HGET', KEYS[3], k)
    if payload then
      redis.call('ZADD', KEYS[q], ARGV[2], k)
      local n = redis.call('HINCRBY', KEYS[4], k, 1)
      table.insert(out, k)
      table.insert(out, payload)
      table.insert(out, n)
      room = room - 1
    else
      -- A queue entry without its message: nothing to deliver.
      redis.call('ZREM', KEYS[q], k)
      redis.call('HDEL', KEYS[4], k)
    end
  end
end
return out
