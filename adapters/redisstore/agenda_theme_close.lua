-- agenda_theme_close.lua: take theme number ARGV[7] off the kernteam's
-- agenda, and answer it as it was.
--
-- KEYS[7] the agenda's themes: base .. 'agenda:themes'
-- KEYS[8] the consults on it: base .. 'agenda:consults'
-- ARGV[7] the theme's number
local tk, ck, no = KEYS[7], KEYS[8], ARGV[7]

local theme = redis.call('HGET', tk, no)
if not theme then return {'not_found'} end
redis.call('HDEL', tk, no)
local cs = redis.call('HGETALL', ck)
for i = 1, #cs, 2 do
  if cs[i + 1] == no then redis.call('HDEL', ck, cs[i]) end
end
return ok({theme})
