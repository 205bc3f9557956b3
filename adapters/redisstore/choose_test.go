package redisstore

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

var chooseSeed = flag.Uint64("choose.seed", 0, "seed of TestChooseMatchesBot (0: from the clock)")

// TestChooseMatchesBot seeds random helper states into Redis, runs the
// scripts' routing on random candidate lists and tried sets, and checks the
// helper offered is the one bot.Choose picks. Half the cases go through
// create_offer.lua (nothing tried yet), half through advance.lua (a seeded
// request declined by a helper outside the list, with a tried list).
func TestChooseMatchesBot(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seed := *chooseSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -choose.seed)", seed)
	rng := rand.New(rand.NewPCG(seed, 48))
	now := t0
	ids := []string{"h0", "h1", "h2", "h3", "h4", "h5"}
	const cases = 400
	var offered, escalated int
	for i := range cases {
		sc := "prop-" + strconv.Itoa(i) // a school, so keys of cases never mix
		key := func(rest string) string { return f.s.key(sc, rest) }
		states := map[string]bot.HelperState{}
		for _, id := range ids {
			if rng.IntN(6) == 0 {
				continue // never seen: no hash at all
			}
			st, kv := randomState(rng, now)
			states[id] = st
			if len(kv) > 0 {
				if err := f.rdb.HSet(f.ctx, key("helpers"), id, packKV(kv...)).Err(); err != nil {
					t.Fatal(err)
				}
			}
		}
		var cs []bot.Candidate
		for range rng.IntN(8) {
			cs = append(cs, bot.Candidate{HelperID: ids[rng.IntN(len(ids))], Rank: rng.IntN(3)})
		}
		var tried []string
		viaAdvance := i%2 == 1
		if viaAdvance {
			for _, id := range ids {
				if rng.IntN(4) == 0 {
					tried = append(tried, id)
				}
			}
			rng.Shuffle(len(tried), func(a, b int) { tried[a], tried[b] = tried[b], tried[a] })
			// hx holds the offer and declines it; it is never a candidate.
			tried = append(tried, "hx")
		}
		want, _ := bot.Choose(now, cs, states, tried)

		var got bot.Request
		var err error
		desc := fmt.Sprintf("case %d: states %+v, candidates %v, tried %v", i, states, cs, tried)
		if viaAdvance {
			if err := f.rdb.HSet(f.ctx, key("req:r"), fID, "r", fSchool, sc, fState, "offered", fHelper, "hx",
				fOfferNo, "1", fTried, strings.Join(tried, ","), fWeek, week, fCreated, msStr(now), fDeadline, msStr(now)).Err(); err != nil {
				t.Fatal(err)
			}
			if err := f.rdb.HSet(f.ctx, key("helpers"), "hx", packKV(hEngaged, "r")).Err(); err != nil {
				t.Fatal(err)
			}
			got, err = f.s.Advance(f.ctx, now, sc, "r", 1, bot.ReasonDecline, "hx", cs, now.Add(timeout))
		} else {
			r := request("r", now)
			r.SchoolID = sc
			got, err = f.s.CreateAndOffer(f.ctx, now, r, cs, now.Add(timeout), retention)
		}
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		if got.HelperID != want {
			t.Fatalf("%s:\nscript offered to %q, bot.Choose picks %q", desc, got.HelperID, want)
		}
		if want == "" {
			escalated++
			if got.State != bot.StateEscalated {
				t.Fatalf("%s: state %s, want escalated", desc, got.State)
			}
			continue
		}
		offered++
		packed, err := f.rdb.HGet(f.ctx, key("helpers"), want).Result()
		if err != nil {
			t.Fatal(err)
		}
		if h := unpackHelper(packed); h[hEngaged] != "r" || h[hLast] != msStr(now) {
			t.Fatalf("%s: helper %s = %q, want engaged r, last now", desc, want, packed)
		}
		if wantTried := append(slices.Clone(tried), want); !slices.Equal(got.Tried, wantTried) {
			t.Fatalf("%s: tried %v, want %v", desc, got.Tried, wantTried)
		}
	}
	// A generator that only ever escalated (or never did) would test little.
	if offered < cases/4 || escalated < cases/10 {
		t.Errorf("offered %d, escalated %d of %d cases: generator too one-sided", offered, escalated, cases)
	}
}

// randomState is a helper state around now, and the hash fields that store
// it. Times repeat often (a few minutes, ms precision) so ties are common.
func randomState(rng *rand.Rand, now time.Time) (bot.HelperState, []string) {
	var st bot.HelperState
	var kv []string
	st.Status = []bot.Status{"", bot.Available, bot.Busy, bot.Away}[rng.IntN(4)]
	if st.Status != "" {
		kv = append(kv, hStatus, string(st.Status))
	}
	switch rng.IntN(4) {
	case 0: // no end
	case 1:
		st.Until = now.Add(-time.Duration(rng.IntN(3)) * time.Minute)
	case 2:
		st.Until = now
	case 3:
		st.Until = now.Add(time.Duration(1+rng.IntN(3)) * time.Millisecond)
	}
	if !st.Until.IsZero() {
		kv = append(kv, hUntil, msStr(st.Until))
	}
	if rng.IntN(3) == 0 {
		st.Engaged = "other"
		kv = append(kv, hEngaged, st.Engaged)
	}
	if rng.IntN(4) > 0 {
		st.LastAssigned = time.UnixMilli(now.Add(-time.Duration(rng.IntN(4)) * time.Minute).UnixMilli())
		kv = append(kv, hLast, msStr(st.LastAssigned))
	}
	return st, kv
}
