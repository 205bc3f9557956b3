-- pulse.lua: count a teacher's answer to "Hielp het?" for a resolved request
-- of theirs, once per request. Only the count is kept (in the week of the
-- request); the record only remembers that an answer was given, not which.
--
-- KEYS[7] request key
-- ARGV[7] the requester ("mine": platform:handle)
-- ARGV[8] answer: up, down or self
local rk, who, answer = KEYS[7], ARGV[7], ARGV[8]

local r = redis.call('HMGET', rk, 'state', 'mine', 'week', 'pulse')
local state, mine, week, answered = r[1], r[2], r[3], r[4]

if not state then return {'not_found'} end
if mine ~= who then return {'not_yours'} end
if state ~= 'resolved' then return {'closed'} end
if present(answered) then return {'duplicate'} end

redis.call('HSET', rk, 'pulse', '1')
tally(rk, 'pulse:' .. answer)
return ok({})
