package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

const (
	school    = "de-vaart"
	retention = 720 * time.Hour
	timeout   = 2 * time.Minute
)

// t0 is Monday 23 November 2026, 09:00 UTC: ISO week 2026-W48.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

const (
	week  = "2026-W48"
	month = "2026-11"
)

var marie = bot.Address{Platform: mattermost, Handle: "marie"}

// fixture is a Store on a Redis of its own (miniredis) or on a prefix of its
// own (REDIS_URL).
type fixture struct {
	t      *testing.T
	ctx    context.Context
	rdb    redis.UniversalClient
	prefix string
	s      *Store

	indexCheck *bool // whether the test ends with checkDueIndex
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	f := &fixture{t: t, ctx: context.Background(), rdb: rdb, prefix: prefix, s: New(rdb, prefix, slog.New(slog.DiscardHandler)), indexCheck: new(bool)}
	*f.indexCheck = true
	t.Cleanup(func() { f.checkDueIndex(t) })
	return f
}

// checkDueIndex fails t when a school has a due time earlier than its hint
// in the due index, or none: whatever the test did, every change that set
// a due time must have lowered the hint (dueindex.go). Tests that lose
// hints on purpose turn it off (loseHints).
func (f *fixture) checkDueIndex(t *testing.T) {
	if !*f.indexCheck || t.Failed() {
		return
	}
	keys, err := scanAll(f.ctx, f.rdb, f.prefix+":*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, f.prefix+":{")
		if !ok {
			continue
		}
		for _, set := range dueSets {
			head, ok := strings.CutSuffix(rest, ":"+set)
			if !ok {
				continue
			}
			// {<school>}:set, or {pool.<id>}:<school>:set
			tag, sc, _ := strings.Cut(head, "}")
			if sc = strings.TrimPrefix(sc, ":"); sc == "" {
				sc = tag
			}
			first, err := f.rdb.ZRangeWithScores(f.ctx, k, 0, 0).Result()
			if err != nil || len(first) == 0 {
				continue
			}
			hint, err := f.rdb.ZScore(f.ctx, f.s.dueKey(), sc).Result()
			if err != nil || hint > first[0].Score {
				t.Errorf("due index: %s has %s due at %s, hint %.0f (%v): a change set a due time without lowering the hint",
					sc, first[0].Member, time.UnixMilli(int64(first[0].Score)).UTC(), hint, err)
			}
		}
	}
}

// on is f for a step of the test that made f: its helpers fail t.
func (f *fixture) on(t *testing.T) *fixture {
	c := *f
	c.t = t
	return &c
}

func (f *fixture) key(rest string) string { return f.s.key(school, rest) }

// mine is the rest of the key of a's index of active requests: named by
// a's pseudonym.
func (f *fixture) mine(a bot.Address) string {
	f.t.Helper()
	p, err := f.s.Pseudonyms().Of(f.ctx, mine(a))
	if err != nil {
		f.t.Fatal(err)
	}
	return "mine:" + p
}

// request is a request for group 5 by marie, created at now.
func request(id string, now time.Time) bot.Request {
	return bot.Request{
		ID: id, SchoolID: school, Group: "5", Note: "onrust na gym", DayPart: "ochtend", Week: week, Month: month,
		Requester: marie, RequesterName: "Marie", CreatedAt: now,
	}
}

func cands(ids ...string) []bot.Candidate {
	out := make([]bot.Candidate, len(ids))
	for i, id := range ids {
		out[i] = bot.Candidate{HelperID: id, Rank: i}
	}
	return out
}

// create stores a request of marie at now, failing the test on error.
func (f *fixture) create(id string, now time.Time, cs []bot.Candidate) bot.Request {
	f.t.Helper()
	r, err := f.s.CreateAndOffer(f.ctx, now, request(id, now), cs, now.Add(timeout), retention)
	if err != nil {
		f.t.Fatalf("CreateAndOffer(%s): %v", id, err)
	}
	return r
}

func (f *fixture) accept(helper, id string, now time.Time) bot.Request {
	f.t.Helper()
	r, err := f.s.Accept(f.ctx, now, school, helper, id, 0)
	if err != nil {
		f.t.Fatalf("Accept(%s, %s): %v", helper, id, err)
	}
	return r
}

// setHelper writes parts of a helper's state directly, as another process
// would have: part, value pairs.
func (f *fixture) setHelper(id string, kv ...string) {
	f.t.Helper()
	h := f.helper(id)
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	if err := f.rdb.HSet(f.ctx, f.key("helpers"), id, packHelper(h)).Err(); err != nil {
		f.t.Fatal(err)
	}
}

// helper reads a helper's state as parts (hStatus, …); none when never seen.
func (f *fixture) helper(id string) map[string]string {
	f.t.Helper()
	v, err := f.rdb.HGet(f.ctx, f.key("helpers"), id).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		f.t.Fatal(err)
	}
	return unpackHelper(v)
}

// packHelper is unpackHelper's inverse, as lib.lua packs.
func packHelper(h map[string]string) string {
	var vals [len(helperParts)]string
	for i, k := range helperParts {
		vals[i] = h[k]
	}
	return strings.Join(vals[:], "|")
}

// packKV packs part, value pairs.
func packKV(kv ...string) string {
	h := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return packHelper(h)
}

func (f *fixture) hash(rest string) map[string]string {
	f.t.Helper()
	m, err := f.rdb.HGetAll(f.ctx, f.key(rest)).Result()
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func (f *fixture) engaged(helper string) string { return f.helper(helper)[hEngaged] }

// members lists a sorted set as member=score.
func (f *fixture) members(rest string) []string {
	f.t.Helper()
	zs, err := f.rdb.ZRangeWithScores(f.ctx, f.key(rest), 0, -1).Result()
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, z := range zs {
		out = append(out, fmt.Sprintf("%v=%.0f", z.Member, z.Score))
	}
	return out
}

func (f *fixture) stats() map[string]int64 {
	f.t.Helper()
	m, err := f.s.WeekStats(f.ctx, school, week)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// pttl is the time to live of a key; -1ns: no expiry, -2ns: no key.
func (f *fixture) pttl(rest string) time.Duration {
	f.t.Helper()
	d, err := f.rdb.PTTL(f.ctx, f.key(rest)).Result()
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// checkTTL fails unless key expires in (want-slack, want].
func (f *fixture) checkTTL(rest string, want time.Duration) {
	f.t.Helper()
	const slack = 10 * time.Second
	if got := f.pttl(rest); got > want || got <= want-slack {
		f.t.Errorf("PTTL %s = %v, want about %v", rest, got, want)
	}
}

// snapshot is every key under the fixture's prefix with its type, contents,
// absolute expiry and, where the server has it (not miniredis for these
// types), its DUMP: what a failing call must leave exactly as it was.
func (f *fixture) snapshot() map[string]string {
	f.t.Helper()
	ctx := f.ctx
	keys, err := scanAll(ctx, f.rdb, f.prefix+":*")
	if err != nil {
		f.t.Fatal(err)
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		typ := f.rdb.Type(ctx, k).Val()
		var content string
		switch typ {
		case "hash":
			m := f.rdb.HGetAll(ctx, k).Val()
			for _, field := range slices.Sorted(maps.Keys(m)) {
				content += field + "=" + m[field] + ";"
			}
		case "zset":
			content = fmt.Sprint(f.rdb.ZRangeWithScores(ctx, k, 0, -1).Val())
		case "list":
			content = strings.Join(f.rdb.LRange(ctx, k, 0, -1).Val(), ";")
		default:
			content = f.rdb.Get(ctx, k).Val()
		}
		// Real Redis counts a TTL down, so compare the absolute expiry;
		// miniredis counts down only when told to, but its PEXPIRETIME
		// follows the wall clock, so compare the TTL there.
		exp, err := f.rdb.Do(ctx, "PTTL", k).Int64()
		if redistest.Real() {
			exp, err = f.rdb.Do(ctx, "PEXPIRETIME", k).Int64()
		}
		if err != nil {
			f.t.Fatal(err)
		}
		dump, _ := f.rdb.Dump(ctx, k).Result()
		out[k] = fmt.Sprintf("%s %q exp=%d dump=%x", typ, content, exp, dump)
	}
	return out
}

func scanAll(ctx context.Context, rdb redis.UniversalClient, pattern string) ([]string, error) {
	return redistest.Keys(ctx, rdb, pattern)
}

// age takes an hour off every TTL under the prefix, so that a call that sets
// a TTL again, even to the same length, shows in the next snapshot.
func (f *fixture) age() {
	f.t.Helper()
	keys, err := scanAll(f.ctx, f.rdb, f.prefix+":*")
	if err != nil {
		f.t.Fatal(err)
	}
	for _, k := range keys {
		if d := f.rdb.PTTL(f.ctx, k).Val(); d > time.Hour {
			f.rdb.PExpire(f.ctx, k, d-time.Hour)
		}
	}
}

// sameSnapshot reports the keys that differ.
func sameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if a, ok := after[k]; !ok {
			t.Errorf("key %s deleted; was %s", k, v)
		} else if a != v {
			t.Errorf("key %s changed:\n got  %s\n want %s", k, a, v)
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("key %s created: %s", k, v)
		}
	}
}

func cand(id string, rank int) bot.Candidate { return bot.Candidate{HelperID: id, Rank: rank} }
