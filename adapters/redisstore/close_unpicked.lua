-- close_unpicked.lua: at the end of the school day, close the requests that
-- went to the fallback channel and that nobody there picked up, so none is
-- still open the next morning (or on Monday). In one step per request, as
-- cancel.lua does: the record closed as 'unpicked', out of the indexes,
-- counted, and the requester told (the advice to walk over) and the
-- fallback channel's post told it is over, so its button goes.
--
-- KEYS[7] the school's active requests (zset: request id → created ms)
-- KEYS[8] its follow-ups
-- ARGV[7] cutoff (ms): only requests created before it are closed
-- ARGV[8] grace (ms) after which a closed request's note is erased
-- Answers ok() with the ids of the requests closed.
local ak, fk, cutoff, grace = KEYS[7], KEYS[8], ARGV[7], ARGV[8]
local ids = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', ak, '-inf', '(' .. cutoff)) do
  local rk = reqkey(id)
  local r = redis.call('HMGET', rk, 'state', 'mine', 'mine_key', 'offer_no')
  if r[1] == 'escalated' then
    redis.call('HSET', rk, 'state', 'unpicked', 'closed', nowms)
    redis.call('ZREM', ak, id)
    redis.call('ZREM', fk, id)
    local mk = mineindex(r[2], r[3])
    if mk then redis.call('ZREM', mk, id) end
    closenote(id, rk, grace)
    tally(rk, 'unpicked')
    local offerno = r[4] or '0'
    tell('unpicked', id, offerno, 'requester', '', '', '', false)
    tell('unpicked', id, offerno, 'channel', '', '', '', false)
    ids[#ids + 1] = id
  end
end
return ok(ids)
