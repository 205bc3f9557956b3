-- Takes a person's signature off their signed stories of one week (privacy
-- erase): each entry leaves the week's signed stories and its text joins
-- the week's unsigned ones, so the story stays for the week's post without
-- a name. KEYS[1] the week's signed stories, KEYS[2] its unsigned ones.
-- ARGV pairs: an entry as kept (JSON), its text. An entry gone meanwhile
-- (expired) moves nothing. The unsigned stories live at least as long as
-- the signed ones would have. Returns how many moved.
local signed, plain = KEYS[1], KEYS[2]
local ttl = redis.call('PTTL', signed)
local moved = 0
for i = 1, #ARGV, 2 do
  if redis.call('LREM', signed, 1, ARGV[i]) == 1 then
    redis.call('RPUSH', plain, ARGV[i + 1])
    moved = moved + 1
  end
end
if moved > 0 and ttl > 0 and redis.call('PTTL', plain) < ttl then
  redis.call('PEXPIRE', plain, ttl)
end
return moved
