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

	bases := map[string]string{}
	for _, sc := range dir.Schools() {
		if from, to := s.placedBase(old[sc.ID].Tag, sc.ID), s.lay(sc.ID).base; from != to {
			bases[from] = to
		}
	}
	moved, err := s.moveKeys(ctx, bases)
	if err != nil {
		return moved, 0, fmt.Errorf("%s: %w", op, err)
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

// migrateBatch is how many keys or states one pipelined round trip of a
// migration reads or writes: a first start of thousands of schools is a
// few hundred round trips, not a few per key.
const migrateBatch = 512

// keyMove is one key to move, and its name at the new place.
type keyMove struct{ from, to string }

// moveKeys moves every key that starts with a base in bases (old → new) to
// the same name after the new base; the helpers hash of a school alone
// stays (movePeople moves states). One SCAN of the prefix's keys finds them
// all, whatever the number of schools.
func (s *Store) moveKeys(ctx context.Context, bases map[string]string) (int, error) {
	if len(bases) == 0 {
		return 0, nil
	}
	var moves []keyMove
	err := s.scan(ctx, globEscape(s.prefix+":{")+"*", func(k string) {
		from, ok := s.oldBase(k, bases)
		if !ok {
			return
		}
		if rest := k[len(from):]; rest != "helpers" {
			moves = append(moves, keyMove{k, bases[from] + rest})
		}
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for batch := range slices.Chunk(moves, migrateBatch) {
		m, err := s.moveBatch(ctx, batch)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// oldBase is the base in bases that key k is under: the base of a school
// alone (<prefix>:{<school>}:) or of a school in a pool
// (<prefix>:{<tag>}:<school>:).
func (s *Store) oldBase(k string, bases map[string]string) (string, bool) {
	end := strings.Index(k[len(s.prefix):], "}:")
	if end < 0 {
		return "", false
	}
	alone := k[:len(s.prefix)+end+2]
	if i := strings.IndexByte(k[len(alone):], ':'); i >= 0 {
		if pooled := k[:len(alone)+i+1]; bases[pooled] != "" {
			return pooled, true
		}
	}
	return alone, bases[alone] != ""
}

// moveBatch moves keys, with their times to live, merging each into one
// that exists at its new name already (that one's entries and time to live
// win). It copies by type rather than by DUMP and RESTORE, which the
// embedded Redis of the demo lacks, in four pipelined round trips: what
// each key is, what it holds, the copies, and — only once every copy is
// written — the deletes, so a process that dies in between leaves a key at
// both places (merged again by the next start), never at neither. It
// reports how many keys it moved.
func (s *Store) moveBatch(ctx context.Context, moves []keyMove) (int, error) {
	type found struct {
		ttl  *redis.DurationCmd
		had  *redis.IntCmd
		typ  *redis.StatusCmd
		read redis.Cmder
	}
	fs := make([]found, len(moves))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range moves {
			fs[i] = found{ttl: p.PTTL(ctx, m.from), had: p.Exists(ctx, m.to), typ: p.Type(ctx, m.from)}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range moves {
			switch fs[i].typ.Val() {
			case "string":
				fs[i].read = p.Get(ctx, m.from)
			case "hash":
				fs[i].read = p.HGetAll(ctx, m.from)
			case "zset":
				fs[i].read = p.ZRangeWithScores(ctx, m.from, 0, -1)
			case "list":
				fs[i].read = p.LRange(ctx, m.from, 0, -1)
			case "set":
				fs[i].read = p.SMembers(ctx, m.from)
			case "none": // expired meanwhile
			default:
				return fmt.Errorf("key %s of type %s cannot be moved", m.from, fs[i].typ.Val())
			}
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return 0, err
	}
	n := 0
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range moves {
			f := fs[i]
			if f.read == nil || f.read.Err() != nil {
				continue // gone between the two looks
			}
			had := f.had.Val() > 0
			switch c := f.read.(type) {
			case *redis.StringCmd:
				p.SetNX(ctx, m.to, c.Val(), 0)
			case *redis.MapStringStringCmd:
				if !had {
					p.HSet(ctx, m.to, c.Val())
				} else {
					for k, v := range c.Val() {
						p.HSetNX(ctx, m.to, k, v)
					}
				}
			case *redis.ZSliceCmd:
				if len(c.Val()) > 0 {
					p.ZAddNX(ctx, m.to, c.Val()...)
				}
			case *redis.StringSliceCmd:
				if len(c.Val()) == 0 {
					break
				}
				if f.typ.Val() == "list" {
					p.RPush(ctx, m.to, anys(c.Val())...)
				} else {
					p.SAdd(ctx, m.to, anys(c.Val())...)
				}
			}
			if ttl := f.ttl.Val(); !had && ttl > 0 {
				p.PExpire(ctx, m.to, ttl)
			}
			n++
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range moves {
			p.Del(ctx, m.from)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	return n, nil
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
	// Read every state to move, a batch per round trip.
	var reads []spot
	for _, m := range moves {
		reads = append(reads, m.from...)
	}
	states := make(map[spot]string, len(reads))
	for batch := range slices.Chunk(reads, migrateBatch) {
		cmds := make([]*redis.StringCmd, len(batch))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, f := range batch {
				cmds[i] = p.HGet(ctx, f.hash, f.field)
			}
			return nil
		}); err != nil && !errors.Is(err, redis.Nil) {
			return 0, err
		}
		for i, c := range cmds {
			if v, err := c.Result(); err == nil {
				states[batch[i]] = v
			} else if !errors.Is(err, redis.Nil) {
				return 0, err
			}
		}
	}
	type write struct {
		to    spot
		state string
	}
	var writes []write
	var gone []spot
	for _, m := range moves {
		var sts []map[string]string
		for i, f := range m.from {
			v, ok := states[f]
			if !ok {
				continue
			}
			st := unpackHelper(v)
			if st[hEngaged] != "" && st[hSchool] == "" {
				st[hSchool] = m.schools[i] // a school alone names none
			}
			sts = append(sts, st)
		}
		for _, f := range m.from {
			if f != m.to && !target[f] {
				gone = append(gone, f)
			}
		}
		if len(sts) == 0 {
			continue
		}
		st, dropped := joinStates(sts)
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
		writes = append(writes, write{m.to, packState(st)})
	}
	// Every new state is written before any old one is deleted: a process
	// that dies in between leaves both, which the next start joins again.
	wrote := 0
	for batch := range slices.Chunk(writes, migrateBatch) {
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, w := range batch {
				p.HSet(ctx, w.to.hash, w.to.field, w.state)
			}
			return nil
		}); err != nil {
			return wrote, err
		}
		wrote += len(batch)
	}
	for batch := range slices.Chunk(gone, migrateBatch) {
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, f := range batch {
				p.HDel(ctx, f.hash, f.field)
			}
			return nil
		}); err != nil {
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
// person), so that freeing the helper frees the person. Three pipelined
// passes: the active requests, their helpers, the persons.
func (s *Store) repointRequests(ctx context.Context, dir *bot.Directory, old map[string]placed) error {
	var changed []*bot.School
	for _, sc := range dir.Schools() {
		l := s.lay(sc.ID)
		now := map[string]string{}
		for _, h := range sc.Helpers {
			now[h.ID] = l.person(h.ID)
		}
		if !maps.Equal(now, old[sc.ID].People) || old[sc.ID].Tag != l.tag {
			changed = append(changed, sc)
		}
	}
	type active struct {
		l   *schoolLayout
		key string
	}
	var recs []active
	for batch := range slices.Chunk(changed, migrateBatch) {
		cmds := make([]*redis.StringSliceCmd, len(batch))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, sc := range batch {
				cmds[i] = p.ZRange(ctx, s.lay(sc.ID).base+"active", 0, -1)
			}
			return nil
		}); err != nil {
			return err
		}
		for i, c := range cmds {
			l := s.lay(batch[i].ID)
			for _, id := range c.Val() {
				recs = append(recs, active{l, l.base + "req:" + id})
			}
		}
	}
	for batch := range slices.Chunk(recs, migrateBatch) {
		cmds := make([]*redis.StringCmd, len(batch))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, r := range batch {
				cmds[i] = p.HGet(ctx, r.key, fHelper)
			}
			return nil
		}); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		for _, c := range cmds {
			if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
		}
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, r := range batch {
				if helper := cmds[i].Val(); helper != "" {
					p.HSet(ctx, r.key, fPerson, r.l.person(helper))
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
