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

local no = addtheme(tk, ck, theme, cid, ttl)
if not no then return {'duplicate'} end
return ok({tostring(no)})
