-- agenda_theme_add.lua: put a theme on the kernteam's agenda under the
-- lowest free number, so the numbers people type (/hulp agenda klaar 2)
-- stay small. A consult's theme is there once.
--
-- KEYS[7] the agenda's themes: base .. 'agenda:themes' (number → JSON)
-- KEYS[8] the consults on it: base .. 'agenda:consults' (consult id → number)
-- ARGV[7] the theme as JSON (without its number)
-- ARGV[8] consult id, '' for a theme someone typed
-- ARGV[9] ttl of the themes in ms
local tk, ck, theme, cid, ttl = KEYS[7], KEYS[8], ARGV[7], ARGV[8], ARGV[9]

if cid ~= '' and redis.call('HEXISTS', ck, cid) == 1 then return {'duplicate'} end

local no = 1
while redis.call('HEXISTS', tk, tostring(no)) == 1 do no = no + 1 end
redis.call('HSET', tk, tostring(no), theme)
redis.call('PEXPIRE', tk, ttl)
if cid ~= '' then
  redis.call('HSET', ck, cid, tostring(no))
  redis.call('PEXPIRE', ck, ttl)
end
return ok({tostring(no)})
