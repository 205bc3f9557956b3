-- lib.lua is prepended to every script of this package (see scripts.go).
--
-- Keys: every key of one school starts with base = "<prefix>:{<school>}:".
-- The hash tag {<school>} puts all of them in one Redis Cluster slot, so a
-- script builds the keys of its school from base (ARGV[1]); KEYS[1] is one
-- key of that school, passed so the call is routed to the node of the slot.
--
-- Times are unix milliseconds given by the caller (never Redis TIME), so tests
-- can move time. Large numbers are stored as the strings the caller passed:
-- Lua numbers are doubles, and Redis and miniredis print them differently.
--
-- Every script checks everything before its first write: a failing check
-- returns {code} and leaves the data untouched (create_offer.lua's
-- 'duplicate' is followed by the stored record). Success returns 'ok' and, for
-- request scripts, the request record as field, value pairs.
local base = ARGV[1]
local nowms = ARGV[2]
local now = tonumber(nowms)
local statsttl = ARGV[3]

local function reqkey(id) return base .. 'req:' .. id end
local function helperkey(id) return base .. 'helper:' .. id end

-- present: a hash field that exists and is not empty (a missing field reads
-- as false).
local function present(v) return v ~= false and v ~= nil and v ~= '' end

local function active(state)
  return state == 'offered' or state == 'accepted' or state == 'escalated'
end

-- count adds 1 to counters of a week; the week's statistics live 400 days
-- after their last change. No names or notes go in here, only counts.
local function count(week, ...)
  local k = base .. 'week:' .. week
  for i = 1, select('#', ...) do
    redis.call('HINCRBY', k, (select(i, ...)), 1)
  end
  redis.call('PEXPIRE', k, statsttl)
end

-- reply is 'ok' followed by the request record.
local function reply(rk)
  local out = redis.call('HGETALL', rk)
  table.insert(out, 1, 'ok')
  return out
end

-- before is time.Time.Before for last-assigned times: never assigned (nil)
-- is the zero time, before any real time.
local function before(a, b)
  if a == nil then return b ~= nil end
  if b == nil then return false end
  return a < b
end

-- choose is bot.Choose (bot/routing.go), run where helper states cannot
-- change under it. Candidates are ARGV[first..] as id, rank pairs in list
-- order. Skipped: tried helpers, helpers engaged in a request, and helpers
-- whose status is not available unless it lapsed (until <= now). Among the
-- rest: lowest rank, then least recently assigned, then first in the list.
local function choose(first, tried)
  local best, bestrank, bestlast
  for i = first, #ARGV - 1, 2 do
    local id, rank = ARGV[i], tonumber(ARGV[i + 1])
    if not tried[id] then
      local h = redis.call('HMGET', helperkey(id), 'status', 'until', 'engaged', 'last')
      local status, untl, engaged = h[1], h[2], h[3]
      local available = not present(status) or status == 'available'
          or (present(untl) and tonumber(untl) <= now)
      if available and not present(engaged) then
        local last = nil
        if present(h[4]) then last = tonumber(h[4]) end
        if best == nil or rank < bestrank or (rank == bestrank and before(last, bestlast)) then
          best, bestrank, bestlast = id, rank, last
        end
      end
    end
  end
  return best
end

-- offer gives request rid to helper pick: the helper is engaged from now on
-- and counts as assigned now; the offer's deadline goes in the school's
-- deadlines set for the sweeper.
local function offer(rid, pick, deadline)
  redis.call('HSET', helperkey(pick), 'engaged', rid, 'last', nowms)
  redis.call('ZADD', base .. 'deadlines', deadline, rid)
end
