-- lib.lua is prepended to every script of this package (see scripts.go).
--
-- Keys. Every key a script touches lives in one Redis Cluster slot: the
-- slot of the school's pool (see layout.go: schools joined by a helper they
-- share keep their keys together, so one step can see and change a person
-- at every school of theirs). The caller declares in KEYS every key it can
-- name; what only the data names — the record of the request a helper is
-- engaged in, the requests an index lists, the week counters of a request
-- found so — is derived here from the school's base (ARGV[1]), in the slot
-- of the declared keys. The keys every script gets first:
--   KEYS[1] the pool's helpers hash (one state per person)
--   KEYS[2] the operation's key (base .. 'op:' .. opid; 'op:' when none)
--   KEYS[3] the school's outbox messages   KEYS[4] its urgent lane
--   KEYS[5] its other lane                 KEYS[6] its attempts
--   KEYS[7..] the script's own
--
-- Times are unix milliseconds given by the caller (never Redis TIME), so tests
-- can move time — except the not-after guard below, which must know when
-- the script really runs. Large numbers are stored as the strings the caller
-- passed: Lua numbers are doubles, and Redis and miniredis print them
-- differently.
--
-- Every script checks everything before its first write: a failing check
-- returns {code} and leaves the data untouched (create_offer.lua's
-- 'duplicate' is followed by the stored record). Success returns ok(...):
-- 'ok', the number n of notices this call leased to the caller, n pairs of
-- outbox key and notice, then what the script answers (for request scripts
-- the request record as field, value pairs).
--
-- The arguments every script takes first:
--   ARGV[1] the school's key base: "<prefix>:{<school>}:" for a school
--           alone, "<prefix>:{pool.<id>}:<school>:" in a pool of several
--   ARGV[2] now (ms)       ARGV[3] statistics TTL (ms)
--   ARGV[4] lease end (ms) for the notices this change owes, when the
--           calling process delivers them itself at once; '' leaves them due
--           now for whichever process claims them
--   ARGV[5] not after (ms, Redis's clock): a script that starts later
--           refuses with 'too_late' and writes nothing; '' for no limit
--   ARGV[6] operation id: a repeat of the same operation (its answer was
--           lost) answers as the first did; '' for none
local base = ARGV[1]
local nowms = ARGV[2]
local now = tonumber(nowms)
local statsttl = ARGV[3]
local leaseend, notafter, opid = ARGV[4], ARGV[5], ARGV[6]

-- The pool's own keys start with poolbase; a school alone is its pool
-- (base == poolbase). myschool is the school's id in a pool of several,
-- '' alone: what a person's state records as the school of a request.
local helperskey = KEYS[1]
local poolbase = string.sub(helperskey, 1, -8) -- without 'helpers'
local myschool = ''
if base ~= poolbase then myschool = string.sub(base, #poolbase + 1, -2) end

-- schoolbase is the key base of a school of the pool ('' for this one).
local function schoolbase(sc)
  if sc == '' or sc == myschool or base == poolbase then return base end
  return poolbase .. sc .. ':'
end

local function reqkey(id) return base .. 'req:' .. id end

-- A request's note lives in a key of its own, base .. 'note:' .. id, not in
-- the record: it expires a grace after the request closes (closenote),
-- while the record lives the whole retention. A record written before keeps
-- its note in its field 'note' until it closes.
local function notekey(id) return base .. 'note:' .. id end

-- The helper's closing note ("/hulp klaar <note>") lives like the note, in
-- a key of its own, base .. 'donenote:' .. id, set when the request closes
-- and erased a grace after. A record written before keeps it in its field
-- 'done_note' until the migration at start (MigrateDoneNotes) moves it.
local function donenotekey(id) return base .. 'donenote:' .. id end

-- setdonenote keeps the closing note of request rid (record rk) for grace
-- ms from the close, never longer than the record.
local function setdonenote(rid, rk, note, grace)
  if note == '' then return end
  local ttl, keep = redis.call('PTTL', rk), tonumber(grace)
  if ttl > 0 and ttl < keep then keep = ttl end
  redis.call('SET', donenotekey(rid), note, 'PX', keep)
end

-- record is a request record as field, value pairs, with its note and
-- closing note: read from their keys, after the record's own fields (a
-- reader takes the last).
local function record(rk)
  local out = redis.call('HGETALL', rk)
  for i = 1, #out, 2 do
    if out[i] == 'id' then
      local id = out[i + 1]
      local note = redis.call('GET', notekey(id))
      if note then
        out[#out + 1] = 'note'
        out[#out + 1] = note
      end
      local done = redis.call('GET', donenotekey(id))
      if done then
        out[#out + 1] = 'done_note'
        out[#out + 1] = done
      end
      break
    end
  end
  return out
end

-- An operation seen before (its answer was lost on the way back): 'replay'
-- and the request it changed, as it stands, with nothing changed again.
local opkey = KEYS[2]
if opid ~= '' then
  local done = redis.call('GET', opkey)
  if done then
    local out = record(done)
    table.insert(out, 1, 'replay')
    return out
  end
end

-- late is the guard for a person who waits for the answer: once the caller
-- may have told them "kan nu niet", a script that reaches Redis late (Redis
-- stalled, the command sat in a buffer) must not change anything. A script
-- calls it before its first write, after what answers a repeat (the replay
-- above, create_offer.lua's duplicate): a late repeat of an operation that
-- did happen must learn so.
local function late()
  if notafter == '' then return false end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(notafter)
end

-- The outbox (adapters/outbox reads it; its package doc has the layout):
-- a change records what it owes to whom in the same step, so either a change
-- happens with every notice it owes queued, or nothing happens.
local omsg, ourgent, oqueue, otries = KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local told = {}

-- tell queues one notice: what to tell whom about which request, without
-- words (they are rendered at delivery, from the request as it stands then,
-- in the recipient's language). to is 'requester', 'channel' or
-- 'helper:<id>'; helper and prev name the helpers the notice is about.
-- The same notice (key) is queued once: a request goes through each of its
-- states once, so a change never owes a notice delivered before. The key
-- names the recipient by role only ('helper', not the id, which is often a
-- slug of a name): it names Redis keys (outbox:done:<key>), and of one kind
-- at one offer a request tells one helper at most.
local function tell(kind, rid, offerno, to, helper, prev, reason, urgent)
  local key = 'n/' .. rid .. '/' .. kind .. '/' .. offerno .. '/' .. (string.gsub(to, ':.*', ''))
  local notice = table.concat({'notice', kind, rid, offerno, to, helper or '', prev or '', reason or ''}, '|')
  if redis.call('HSETNX', omsg, key, notice) == 0 then return end
  local lane = urgent and ourgent or oqueue
  if leaseend ~= '' then
    -- Leased to the calling process, which delivers it at once (as after
    -- a claim: first attempt, due again when the lease ends).
    redis.call('ZADD', lane, leaseend, key)
    redis.call('HSET', otries, key, 1)
    told[#told + 1] = key
    told[#told + 1] = notice
  else
    redis.call('ZADD', lane, nowms, key)
  end
end

-- ok is a successful answer: the notices leased to the caller, then rest.
local function ok(rest)
  local out = {'ok', #told / 2}
  for _, v in ipairs(told) do out[#out + 1] = v end
  for _, v in ipairs(rest) do out[#out + 1] = v end
  return out
end


-- Helper states live in one hash per pool, KEYS[1]: field the person (a
-- helper id for a school alone, else school/helper of their first entry;
-- the caller maps a helper to it), value 'status|until|engaged|last|school'
-- (empty parts for none): school is the school of the engaged request in a
-- pool of several ('' alone; a value of four parts was written before
-- pools). One hash so routing reads every candidate with one HMGET, and
-- one state per person, so a helper at two schools is never engaged twice.
local function unpackstate(v)
  local st = {status = '', ['until'] = '', engaged = '', last = '', school = ''}
  if v then
    local a, b, c, d, e = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
    if not a then
      a, b, c, d = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
      e = ''
    end
    if a then st.status, st['until'], st.engaged, st.last, st.school = a, b, c, d, e end
  end
  return st
end

local function helperstate(p) return unpackstate(redis.call('HGET', helperskey, p)) end

-- sethelper changes fields of a person's state: field, value pairs; ''
-- clears. Setting 'engaged' records this school with it.
local function sethelper(p, ...)
  local st = helperstate(p)
  for i = 1, select('#', ...), 2 do
    local f, v = (select(i, ...)), (select(i + 1, ...))
    st[f] = v
    if f == 'engaged' then st.school = (v ~= '' and myschool or '') end
  end
  if st.status == '' and st['until'] == '' and st.engaged == '' and st.last == '' then
    redis.call('HDEL', helperskey, p)
  else
    redis.call('HSET', helperskey, p, st.status .. '|' .. st['until'] .. '|' .. st.engaged .. '|' .. st.last .. '|' .. st.school)
  end
end

-- engagedhere is the request person p is engaged in when it is one of this
-- school's (nil otherwise): a command at one school acts on that school's
-- requests; the buttons of an offer carry their school.
local function engagedhere(p)
  local st = helperstate(p)
  if st.engaged == '' then return nil end
  if schoolbase(st.school) ~= base then return nil end
  return st.engaged
end

-- isengagedin reports whether person p is engaged in request rid of this
-- school.
local function isengagedin(p, rid)
  local st = helperstate(p)
  return st.engaged == rid and schoolbase(st.school) == base
end

-- personof is the person of a request's helper: the record keeps it
-- (field person) since pools; a record written before has none, and its
-- school was alone, where the person is the helper id.
local function personof(recperson, helper)
  if recperson and recperson ~= '' then return recperson end
  return helper
end

-- present: a hash field that exists and is not empty (a missing field reads
-- as false).
local function present(v) return v ~= false and v ~= nil and v ~= '' end

-- nonempty is the field, value pairs of f without the empty values: a new
-- record stores only what it has.
local function nonempty(f)
  local out = {}
  for i = 1, #f, 2 do
    if f[i + 1] ~= '' then
      out[#out + 1] = f[i]
      out[#out + 1] = f[i + 1]
    end
  end
  return out
end

-- mineindex is the key of the index of a requester's active requests: named
-- by the requester's pseudonym (a record's mine_key), never by a handle. A
-- record written before pseudonyms has only mine, its requester's
-- platform:handle; the migration at start renamed that index (and set
-- mine_key on the records it lists), so the old name is a key that is gone.
-- closenote erases a request's note grace ms from now (sooner when it
-- would expire sooner anyway): its request is closed — resolved, cancelled,
-- or taken from the fallback channel — and the note is needed a little
-- longer only for the messages that still carry it. A note kept in the
-- record by an earlier version moves to its key first.
local function closenote(rid, rk, grace)
  local nk = notekey(rid)
  local old = redis.call('HGET', rk, 'note')
  if old then
    redis.call('HDEL', rk, 'note')
    if old ~= '' then redis.call('SET', nk, old, 'NX') end
  end
  local ttl = redis.call('PTTL', nk)
  if ttl == -2 then return end
  if ttl < 0 or ttl > tonumber(grace) then redis.call('PEXPIRE', nk, grace) end
end

-- QUESTION_KEEP (ms) is how long a consult's question is kept once it is
-- answered or on the kernteam's agenda: a week to meet about it. A consult
-- often stays answered without anyone closing it; its question should not
-- live the record's whole retention for that.
local QUESTION_KEEP = 7 * 24 * 3600 * 1000

-- keepquestion erases a consult's question QUESTION_KEEP from now, or
-- sooner when it would go sooner anyway (closing still erases it a grace
-- after).
local function keepquestion(rid, rk) closenote(rid, rk, QUESTION_KEEP) end

-- hasnote: the request has a note (in its key, or in an earlier version's
-- record).
local function hasnote(rid, rk)
  return redis.call('EXISTS', notekey(rid)) == 1 or present(redis.call('HGET', rk, 'note'))
end

local function mineindex(mine, minekey)
  if present(minekey) then return base .. 'mine:' .. minekey end
  if present(mine) then return base .. 'mine:' .. mine end
  return nil
end

local function active(state)
  return state == 'offered' or state == 'accepted' or state == 'escalated'
end

-- raise gives a statistics key statsttl to live, unless it has longer:
-- statistics are never cut short by a shorter setting (a key without a
-- TTL, just made, gets one).
local function raise(k)
  if redis.call('PTTL', k) < tonumber(statsttl) then redis.call('PEXPIRE', k, statsttl) end
end

-- tally adds 1 to counters of the week and of the calendar month of the
-- request at rk (its fields week and month, both in the school's time
-- zone); a nil counter is skipped. Each period's counters live statsttl after their last change; a
-- month is noted in the school's months set, so the school years with
-- figures can be listed without a scan. A record from before months were
-- counted has only its week. No names or notes go in here, only counts.
local function tally(rk, ...)
  local r = redis.call('HMGET', rk, 'week', 'month')
  local ks = {}
  if present(r[1]) then ks[#ks + 1] = base .. 'week:' .. r[1] end
  if present(r[2]) then ks[#ks + 1] = base .. 'month:' .. r[2] end
  for _, k in ipairs(ks) do
    for i = 1, select('#', ...) do
      local c = (select(i, ...))
      if c then redis.call('HINCRBY', k, c, 1) end
    end
    raise(k)
  end
  if present(r[2]) then
    local mk = base .. 'months'
    redis.call('SADD', mk, r[2])
    raise(mk)
  end
end

-- sentfrom is when the request at rk went out to helpers (ms): its
-- release when it was held (a held request reached nobody before), else
-- its creation. Waits count from it.
local function sentfrom(rk)
  local r = redis.call('HMGET', rk, 'released', 'created')
  if present(r[1]) then return tonumber(r[1]) end
  return tonumber(r[2])
end

-- waited keeps how long the requester of the request at rk waited for
-- someone to take it (ms, from sentfrom to now), in the lists of its week
-- and month: the wait only, no names.
local function waited(rk)
  local ms = now - sentfrom(rk)
  local r = redis.call('HMGET', rk, 'week', 'month')
  for _, p in ipairs({r[1], r[2]}) do
    if present(p) then
      local k = base .. 'tta:' .. p
      redis.call('RPUSH', k, string.format('%.0f', ms))
      raise(k)
    end
  end
end

-- intime is the counter of an acceptance within the first offer's time
-- (the record's first_due), or nil.
local function intime(rk)
  local due = redis.call('HGET', rk, 'first_due')
  if present(due) and now <= tonumber(due) then return 'accepted_in_time' end
  return nil
end

-- reply is ok() with the request record; an operation id is remembered
-- for two minutes, so its repeat answers the same.
local function reply(rk)
  if opid ~= '' then redis.call('SET', opkey, rk, 'PX', 120000) end
  return ok(record(rk))
end

-- before is time.Time.Before for last-assigned times: never assigned (nil)
-- is the zero time, before any real time.
local function before(a, b)
  if a == nil then return b ~= nil end
  if b == nil then return false end
  return a < b
end

-- choose is bot.Choose (bot/routing.go), run where helper states cannot
-- change under it. Candidates are ARGV[first..] as id, person, rank triples
-- in list order. Skipped: tried helpers, people engaged in a request (at
-- any school of the pool), and people whose status is not available unless
-- it lapsed (until <= now). Among the rest: lowest rank, then least
-- recently assigned (at any school), then first in the list. Returns the
-- helper id and their person.
local function choose(first, tried)
  local ids, people = {}, {}
  for i = first, #ARGV - 2, 3 do
    ids[#ids + 1] = ARGV[i]
    people[#people + 1] = ARGV[i + 1]
  end
  if #ids == 0 then return nil end
  local states = redis.call('HMGET', helperskey, unpack(people))
  local best, bestp, bestrank, bestlast
  for k, id in ipairs(ids) do
    local rank = tonumber(ARGV[first + 3 * (k - 1) + 2])
    if not tried[id] then
      local h = unpackstate(states[k])
      local status, untl = h.status, h['until']
      local available = not present(status) or status == 'available'
          or (present(untl) and tonumber(untl) <= now)
      if available and not present(h.engaged) then
        local last = nil
        if present(h.last) then last = tonumber(h.last) end
        if best == nil or rank < bestrank or (rank == bestrank and before(last, bestlast)) then
          best, bestp, bestrank, bestlast = id, people[k], rank, last
        end
      end
    end
  end
  return best, bestp
end

-- offer gives request rid to helper pick (person p): the person is engaged
-- from now on and counts as assigned now; the offer's deadline goes in the
-- school's deadlines set dk for the sweeper.
local function offer(rid, p, dk, deadline)
  sethelper(p, 'engaged', rid, 'last', nowms)
  redis.call('ZADD', dk, deadline, rid)
end

-- place sends a stored request out for the first time: offered to the
-- helper choose picks among the candidates ARGV[first..] (id, person, rank
-- triples), or escalated to the fallback channel when nobody can be picked;
-- its first notice queued; dk is the school's deadlines. The routing of a
-- new request (create_offer.lua) and of a held one let go (release.lua).
-- counters gets what the week counts of it; the pick (nil when escalated)
-- is returned.
local function place(rk, id, first, dk, deadline, counters)
  local pick, person = choose(first, {})
  if #ARGV < first then counters[#counters + 1] = 'no_cover' end
  if pick then
    redis.call('HSET', rk, 'state', 'offered', 'helper', pick, 'person', person, 'offer_no', '1', 'tried', pick,
      'deadline', deadline, 'first_due', deadline)
    offer(id, person, dk, deadline)
    tell('offer', id, 1, 'helper:' .. pick, pick, '', '', true)
    counters[#counters + 1] = 'offers'
  else
    redis.call('HSET', rk, 'state', 'escalated', 'offer_no', '0', 'first_due', deadline)
    redis.call('HDEL', rk, 'deadline')
    redis.call('ZREM', dk, id)
    tell('escalated', id, 0, 'channel', '', '', '', true)
    counters[#counters + 1] = 'escalated'
  end
  return pick
end

-- addtheme puts a theme on the kernteam's agenda (tk: base ..
-- 'agenda:themes', number → JSON) under the lowest free number, so the
-- numbers people type stay small; a consult's theme (cid) is there once
-- (ck: base .. 'agenda:consults'). It returns the number, or nil when the
-- consult's theme is there already.
local function addtheme(tk, ck, theme, cid, ttl)
  if cid ~= '' and redis.call('HEXISTS', ck, cid) == 1 then return nil end
  local no = 1
  while redis.call('HEXISTS', tk, tostring(no)) == 1 do no = no + 1 end
  redis.call('HSET', tk, tostring(no), theme)
  redis.call('PEXPIRE', tk, ttl)
  if cid ~= '' then
    redis.call('HSET', ck, cid, tostring(no))
    redis.call('PEXPIRE', ck, ttl)
  end
  return no
end
