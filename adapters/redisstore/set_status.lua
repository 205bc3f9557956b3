-- set_status.lua: set a helper's availability and report the request they
-- are engaged in, so the caller can pass on an offer the helper holds.
--
-- A person's status holds at every school they help at: one state.
--
-- ARGV[7] status
-- ARGV[8] until ms, '' when the status does not lapse
-- ARGV[9] the helper's person
-- Answers ok() with the request engaged in and its school ('' for this
-- school alone, or in a pool of several the school's id), or '', ''.
local status, untl, hp = ARGV[7], ARGV[8], ARGV[9]
if late() then return {'too_late'} end

sethelper(hp, 'status', status, 'until', untl)

local st = helperstate(hp)
if not present(st.engaged) then return ok({'', ''}) end
if redis.call('EXISTS', schoolbase(st.school) .. 'req:' .. st.engaged) == 0 then
  -- The request expired (retention) while the helper still held it, e.g. it
  -- was never resolved. Nothing else would ever free the helper.
  sethelper(hp, 'engaged', '')
  return ok({'', ''})
end
return ok({st.engaged, st.school})
