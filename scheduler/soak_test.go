package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

// TestSoak plays many schools at once at the real pace: teachers ask,
// helpers accept, decline or ignore at random, teachers sometimes withdraw,
// the sweeper moves lapsed offers on. At the end every request is resolved,
// escalated or cancelled, no helper ever held two requests (checked in
// atomic snapshots all along), and the weekly counters add up.
//
// The clock it plays on starts on Monday morning of a fixed school week
// (soakWeek) and runs at the real pace, so every request and counter falls
// in that week whatever day the test runs.
//
// Size by environment: HULPBOT_SOAK_REQUESTS (default 600),
// HULPBOT_SOAK_SCHOOLS (10), HULPBOT_SOAK_SECONDS (10). docs/benchmarks.md
// has the full run: 10,000 requests over 100 schools in a minute.
func TestSoak(t *testing.T) {
	n, schools, secs := envInt("HULPBOT_SOAK_REQUESTS", 600), envInt("HULPBOT_SOAK_SCHOOLS", 10), envInt("HULPBOT_SOAK_SECONDS", 10)
	const helpersPerSchool = 5
	offerTimeout := 1500 * time.Millisecond
	now := soakClock()
	if end := now().Add(time.Duration(secs)*time.Second + soakSettle); bot.WeekOf(end.In(amsterdam)) != soakWeek {
		t.Fatalf("HULPBOT_SOAK_SECONDS=%d: the soak would run into the week after %s", secs, soakWeek)
	}

	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	store := redisstore.New(rdb, prefix, quiet)
	// Thousands of requests on two shared cores under -race: a create may
	// wait longer than a teacher would for Redis; here it must not be
	// refused for that (the guard has tests of its own).
	store.SetAnswerBudget(time.Minute)
	var all []*bot.School
	for i := range schools {
		sc := school(t)
		sc.ID = fmt.Sprintf("school-%03d", i)
		sc.OfferTimeout = offerTimeout
		sc.Groups = []bot.Group{{ID: "3"}, {ID: "4"}, {ID: "5"}}
		always := sc.Helpers
		base := school(t, "h0")
		for h := range helpersPerSchool {
			hp := base.Helpers[0]
			hp.ID, hp.Name = fmt.Sprintf("h%d", h), fmt.Sprintf("Helper %d", h)
			hp.Accounts = bot.Accounts{{Platform: shell, Handle: hp.ID}}
			always = append(always, hp)
		}
		sc.Helpers = always
		all = append(all, sc)
	}
	dir, err := bot.NewDirectory(all)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &driver{t: t, ctx: ctx, dir: dir, now: now, offerTimeout: offerTimeout, offeredAt: map[string]time.Time{}}
	svc := bot.NewService(store, d, quiet)
	d.svc = svc

	sweeper := NewSweeper(dir, svc, now, 100*time.Millisecond, quiet)
	sweeper.UseDueIndex(store)
	sweepDone := make(chan struct{})
	go func() { sweeper.Run(ctx); close(sweepDone) }()
	snapDone := make(chan struct{})
	go func() { d.watch(ctx, rdb, prefix, all); close(snapDone) }()

	start := time.Now()
	spacing := time.Duration(secs) * time.Second / time.Duration(n)
	var asked sync.WaitGroup
	ids := make([]struct{ school, id string }, n)
	for i := range n {
		// Teachers ask one after another over secs of real time, the load
		// the soak is about: this wait models time on purpose.
		time.Sleep(time.Until(start.Add(time.Duration(i) * spacing)))
		sc := all[i%schools]
		asked.Add(1)
		go func() {
			defer asked.Done()
			teacher := bot.Actor{Address: bot.Address{Platform: shell, Handle: fmt.Sprintf("juf%d", i)}}
			r, err := svc.RequestHelp(ctx, now(), sc, bot.HelpRequest{From: teacher, Group: sc.Groups[i%3].ID})
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			ids[i].school, ids[i].id = sc.ID, r.ID
			if rand.N(100) < 3 { // a few teachers withdraw
				d.later(rand.N(2*time.Second), func() {
					if out, err := svc.Cancel(ctx, now(), sc, teacher, r.ID); err == nil {
						d.add(&d.cancels)
						if out.HelperID == "" { // it had gone to the fallback channel
							d.add(&d.cancelledEscalated)
						}
					}
				})
			}
		}()
	}
	asked.Wait()
	created := time.Since(start)

	// Wait until nothing is offered or accepted any more.
	final := map[bot.State]int{}
	eventually(t, soakSettle, 200*time.Millisecond, "every request resolved, escalated or cancelled", func() bool {
		clear(final)
		for _, x := range ids {
			r, err := store.Request(ctx, x.school, x.id)
			if err != nil {
				t.Fatalf("request %s/%s: %v", x.school, x.id, err)
			}
			final[r.State]++
		}
		return final[bot.StateOffered]+final[bot.StateAccepted] == 0
	})
	d.pending.Wait()
	cancel()
	<-sweepDone
	<-snapDone

	t.Run("every request settled", func(t *testing.T) {
		if got := final[bot.StateResolved] + final[bot.StateEscalated] + final[bot.StateCancelled]; got != n {
			t.Errorf("final states %v add up to %d, want %d", final, got, n)
		}
	})
	t.Run("nobody held two", func(t *testing.T) {
		if d.snapshots == 0 {
			t.Error("no snapshot was taken")
		}
		if d.violations > 0 {
			t.Errorf("%d snapshots showed a helper holding two requests, or engaged in the wrong one; want none", d.violations)
		}
	})
	t.Run("weekly counters add up", func(t *testing.T) {
		sum := map[string]int64{}
		for _, sc := range all {
			st, err := store.WeekStats(context.Background(), sc.ID, soakWeek)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range st {
				sum[k] += v
			}
		}
		for _, c := range []struct {
			name string
			got  int64
			want int
		}{
			{"requests", sum["requests"], n},
			{"resolved", sum["resolved"], final[bot.StateResolved]},
			// An escalated request may still be withdrawn: counted in both.
			{"escalated", sum["escalated"], final[bot.StateEscalated] + d.get(&d.cancelledEscalated)},
			{"cancelled", sum["cancelled"], final[bot.StateCancelled]},
			{"offers", sum["offers"], d.get(&d.offers)},
			{"declines", sum["declines"], d.get(&d.declines)},
			{"timeouts", sum["timeouts"], d.get(&d.lapsed)},
			{"accepted", sum["accepted"], d.get(&d.accepts)},
		} {
			if c.got != int64(c.want) {
				t.Errorf("counter %s = %d, want %d", c.name, c.got, c.want)
			}
		}
	})

	late := d.lateness()
	t.Logf("soak: %d requests over %d schools created in %s (%.0f/s); final %v", n, schools, created.Round(time.Millisecond), float64(n)/created.Seconds(), final)
	t.Logf("soak: offers %d, accepted %d, declines %d, timeouts %d, cancels %d; %d snapshots, %d violations",
		d.get(&d.offers), d.get(&d.accepts), d.get(&d.declines), d.get(&d.lapsed), d.get(&d.cancels), d.snapshots, d.violations)
	if len(late) > 0 {
		t.Logf("soak: escalation lateness (deadline → offer moved on) p50 %s, p99 %s, max %s over %d timeouts",
			pct(late, 50), pct(late, 99), late[len(late)-1], len(late))
	}
}

// soakWeek is the school week the soak plays in.
const soakWeek = "2026-W48"

// soakSettle bounds the wait, after the last request, for every request
// to be settled.
const soakSettle = 60 * time.Second

// soakClock returns the soak's clock: Monday 23 November 2026 (in
// soakWeek), 09:00 in Amsterdam when called, running on at the real pace.
func soakClock() func() time.Time {
	start, monday := time.Now(), time.Date(2026, 11, 23, 9, 0, 0, 0, amsterdam)
	return func() time.Time { return monday.Add(time.Since(start)) }
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func pct(sorted []time.Duration, p int) time.Duration {
	return sorted[(len(sorted)-1)*p/100].Round(time.Millisecond)
}

// driver plays the helpers: it hears every notice and answers offers at
// random, like people who come, cannot come, or miss the message.
type driver struct {
	t            *testing.T
	ctx          context.Context
	dir          *bot.Directory
	now          func() time.Time // the soak's clock
	svc          *bot.Service
	offerTimeout time.Duration
	pending      sync.WaitGroup

	mu                                         sync.Mutex
	offers, accepts, declines, lapsed, cancels int
	cancelledEscalated                         int
	offeredAt                                  map[string]time.Time // school/request/offer → when offered
	late                                       []time.Duration
	snapshots, violations                      int
}

func (d *driver) add(c *int) { d.mu.Lock(); *c++; d.mu.Unlock() }
func (d *driver) get(c *int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return *c
}

func (d *driver) later(wait time.Duration, f func()) {
	d.pending.Add(1)
	go func() {
		defer d.pending.Done()
		select {
		case <-time.After(wait):
			f()
		case <-d.ctx.Done():
		}
	}()
}

func offerKey(n bot.Notice, offerNo int) string {
	return n.SchoolID + "/" + n.Request.ID + "/" + strconv.Itoa(offerNo)
}

func (d *driver) Observe(n bot.Notice) {
	switch n.Kind {
	case bot.NoticeOffer:
		d.mu.Lock()
		d.offers++
		d.offeredAt[offerKey(n, n.Request.OfferNo)] = d.now()
		d.mu.Unlock()
		d.answer(n)
	case bot.NoticeOfferLapsed:
		d.mu.Lock()
		d.lapsed++
		if at, ok := d.offeredAt[offerKey(n, n.Request.OfferNo)]; ok {
			d.late = append(d.late, d.now().Sub(at.Add(d.offerTimeout)))
		}
		d.mu.Unlock()
	}
}

func (d *driver) answer(n bot.Notice) {
	sc, _ := d.dir.School(n.SchoolID)
	helper := bot.Actor{Address: n.To.Address}
	rid, offer := n.Request.ID, n.Request.OfferNo
	switch x := rand.N(100); {
	case x < 55: // comes, and later closes the request
		d.later(rand.N(d.offerTimeout*2/3), func() {
			if _, err := d.svc.Accept(d.ctx, d.now(), sc, helper, rid, offer); err != nil {
				d.expectRace(err)
				return
			}
			d.add(&d.accepts)
			d.later(rand.N(time.Second), func() {
				if _, err := d.svc.Resolve(d.ctx, d.now(), sc, helper, ""); err != nil {
					d.expectRace(err)
				}
			})
		})
	case x < 70: // cannot come now
		d.later(rand.N(d.offerTimeout/2), func() {
			if _, err := d.svc.Decline(d.ctx, d.now(), sc, helper, rid, offer); err != nil {
				d.expectRace(err)
				return
			}
			d.add(&d.declines)
		})
	default: // misses the message: the sweeper moves it on
	}
}

// expectRace fails the test on errors other than losing a race to a
// teacher who withdrew or to the sweeper.
func (d *driver) expectRace(err error) {
	for _, ok := range []error{bot.ErrClosed, bot.ErrStale, bot.ErrNoActiveRequest, bot.ErrAlreadyAccepted} {
		if errors.Is(err, ok) {
			return
		}
	}
	d.t.Errorf("helper action: %v", err)
}

func (d *driver) lateness() []time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := slices.Clone(d.late)
	slices.Sort(out)
	return out
}

// holdsLua checks, in one atomic step, that every helper of a school holds
// at most one offered or accepted request, and that its engaged field names
// exactly that one. It returns the number of violations.
var holdsLua = redis.NewScript(`
local base = ARGV[1]
local held = {}
for _, id in ipairs(redis.call('ZRANGE', base .. 'active', 0, -1)) do
  local r = redis.call('HMGET', base .. 'req:' .. id, 'state', 'helper')
  if (r[1] == 'offered' or r[1] == 'accepted') and r[2] then
    held[r[2]] = held[r[2]] or {}
    table.insert(held[r[2]], id)
  end
end
local bad = 0
for i = 2, #ARGV do
  local h = ARGV[i]
  local v = redis.call('HGET', base .. 'helpers', h)
  local engaged = v and string.match(v, '^[^|]*|[^|]*|([^|]*)|')
  local mine = held[h] or {}
  if #mine > 1 then bad = bad + 1 end
  if #mine == 1 and engaged ~= mine[1] then bad = bad + 1 end
end
return bad
`)

func (d *driver) watch(ctx context.Context, rdb redis.UniversalClient, prefix string, schools []*bot.School) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		for _, sc := range schools {
			args := []any{prefix + ":{" + sc.ID + "}:"}
			for _, h := range sc.Helpers {
				args = append(args, h.ID)
			}
			bad, err := holdsLua.Run(context.WithoutCancel(ctx), rdb, []string{prefix + ":{" + sc.ID + "}:active"}, args...).Int()
			d.mu.Lock()
			if err == nil {
				d.snapshots++
				d.violations += bad
			}
			d.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
