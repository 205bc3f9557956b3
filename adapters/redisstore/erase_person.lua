-- Takes a person out of one request record (privacy erase). KEYS[1] the
-- record, KEYS[2] its note, KEYS[3] the person's index of open requests,
-- KEYS[4] its closing note (kept in the record by earlier versions).
-- ARGV[1] the person's identity (platform:handle, lower case), ARGV[2]
-- their helper id ('' for none). Returns {asked, helped} (1 or 0 each), or
-- {'open'} and changes nothing when the request is still open.
local rk, who, helper = KEYS[1], ARGV[1], ARGV[2]
local raw = redis.call('HGETALL', rk)
if #raw == 0 then return {0, 0} end
local r = {}
for i = 1, #raw, 2 do r[raw[i]] = raw[i + 1] end
local function ident(platform, handle)
  if (platform or '') == '' or (handle or '') == '' then return '' end
  return platform .. ':' .. string.lower(handle)
end
local asked = r.mine == who or ident(r.rq_platform, r.rq_handle) == who
local picked = ident(r.picked_platform, r.picked_handle) == who
local tried = {}
local wasTried = false
for id in string.gmatch(r.tried or '', '[^,]+') do
  if helper ~= '' and id == helper then wasTried = true else tried[#tried + 1] = id end
end
local helped = picked or (helper ~= '' and (r.helper == helper or wasTried))
if not asked and not helped then return {0, 0} end
if r.state == 'offered' or r.state == 'accepted' or r.state == 'escalated' or r.state == 'held' then return {'open'} end
if asked then
  redis.call('HSET', rk, 'rq_platform', '', 'rq_handle', '', 'rq_name', '', 'mine', '', 'mine_key', '')
  redis.call('HDEL', rk, 'note')
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], r.id)
end
if helped then
  if helper ~= '' and r.helper == helper then
    redis.call('HSET', rk, 'helper', '')
    redis.call('HDEL', rk, 'done_note')
    redis.call('DEL', KEYS[4])
  end
  if wasTried then redis.call('HSET', rk, 'tried', table.concat(tried, ',')) end
  if picked then redis.call('HSET', rk, 'picked_platform', '', 'picked_handle', '', 'picked_name', '') end
end
return {asked and 1 or 0, helped and 1 or 0}
