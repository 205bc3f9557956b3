-- set_status.lua: set a helper's availability and report the request they
-- are engaged in, so the caller can pass on an offer the helper holds.
--
-- KEYS[1] helper key
-- ARGV[4] status
-- ARGV[5] until ms, '' when the status does not lapse
local hk, status, untl = KEYS[1], ARGV[4], ARGV[5]

redis.call('HSET', hk, 'status', status)
if untl == '' then redis.call('HDEL', hk, 'until') else redis.call('HSET', hk, 'until', untl) end

local engaged = redis.call('HGET', hk, 'engaged')
if not present(engaged) then return {'ok', ''} end
if redis.call('EXISTS', reqkey(engaged)) == 0 then
  -- The request expired (retention) while the helper still held it, e.g. it
  -- was never resolved. Nothing else would ever free the helper.
  redis.call('HDEL', hk, 'engaged')
  return {'ok', ''}
end
return {'ok', engaged}
