-- closing.lua: count a helper's answer at closing — the kind of support
-- given, or the outcome — once per request and step. Only the count is
-- kept (in the request's week and month); the record only notes that the
-- step was answered (closing_support, closing_outcome), not how.
--
-- KEYS[7] request key
-- ARGV[7] helper id ('' for a picker who is no helper)
-- ARGV[8] step: 'support', 'outcome' or 'skip' (answers both, counts nothing)
-- ARGV[9] the answer's key ('' for skip)
-- ARGV[10] the picker as platform:handle (lower case), when ARGV[7] is ''
local rk, hid, step, key, picker = KEYS[7], ARGV[7], ARGV[8], ARGV[9], ARGV[10]

local r = redis.call('HMGET', rk, 'state', 'helper', 'closing_support', 'closing_outcome', 'picked_platform', 'picked_handle')
local state, helper = r[1], r[2]

if not state then return {'not_found'} end
if hid ~= '' then
  if helper ~= hid then return {'not_yours'} end
elseif present(helper) or not present(r[5]) or not present(r[6]) or picker == ''
    or r[5] .. ':' .. string.lower(r[6]) ~= picker then
  return {'not_yours'}
end
if state ~= 'resolved' then return {'closed'} end
if step == 'skip' then
  if present(r[3]) and present(r[4]) then return {'duplicate'} end
  redis.call('HSET', rk, 'closing_support', '1', 'closing_outcome', '1')
  return ok({})
end
local flag = step == 'support' and r[3] or r[4]
if present(flag) then return {'duplicate'} end

redis.call('HSET', rk, 'closing_' .. step, '1')
tally(rk, step .. ':' .. key)
return ok({})
