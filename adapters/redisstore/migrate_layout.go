package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// placed is where a school's keys were put, as <prefix>:layout keeps it
// (field: the school): the tag of its pool and the person of each of its
// helpers. A school without an entry was placed by a version before pools:
// alone, each helper their own person.
type placed struct {
	Tag    string            `json:"tag"`
	People map[string]string `json:"people"`
}

// layoutLockTTL bounds how long a process that died while moving keys
// keeps the others from starting theirs.
const layoutLockTTL = 5 * time.Minute

// MigrateLayout moves every school's keys to where the pools of dir put
// them (UsePools), at start, before anything else touches them: a school
// that joins a pool moves from <prefix>:{<school>}: to
// <prefix>:{pool.<id>}:<school>: (and back when it leaves), and the states
// of its helpers to their persons in the pool's helpers hash. Where a
// configuration joins two states into one person, the one engaged in a
// request keeps it, an "away" holds over "available", and the latest
// assignment counts. What was put where is kept at <prefix>:layout, so a
// later start moves only what the configuration changed, and a second run
// moves nothing.
//
// A key is copied and then deleted, which Redis Cluster allows across
// slots; a key that exists at both places (a process of the new
// configuration wrote there already) is merged into the new one. A process
// that dies while it moves leaves some keys at both places: the next start
// merges them again, which repeats only what a list of statistics (times
// to accept, stories) had gained. One
// process moves at a time (a lock); the others wait for it. It logs the
// outcome, counts only; a failure is not fatal, but what did not move is
// not seen until a next start moves it.
func (s *Store) MigrateLayout(ctx context.Context, dir *bot.Directory) error {
	if s.layout == nil {
		s.UsePools(dir)
	}
	keys, people, err := s.migrateLayout(ctx, dir)
	switch {
	case err != nil:
		s.log.Warn("keys not moved to the layout of the configuration's pools", "keys", keys, "people", people, "err", err)
	case keys+people > 0:
		s.log.Info("keys moved to the layout of the configuration's pools", "keys", keys, "people", people)
	}
	return err
}

func (s *Store) migrateLayout(ctx context.Context, dir *bot.Directory) (int, int, error) {
	const op = "redisstore: migrate layout"
	release, err := s.lockLayout(ctx)
	if err != nil {
		return 0, 0, fail(op, err)
	}
	defer release()
	raw, err := s.rdb.HGetAll(ctx, s.prefix+":layout").Result()
	if err != nil {
		return 0, 0, fail(op, err)
	}
	old := map[string]placed{}
	for _, sc := range dir.Schools() {
		p := placed{Tag: sc.ID, People: map[string]string{}}
		if v, ok := raw[sc.ID]; ok {
			if err := json.Unmarshal([]byte(v), &p); err != nil {
				return 0, 0, fmt.Errorf("%s: %s: %w", op, sc.ID, err)
			}
		}
		for _, h := range sc.Helpers {
			if _, ok := p.People[h.ID]; !ok && p.Tag == sc.ID {
				p.People[h.ID] = h.ID // placed before pools
			}
		}
		old[sc.ID] = p
	}

	moved := 0
	for _, sc := range dir.Schools() {
		from, to := s.placedBase(old[sc.ID].Tag, sc.ID), s.lay(sc.ID).base
		if from == to {
			continue
		}
		n, err := s.moveKeys(ctx, from, to)
		moved += n
		if err != nil {
			return moved, 0, fmt.Errorf("%s: %s: %w", op, sc.ID, err)
		}
	}
	people, err := s.movePeople(ctx, dir, old)
	if err != nil {
		return moved, people, fmt.Errorf("%s: %w", op, err)
	}
	if err := s.repointRequests(ctx, dir, old); err != nil {
		return moved, people, fmt.Errorf("%s: %w", op, err)
	}
	now := map[string]any{}
	for _, sc := range dir.Schools() {
		l := s.lay(sc.ID)
		p := placed{Tag: l.tag, People: make(map[string]string, len(sc.Helpers))}
		for _, h := range sc.Helpers {
			p.People[h.ID] = l.person(h.ID)
		}
		if _, ok := raw[sc.ID]; ok && old[sc.ID].Tag == p.Tag && maps.Equal(old[sc.ID].People, p.People) {
			continue
		}
		b, _ := json.Marshal(p)
		now[sc.ID] = string(b)
	}
	if len(now) > 0 {
		if err := s.rdb.HSet(ctx, s.prefix+":layout", now).Err(); err != nil {
			return moved, people, fail(op, err)
		}
	}
	return moved, people, nil
}

// lockLayout takes the lock of the layout's migration, waiting while
// another process holds it.
func (s *Store) lockLayout(ctx context.Context) (func(), error) {
	k := s.prefix + ":layout:lock"
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	for {
		ok, err := s.rdb.SetNX(ctx, k, token, layoutLockTTL).Result()
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	return func() {
		// Only our own lock: one that ran out may be another's now.
		_ = unlockScript.Run(context.WithoutCancel(ctx), s.rdb, []string{k}, token).Err()
	}, nil
}

var unlockScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`)

// placedBase is the key base of school in the pool tagged tag.
func (s *Store) placedBase(tag, school string) string {
	if tag == school {
		return s.prefix + ":{" + tag + "}:"
	}
	return s.prefix + ":{" + tag + "}:" + school + ":"
}

// placedPool is the base of the pool's own keys.
func (s *Store) placedPool(tag string) string { return s.prefix + ":{" + tag + "}:" }

// moveKeys moves every key that starts with from to the same name after
// to; the helpers hash of a school alone stays (movePeople moves states).
func (s *Store) moveKeys(ctx context.Context, from, to string) (int, error) {
	var keys []string
	if err := s.scan(ctx, globEscape(from)+"*", func(k string) { keys = append(keys, k) }); err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		rest := strings.TrimPrefix(k, from)
		if rest == "helpers" {
			continue
		}
		ok, err := s.moveKey(ctx, k, to+rest)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// moveKey moves one key, with its time to live, merging it into one that
// exists at to already (to's own entries and time to live win). It copies
// by type rather than by DUMP and RESTORE, which the embedded Redis of the
// demo lacks. It reports whether there was anything to move.
func (s *Store) moveKey(ctx context.Context, from, to string) (bool, error) {
	ttl, err := s.rdb.PTTL(ctx, from).Result()
	if err != nil {
		return false, err
	}
	if ttl == -2 || ttl == -2*time.Millisecond {
		return false, nil // expired meanwhile
	}
	had, err := s.rdb.Exists(ctx, to).Result()
	if err != nil {
		return false, err
	}
	if err := s.copyKey(ctx, from, to); err != nil {
		return false, err
	}
	if had == 0 && ttl > 0 {
		if err := s.rdb.PExpire(ctx, to, ttl).Err(); err != nil {
			return false, err
		}
	}
	return true, s.rdb.Del(ctx, from).Err()
}

// copyKey adds what from holds to to: to's own entries win (a field,
// member or string it has already), list items are appended.
func (s *Store) copyKey(ctx context.Context, from, to string) error {
	typ, err := s.rdb.Type(ctx, from).Result()
	if err != nil {
		return err
	}
	switch typ {
	case "string":
		v, err := s.rdb.Get(ctx, from).Result()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.rdb.SetNX(ctx, to, v, 0).Err()
	case "hash":
		m, err := s.rdb.HGetAll(ctx, from).Result()
		if err != nil {
			return err
		}
		for f, v := range m {
			if err := s.rdb.HSetNX(ctx, to, f, v).Err(); err != nil {
				return err
			}
		}
	case "zset":
		zs, err := s.rdb.ZRangeWithScores(ctx, from, 0, -1).Result()
		if err != nil {
			return err
		}
		if len(zs) > 0 {
			return s.rdb.ZAddNX(ctx, to, zs...).Err()
		}
	case "list":
		v, err := s.rdb.LRange(ctx, from, 0, -1).Result()
		if err != nil {
			return err
		}
		if len(v) > 0 {
			return s.rdb.RPush(ctx, to, anys(v)...).Err()
		}
	case "set":
		v, err := s.rdb.SMembers(ctx, from).Result()
		if err != nil {
			return err
		}
		if len(v) > 0 {
			return s.rdb.SAdd(ctx, to, anys(v)...).Err()
		}
	case "none":
	default:
		return fmt.Errorf("key of type %s cannot be moved", typ)
	}
	return nil
}

func anys(v []string) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// spot is a person's state in a helpers hash.
type spot struct{ hash, field string }

// movePeople moves helper states to their person's field in their pool's
// helpers hash, joining the states of entries that are one person now, and
// reports how many people it wrote.
func (s *Store) movePeople(ctx context.Context, dir *bot.Directory, old map[string]placed) (int, error) {
	target := map[spot]bool{}
	type move struct {
		to      spot
		several bool     // the target pool has several schools
		from    []spot   // in entry order
		schools []string // the school of each from, for an engaged request's
	}
	var moves []move
	for _, pool := range dir.Pools() {
		for _, p := range pool.People {
			first := p.At[0]
			l := s.lay(first.School)
			field := l.person(first.Helper)
			if unmoved(old, l.tag, field, p.At) {
				continue // the common case: a start without a change
			}
			m := move{to: spot{l.pool + "helpers", field}, several: l.base != l.pool}
			for _, at := range p.At {
				o := old[at.School]
				f, ok := o.People[at.Helper]
				if !ok {
					continue // new here
				}
				sp := spot{s.placedPool(o.Tag) + "helpers", f}
				if !slices.Contains(m.from, sp) {
					m.from = append(m.from, sp)
					m.schools = append(m.schools, at.School)
				}
			}
			if len(m.from) == 1 && m.from[0] == m.to {
				continue
			}
			if len(m.from) > 0 {
				moves = append(moves, m)
			}
		}
	}
	if len(moves) == 0 {
		return 0, nil
	}
	// Every person's place now: a state moved away from one is not
	// deleted there.
	for _, pool := range dir.Pools() {
		for _, p := range pool.People {
			l := s.lay(p.At[0].School)
			target[spot{l.pool + "helpers", l.person(p.At[0].Helper)}] = true
		}
	}
	wrote := 0
	var gone []spot
	for _, m := range moves {
		var states []map[string]string
		for i, f := range m.from {
			v, err := s.rdb.HGet(ctx, f.hash, f.field).Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				return wrote, err
			}
			st := unpackHelper(v)
			if st[hEngaged] != "" && st[hSchool] == "" {
				st[hSchool] = m.schools[i] // a school alone names none
			}
			states = append(states, st)
		}
		for _, f := range m.from {
			if f != m.to && !target[f] {
				gone = append(gone, f)
			}
		}
		if len(states) == 0 {
			continue
		}
		st, dropped := joinStates(states)
		if dropped > 0 {
			s.log.Warn("one person was engaged at several schools before their schools were joined; the first keeps them", "requests", dropped+1)
		}
		if st[hEngaged] != "" && s.lay(st[hSchool]).pool+"helpers" != m.to.hash {
			// Engaged at a school no longer in this person's pool: there
			// the request lives on; here it cannot hold them.
			st[hEngaged], st[hSchool] = "", ""
		}
		if !m.several {
			st[hSchool] = ""
		}
		if err := s.rdb.HSet(ctx, m.to.hash, m.to.field, packState(st)).Err(); err != nil {
			return wrote, err
		}
		wrote++
	}
	for _, f := range gone {
		if err := s.rdb.HDel(ctx, f.hash, f.field).Err(); err != nil {
			return wrote, err
		}
	}
	return wrote, nil
}

// unmoved reports whether every entry of a person was placed, by the last
// start, in the pool tagged tag as field.
func unmoved(old map[string]placed, tag, field string, at []bot.HelperAt) bool {
	for _, a := range at {
		o := old[a.School]
		if o.Tag != tag || o.People[a.Helper] != field {
			return false
		}
	}
	return true
}

// joinStates makes one state of a person's states at several places: the
// first engaged keeps them (dropped counts the others), a status other than
// available holds (the latest until), and the latest assignment counts.
func joinStates(states []map[string]string) (map[string]string, int) {
	out := map[string]string{}
	dropped := 0
	for _, st := range states {
		if st[hEngaged] != "" {
			if out[hEngaged] == "" {
				out[hEngaged], out[hSchool] = st[hEngaged], st[hSchool]
			} else if st[hEngaged] != out[hEngaged] {
				dropped++
			}
		}
		if st[hLast] != "" && (out[hLast] == "" || msTime(st[hLast]).After(msTime(out[hLast]))) {
			out[hLast] = st[hLast]
		}
		switch {
		case st[hStatus] == "":
		case out[hStatus] == "" || out[hStatus] == string(bot.Available):
			out[hStatus], out[hUntil] = st[hStatus], st[hUntil]
		case st[hStatus] != string(bot.Available) && msTime(st[hUntil]).After(msTime(out[hUntil])):
			out[hStatus], out[hUntil] = st[hStatus], st[hUntil]
		}
	}
	return out, dropped
}

// packState is unpackHelper's inverse, as lib.lua packs.
func packState(st map[string]string) string {
	var v [len(helperParts)]string
	for i, k := range helperParts {
		v[i] = st[k]
	}
	return strings.Join(v[:], "|")
}

// repointRequests names, in the active requests of every school whose
// helpers' persons changed, the person of the helper each is with (field
// person), so that freeing the helper frees the person.
func (s *Store) repointRequests(ctx context.Context, dir *bot.Directory, old map[string]placed) error {
	for _, sc := range dir.Schools() {
		l := s.lay(sc.ID)
		now := map[string]string{}
		for _, h := range sc.Helpers {
			now[h.ID] = l.person(h.ID)
		}
		if maps.Equal(now, old[sc.ID].People) && old[sc.ID].Tag == l.tag {
			continue
		}
		ids, err := s.rdb.ZRange(ctx, l.base+"active", 0, -1).Result()
		if err != nil {
			return err
		}
		for _, id := range ids {
			rk := l.base + "req:" + id
			helper, err := s.rdb.HGet(ctx, rk, fHelper).Result()
			if errors.Is(err, redis.Nil) || helper == "" {
				continue
			}
			if err != nil {
				return err
			}
			if err := s.rdb.HSet(ctx, rk, fPerson, l.person(helper)).Err(); err != nil {
				return err
			}
		}
	}
	return nil
}
