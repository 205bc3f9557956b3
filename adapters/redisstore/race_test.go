package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// TestConcurrentRequests fires 500 CreateAndOffer calls for one school with
// three helpers from 500 goroutines (200 at once, the rest over 4s), while goroutines play the helpers (accept, decline,
// resolve), requesters cancel, and a sweeper times offers out. A checker
// takes atomic snapshots (one read-only script) throughout: no helper may ever hold
// two offers or requests, and what a helper holds must be its engaged field.
// At the end every request is in one final state and the counters add up to
// what the calls reported.
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	const n = 500
	helpers := []string{"anne", "bram", "cees"}
	cs := []bot.Candidate{cand("anne", 0), cand("bram", 0), cand("cees", 1)}
	const offerTimeout = 300 * time.Millisecond
	var clock atomic.Int64 // fake ms since t0: every call moves time on a little
	now := func(step int64) time.Time { return t0.Add(time.Duration(clock.Add(step)) * time.Millisecond) }

	// What the successful calls reported, to check the counters against.
	var ev struct {
		offers, escalated, accepted, acceptedFirst, declines, timeouts, resolved, cancelled, cancelledEscalated, noCover atomic.Int64
	}
	tally := func(r bot.Request) {
		switch r.State {
		case bot.StateOffered:
			ev.offers.Add(1)
		case bot.StateEscalated:
			ev.escalated.Add(1)
		}
	}
	// A lost race is fine; anything else fails the test.
	raced := func(err error) bool {
		for _, e := range []error{bot.ErrStale, bot.ErrClosed, bot.ErrAlreadyAccepted, bot.ErrNotYours, bot.ErrNoOffer, bot.ErrNoActiveRequest} {
			if errors.Is(err, e) {
				return true
			}
		}
		return false
	}
	var failed atomic.Bool
	fail := func(format string, args ...any) {
		failed.Store(true)
		t.Errorf(format, args...)
	}

	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("r%03d", i)
	}

	var requesters sync.WaitGroup
	start := make(chan struct{})
	for i, id := range ids {
		requesters.Go(func() {
			<-start
			// A burst of 200 at once, the rest spread over a few seconds,
			// so that helpers free up again and every path is taken.
			if i >= 200 {
				time.Sleep(time.Duration(rand.IntN(4000)) * time.Millisecond)
			}
			r := request(id, now(1))
			r.Requester = bot.Address{Platform: bot.Slack, Handle: "t" + strconv.Itoa(i%40)}
			r.Group = strconv.Itoa(1 + i%8)
			c := cs
			if i%50 == 0 {
				c = nil // nobody on duty
				ev.noCover.Add(1)
			}
			at := now(1)
			got, err := f.s.CreateAndOffer(ctx, at, r, c, at.Add(offerTimeout), retention)
			if err != nil {
				fail("create %s: %v", id, err)
				return
			}
			tally(got)
			if i%9 == 0 { // some teachers withdraw, some by id, some "the latest"
				which := id
				if i%2 == 0 {
					which = ""
				}
				got, err := f.s.Cancel(ctx, now(1), school, r.Requester, which)
				switch {
				case err == nil:
					ev.cancelled.Add(1)
					if got.HelperID == "" {
						ev.cancelledEscalated.Add(1)
					}
				case !raced(err):
					fail("cancel %s: %v", which, err)
				}
			}
		})
	}

	var created atomic.Bool
	var players sync.WaitGroup
	for hi, h := range helpers {
		players.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(hi), 7))
			ignored := map[string]bool{} // offers left to time out
			for ctx.Err() == nil && !failed.Load() {
				st, err := f.s.HelperStates(ctx, school, []string{h})
				if err != nil {
					fail("%s: helper states: %v", h, err)
					return
				}
				id := st[h].Engaged
				if id == "" {
					if created.Load() {
						return
					}
					time.Sleep(2 * time.Millisecond)
					continue
				}
				r, err := f.s.Request(ctx, school, id)
				if err != nil {
					fail("%s: read %s: %v", h, id, err)
					return
				}
				offer := id + "/" + strconv.Itoa(r.OfferNo)
				if r.State == bot.StateOffered && (ignored[offer] || rng.IntN(10) == 0) {
					ignored[offer] = true // the sweeper will move it on
					time.Sleep(2 * time.Millisecond)
					continue
				}
				at := now(1)
				switch {
				case r.State == bot.StateAccepted:
					_, err = f.s.Resolve(ctx, at, school, h, "")
					if err == nil {
						ev.resolved.Add(1)
					}
				case rng.IntN(10) < 6: // accept the offer held, like /hulp ok
					r, err = f.s.Accept(ctx, at, school, h, "", 0)
					if err == nil {
						ev.accepted.Add(1)
						if r.OfferNo == 1 {
							ev.acceptedFirst.Add(1)
						}
					}
				default: // decline, like the button: with request and offer number
					r, err = f.s.Advance(ctx, at, school, id, r.OfferNo, bot.ReasonDecline, h, cs, at.Add(offerTimeout))
					if err == nil {
						ev.declines.Add(1)
						tally(r)
					}
				}
				if err != nil && !raced(err) {
					fail("%s on %s: %v", h, id, err)
					return
				}
			}
		})
	}

	var playing atomic.Bool
	playing.Store(true)
	var background sync.WaitGroup
	background.Go(func() { // the sweeper
		for ctx.Err() == nil && !failed.Load() {
			at := now(20)
			due, err := f.s.DueOffers(ctx, school, at, 50)
			if err != nil {
				fail("due offers: %v", err)
				return
			}
			for _, o := range due {
				r, err := f.s.Advance(ctx, at, school, o.RequestID, o.OfferNo, bot.ReasonTimeout, "", cs, at.Add(offerTimeout))
				switch {
				case err == nil:
					ev.timeouts.Add(1)
					tally(r)
				case !raced(err):
					fail("timeout %s: %v", o.RequestID, err)
					return
				}
			}
			if len(due) == 0 && !playing.Load() {
				if n, err := f.rdb.ZCard(ctx, f.key("deadlines")).Result(); err == nil && n == 0 {
					return
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	var snapshots atomic.Int64
	background.Go(func() { // the checker
		for ctx.Err() == nil && !failed.Load() {
			if err := checkHolds(ctx, f, ids, helpers); err != nil {
				fail("during the run: %v", err)
				return
			}
			snapshots.Add(1)
			if !playing.Load() {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	close(start)
	requesters.Wait()
	created.Store(true)
	players.Wait()
	playing.Store(false)
	background.Wait()
	if failed.Load() {
		return
	}
	if ctx.Err() != nil {
		t.Fatalf("did not settle: %v", ctx.Err())
	}
	if err := checkHolds(ctx, f, ids, helpers); err != nil {
		t.Fatalf("at the end: %v", err)
	}

	// Every request is in exactly one final state, and the indexes agree.
	byState := map[bot.State]int64{}
	for _, id := range ids {
		r, err := f.s.Request(ctx, school, id)
		if err != nil {
			t.Fatal(err)
		}
		byState[r.State]++
		active := r.State.Active()
		if _, err := f.rdb.ZScore(ctx, f.key("active"), id).Result(); (err == nil) != active {
			t.Errorf("%s in state %s: in active set %v", id, r.State, err == nil)
		}
		if _, err := f.rdb.ZScore(ctx, f.key("mine:slack:"+r.Requester.Handle), id).Result(); (err == nil) != active {
			t.Errorf("%s in state %s: in requester's set %v", id, r.State, err == nil)
		}
	}
	if byState[bot.StateOffered]+byState[bot.StateAccepted] != 0 {
		t.Errorf("states %v: offers or accepted requests left over", byState)
	}
	if got := byState[bot.StateResolved] + byState[bot.StateEscalated] + byState[bot.StateCancelled]; got != n {
		t.Errorf("states %v add up to %d, want %d", byState, got, n)
	}
	if d := f.members("deadlines"); len(d) != 0 {
		t.Errorf("deadlines left: %v", d)
	}

	st := f.stats()
	want := map[string]int64{
		"requests":       n,
		"offers":         ev.offers.Load(),
		"accepted":       ev.accepted.Load(),
		"accepted_first": ev.acceptedFirst.Load(),
		"declines":       ev.declines.Load(),
		"timeouts":       ev.timeouts.Load(),
		"escalated":      ev.escalated.Load(),
		"resolved":       ev.resolved.Load(),
		"cancelled":      ev.cancelled.Load(),
		"no_cover":       ev.noCover.Load(),
	}
	for k, w := range want {
		if st[k] != w {
			t.Errorf("counter %s = %d, want %d", k, st[k], w)
		}
	}
	if byState[bot.StateResolved] != st["resolved"] || byState[bot.StateCancelled] != st["cancelled"] ||
		byState[bot.StateEscalated] != st["escalated"]-ev.cancelledEscalated.Load() {
		t.Errorf("states %v do not match counters %v (%d escalated requests cancelled)", byState, st, ev.cancelledEscalated.Load())
	}
	// Every offer was accepted, declined, timed out, or cancelled with it.
	var groups int64
	for k, v := range st {
		if strings.HasPrefix(k, "group:") {
			groups += v
		}
	}
	if groups != n || st["daypart:ochtend"] != n {
		t.Errorf("group counters add to %d, day part %d; want %d", groups, st["daypart:ochtend"], n)
	}
	if tta, err := f.s.TimesToAccept(ctx, school, week); err != nil || int64(len(tta)) != st["accepted"] {
		t.Errorf("%d times to accept (%v), want %d", len(tta), err, st["accepted"])
	}
	t.Logf("states %v; counters %v; %d snapshots checked", byState, st, snapshots.Load())
	if st["accepted"] == 0 || st["declines"] == 0 || st["timeouts"] == 0 || st["resolved"] == 0 || st["cancelled"] == 0 {
		t.Errorf("counters %v: the run did not exercise every path", st)
	}
}

// holdsScript reads the state and helper of every request (ARGV[1]: how
// many request keys follow ARGV[2], the school's helpers hash) and the
// engaged part of every helper id after them. One script is one moment of
// the store, read in one round trip.
var holdsScript = redis.NewScript(`
local out = {}
local n = tonumber(ARGV[1])
for i = 3, n + 2 do
  local v = redis.call('HMGET', ARGV[i], 'state', 'helper')
  out[#out + 1] = v[1] or ''
  out[#out + 1] = v[2] or ''
end
for i = n + 3, #ARGV do
  local v = redis.call('HGET', ARGV[2], ARGV[i])
  out[#out + 1] = v and string.match(v, '^[^|]*|[^|]*|([^|]*)|') or ''
end
return out
`)

// checkHolds checks, at one moment, that each helper holds at most one
// offered or accepted request and that its engaged field names exactly that.
func checkHolds(ctx context.Context, f *fixture, ids, helpers []string) error {
	args := []any{strconv.Itoa(len(ids)), f.key("helpers")}
	for _, id := range ids {
		args = append(args, f.key("req:"+id))
	}
	for _, h := range helpers {
		args = append(args, h)
	}
	v, err := holdsScript.Run(ctx, f.rdb, []string{f.key("deadlines")}, args...).StringSlice()
	if err != nil {
		return err
	}
	held := map[string][]string{}
	for i, id := range ids {
		state, helper := v[2*i], v[2*i+1]
		switch state {
		case "", "resolved", "cancelled":
		case "escalated":
			if helper != "" {
				return fmt.Errorf("%s escalated but has helper %s", id, helper)
			}
		case "offered", "accepted":
			held[helper] = append(held[helper], id)
		default:
			return fmt.Errorf("%s in unknown state %q", id, state)
		}
	}
	for i, h := range helpers {
		engaged := v[2*len(ids)+i]
		switch got := held[h]; {
		case len(got) > 1:
			return fmt.Errorf("%s holds %v at once", h, got)
		case len(got) == 1 && engaged != got[0]:
			return fmt.Errorf("%s holds %s but is engaged in %q", h, got[0], engaged)
		case len(got) == 0 && engaged != "":
			return fmt.Errorf("%s holds nothing but is engaged in %q", h, engaged)
		}
	}
	return nil
}
