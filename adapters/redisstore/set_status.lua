-- set_status.lua: set a helper's availability and report the request they
-- are engaged in, so the caller can pass on an offer the helper holds.
--
-- KEYS[1] the school's helper states (routes the call to its slot)
-- ARGV[7] status
-- ARGV[8] until ms, '' when the status does not lapse
-- ARGV[9] helper id
local status, untl, hid = ARGV[7], ARGV[8], ARGV[9]
if late() then return {'too_late'} end

sethelper(hid, 'status', status, 'until', untl)

local engaged = helperstate(hid).engaged
if not present(engaged) then return ok({''}) end
if redis.call('EXISTS', reqkey(engaged)) == 0 then
  -- The request expired (retention) while the helper still held it, e.g. it
  -- was never resolved. Nothing else would ever free the helper.
  sethelper(hid, 'engaged', '')
  return ok({''})
end
return ok({engaged})
