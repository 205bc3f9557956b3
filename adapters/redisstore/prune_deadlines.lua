-- prune_deadlines.lua: drop deadlines of requests whose record expired while
-- offered (no sweeper ran for the whole retention). Such an entry could never
-- be moved on and would keep coming back as due.
--
-- KEYS[7] deadlines key
-- KEYS[8..] the records of the requests (req:<ARGV[i]>)
-- ARGV[7..] request ids, in the order of their records
local n = 0
for i = 7, #ARGV do
  if redis.call('EXISTS', KEYS[i + 1]) == 0 then
    n = n + redis.call('ZREM', KEYS[7], ARGV[i])
  end
end
return ok({tostring(n)})
