-- Moves the closing note an earlier version kept in a request record
-- (field done_note, for the record's whole retention) to its own key, to
-- be erased a grace after the request closed, like the note; one whose
-- grace has passed (or whose record has no close time) is erased now.
-- KEYS[1] the record, KEYS[2] its closing note's key (donenote:<id>).
-- ARGV[1] now (ms), ARGV[2] grace (ms). Returns 1 when it erased the
-- field, 2 when it moved it to its key, 0 when there was none.
local rk, dk = KEYS[1], KEYS[2]
local r = redis.call('HMGET', rk, 'done_note', 'closed')
local note, closed = r[1], tonumber(r[2])
if not note then return 0 end
redis.call('HDEL', rk, 'done_note')
if note == '' or not closed then return 1 end
local left = closed + tonumber(ARGV[2]) - tonumber(ARGV[1])
local ttl = redis.call('PTTL', rk)
if ttl > 0 and ttl < left then left = ttl end
if left < 1 then return 1 end
redis.call('SET', dk, note, 'PX', left, 'NX')
return 2
