-- prune_deadlines.lua: drop deadlines of requests whose record expired while
-- offered (no sweeper ran for the whole retention). Such an entry could never
-- be moved on and would keep coming back as due.
--
-- KEYS[1] deadlines key
-- ARGV[7..] request ids
local n = 0
for i = 7, #ARGV do
  if redis.call('EXISTS', reqkey(ARGV[i])) == 0 then
    n = n + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return ok({tostring(n)})
