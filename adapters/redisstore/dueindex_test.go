package redisstore

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// hintOf is school's hint in the due index; false when it has none.
func (f *fixture) hintOf(sc string) (time.Time, bool) {
	f.t.Helper()
	v, err := f.rdb.ZScore(f.ctx, f.s.dueKey(), sc).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, false
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return time.UnixMilli(int64(v)).UTC(), true
}

// loseHints deletes the due index, as a process stopped between a script
// and its hint would have left it.
func (f *fixture) loseHints() {
	f.t.Helper()
	*f.indexCheck = false
	if err := f.rdb.Del(f.ctx, f.s.dueKey()).Err(); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) dueSchools(now time.Time) []string {
	f.t.Helper()
	due, _, err := f.s.DueSchools(f.ctx, now, nil)
	if err != nil {
		f.t.Fatalf("DueSchools(%s): %v", now, err)
	}
	return due
}

// TestDueIndexEveryPath: every change that adds or moves a due time puts
// the school in the due index at that time, so the sweeper's look at the
// index finds it when it comes due and not before.
func TestDueIndexEveryPath(t *testing.T) {
	at := t0.Add(30 * time.Second)
	for _, tc := range []struct {
		name  string
		setup func(f *fixture)
		do    func(f *fixture) error
		due   time.Time // the earliest due time do set
	}{
		{name: "create and offer: the offer's deadline",
			do: func(f *fixture) error {
				_, err := f.s.CreateAndOffer(f.ctx, t0, request("r1", t0), cands("anne"), t0.Add(timeout), retention)
				return err
			}, due: t0.Add(timeout)},
		{name: "create, escalated: the follow-up",
			do: func(f *fixture) error {
				r := request("r1", t0)
				r.FollowUpAt = t0.Add(time.Minute)
				_, err := f.s.CreateAndOffer(f.ctx, t0, r, nil, t0.Add(timeout), retention)
				return err
			}, due: t0.Add(time.Minute)},
		{name: "hold: the hold's end",
			do: func(f *fixture) error {
				r := request("r1", t0)
				r.FollowUpAt = t0.Add(time.Minute) // set when it is let go, not now
				_, err := f.s.Hold(f.ctx, t0, r, t0.Add(bot.HoldFor), retention)
				return err
			}, due: t0.Add(bot.HoldFor)},
		{name: "release of a held request: the offer's deadline",
			setup: func(f *fixture) { f.hold("r1", t0) },
			do: func(f *fixture) error {
				_, err := f.s.LetGo(f.ctx, at, school, "r1", marie, bot.ReleaseWithoutNote, cands("anne"), at.Add(timeout), at.Add(5*time.Minute))
				return err
			}, due: at.Add(timeout)},
		{name: "release of a held request, nobody free: the follow-up",
			setup: func(f *fixture) { f.hold("r1", t0) },
			do: func(f *fixture) error {
				_, err := f.s.LetGo(f.ctx, at, school, "r1", marie, bot.ReleaseAnyway, nil, at.Add(10*time.Minute), at.Add(5*time.Minute))
				return err
			}, due: at.Add(5 * time.Minute)},
		{name: "release at the hold's end (the sweeper's)",
			setup: func(f *fixture) { f.hold("r1", t0) },
			do: func(f *fixture) error {
				end := t0.Add(bot.HoldFor)
				_, err := f.s.LetGo(f.ctx, end, school, "r1", bot.Address{}, bot.ReleaseTimeout, cands("anne"), end.Add(timeout), end.Add(5*time.Minute))
				return err
			}, due: t0.Add(bot.HoldFor + timeout)},
		{name: "decline: the next offer's deadline",
			setup: func(f *fixture) { f.create("r1", t0, cands("anne")) },
			do: func(f *fixture) error {
				_, err := f.s.Advance(f.ctx, at, school, "r1", 1, bot.ReasonDecline, "anne", cands("bram"), at.Add(timeout))
				return err
			}, due: at.Add(timeout)},
		{name: "timeout: the next offer's deadline",
			setup: func(f *fixture) { f.create("r1", t0, cands("anne")) },
			do: func(f *fixture) error {
				end := t0.Add(timeout)
				_, err := f.s.Advance(f.ctx, end, school, "r1", 1, bot.ReasonTimeout, "", cands("bram"), end.Add(timeout))
				return err
			}, due: t0.Add(2 * timeout)},
		{name: "consult: its deadline",
			do: func(f *fixture) error {
				r := request("c1", t0)
				r.Kind, r.DayPart = bot.KindConsult, ""
				_, err := f.s.CreateConsult(f.ctx, t0, r, "bram", t0.Add(32*time.Hour), retention)
				return err
			}, due: t0.Add(32 * time.Hour)},
		{name: "held consult sent anyway: its deadline",
			setup: func(f *fixture) {
				if err := f.s.HoldConsult(f.ctx, t0, school, "c1", week, month, marie, "5", "Daan is steeds zo stil", 2*time.Minute); err != nil {
					f.t.Fatal(err)
				}
			},
			do: func(f *fixture) error {
				r := request("c1", t0)
				r.Kind, r.Note, r.DayPart = bot.KindConsult, "Daan is steeds zo stil", ""
				_, err := f.s.SendHeldConsult(f.ctx, t0, r, "bram", t0.Add(32*time.Hour), retention)
				return err
			}, due: t0.Add(32 * time.Hour)},
		{name: "consult reminded: its second deadline",
			setup: func(f *fixture) { f.consult("c1", t0, t0.Add(32*time.Hour)) },
			do: func(f *fixture) error {
				_, err := f.s.ConsultDue(f.ctx, t0.Add(32*time.Hour), school, "c1", t0.Add(56*time.Hour), retention)
				return err
			}, due: t0.Add(56 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t).on(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			// Only what do writes: the setup's hints gone, its due times
			// behind what do sets.
			f.loseHints()
			if err := tc.do(f); err != nil {
				t.Fatal(err)
			}
			if got, ok := f.hintOf(school); !ok || !got.Equal(tc.due) {
				t.Errorf("hint = %s (%t), want %s", got, ok, tc.due)
			}
			if due := f.dueSchools(tc.due.Add(-time.Millisecond)); len(due) != 0 {
				t.Errorf("due a millisecond early: %v", due)
			}
			if due := f.dueSchools(tc.due); !slices.Equal(due, []string{school}) {
				t.Errorf("due at its time: %v, want [%s]", due, school)
			}
		})
	}
}

// TestDueIndexRefusalWritesNothing: a change refused by its script leaves
// the index as it was, as it leaves the rest.
func TestDueIndexRefusalWritesNothing(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.loseHints()
	before := f.snapshot()
	if _, err := f.s.CreateAndOffer(f.ctx, t0, request("r1", t0), cands("anne"), t0.Add(time.Second), retention); !errors.Is(err, bot.ErrDuplicate) {
		t.Fatalf("repeat: %v, want ErrDuplicate", err)
	}
	if _, err := f.s.Advance(f.ctx, t0, school, "r1", 1, bot.ReasonTimeout, "", cands("bram"), t0.Add(time.Second)); !errors.Is(err, bot.ErrStale) {
		t.Fatalf("early timeout: %v, want ErrStale", err)
	}
	sameSnapshot(t, before, f.snapshot())
}

// TestDueSchoolsNext: the look at the index tells the earliest hint after
// now, and only schools this sweeper knows.
func TestDueSchoolsNext(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne")) // hint t0+2m
	other := "elders"
	r := request("e1", t0)
	r.SchoolID = other
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, cands("anne"), t0.Add(time.Minute), retention); err != nil {
		t.Fatal(err)
	}
	all := func(string) bool { return true }
	for _, tc := range []struct {
		at   time.Time
		want []string
		next time.Time
	}{
		{t0, nil, t0.Add(time.Minute)},
		{t0.Add(time.Minute), []string{other}, t0.Add(timeout)},
		{t0.Add(timeout), []string{other, school}, time.Time{}},
	} {
		got, next, err := f.s.DueSchools(f.ctx, tc.at, all)
		if err != nil || !slices.Equal(got, tc.want) || !next.Equal(tc.next) {
			t.Errorf("at %s: %v, next %s, %v; want %v, next %s", tc.at, got, next, err, tc.want, tc.next)
		}
	}
	// A school not configured here: its hint is dropped, once looked at.
	onlyVaart := func(sc string) bool { return sc == school }
	got, _, err := f.s.DueSchools(f.ctx, t0.Add(timeout), onlyVaart)
	if err != nil || !slices.Equal(got, []string{school}) {
		t.Errorf("known only %s: %v, %v", school, got, err)
	}
	if at, ok := f.hintOf(other); ok {
		t.Errorf("hint of a school not configured kept: %s", at)
	}
	// Unless it was lowered after the look read it: a writer's.
	f.s.hint(f.ctx, other, nil, t0.Add(time.Second))
	n, err := f.s.dropHints(f.ctx, []redis.Z{{Member: other, Score: float64(t0.Add(time.Minute).UnixMilli())}})
	if err != nil || n != 0 {
		t.Errorf("dropHints of a changed hint = %d, %v; want 0", n, err)
	}
	if at, ok := f.hintOf(other); !ok || !at.Equal(t0.Add(time.Second)) {
		t.Errorf("hint lowered meanwhile = %s (%t), want kept", at, ok)
	}
}

// TestRehint: after the sweeper looked after a school, its hint is the
// earliest of what waits, or gone when nothing waits.
func TestRehint(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	r := request("r2", t0)
	r.FollowUpAt = t0.Add(time.Minute)
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, nil, t0.Add(timeout), retention); err != nil {
		t.Fatal(err)
	}
	// The follow-up is claimed, as the sweeper does at t0+1m.
	if _, err := f.s.ClaimFollowUps(f.ctx, school, t0.Add(time.Minute), 10); err != nil || len(f.members("followups")) != 0 {
		t.Fatalf("ClaimFollowUps: %v, left %v", err, f.members("followups"))
	}
	next, err := f.s.Rehint(f.ctx, t0.Add(time.Minute), []string{school, "nobody-here"})
	if err != nil || !next.Equal(t0.Add(timeout)) {
		t.Errorf("Rehint = %s, %v; want the offer's deadline %s", next, err, t0.Add(timeout))
	}
	if at, ok := f.hintOf(school); !ok || !at.Equal(t0.Add(timeout)) {
		t.Errorf("hint = %s (%t), want %s", at, ok, t0.Add(timeout))
	}
	if _, ok := f.hintOf("nobody-here"); ok {
		t.Errorf("a school with nothing waiting has a hint")
	}
	f.accept("anne", "r1", t0.Add(90*time.Second))
	if next, err := f.s.Rehint(f.ctx, t0.Add(90*time.Second), []string{school}); err != nil || !next.IsZero() {
		t.Errorf("Rehint with nothing waiting = %s, %v", next, err)
	}
	if at, ok := f.hintOf(school); ok {
		t.Errorf("hint %s kept with nothing waiting", at)
	}
}

// TestRehintInterleavings: a deadline a writer adds while the sweeper
// resets the school's hint is never lost, in any order of the writer's two
// steps (its script, then its hint) among the sweeper's three (remove the
// hint, read the school's sets, lower the hint).
func TestRehintInterleavings(t *testing.T) {
	// The sweeper handled the offer due at t0+2m (it is gone from the
	// set) and resets the hint it found at that time; meanwhile a new
	// offer is made with its deadline at t0+4m.
	now := t0.Add(timeout)
	later := now.Add(timeout)
	for _, order := range interleavings("WL", "DRS") {
		t.Run(order, func(t *testing.T) {
			f := newFixture(t).on(t)
			dk := f.key("deadlines")
			f.rdb.ZAdd(f.ctx, f.s.dueKey(), redis.Z{Score: float64(now.UnixMilli()), Member: school})
			var hs []heads
			for _, step := range order {
				var err error
				switch step {
				case 'W': // the writer's script
					err = f.rdb.ZAdd(f.ctx, dk, redis.Z{Score: float64(later.UnixMilli()), Member: "r2"}).Err()
				case 'L': // the writer's hint
					f.s.hint(f.ctx, school, nil, later)
				case 'D': // Rehint, as it does it
					err = f.s.unhint(f.ctx, []string{school})
				case 'R':
					hs, err = f.s.heads(f.ctx, "read", []string{school})
				case 'S':
					var zs []redis.Z
					if at := hs[0].earliest(); !math.IsInf(at, 1) {
						zs = append(zs, redis.Z{Score: at, Member: school})
					}
					_, err = f.s.lower(f.ctx, zs)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if at, ok := f.hintOf(school); !ok || at.After(later) {
				t.Errorf("hint %s (%t): the deadline at %s is lost", at, ok, later)
			}
		})
	}
}

// interleavings are the orders of the steps of a and b that keep each one's
// own order.
func interleavings(a, b string) []string {
	if a == "" || b == "" {
		return []string{a + b}
	}
	var out []string
	for _, rest := range interleavings(a[1:], b) {
		out = append(out, a[:1]+rest)
	}
	for _, rest := range interleavings(a, b[1:]) {
		out = append(out, b[:1]+rest)
	}
	return out
}

// TestFullLookPutsBackLostHints: a hint lost (a process stopped between a
// script and its hint) is put back by the full look over every school.
func TestFullLookPutsBackLostHints(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.loseHints()
	if due := f.dueSchools(t0.Add(timeout)); len(due) != 0 {
		t.Fatalf("due without a hint: %v", due)
	}
	due, next, err := f.s.SchoolsWithDueWork(f.ctx, []string{school, "elders"}, t0)
	if err != nil || len(due) != 0 || !next.Equal(t0.Add(timeout)) {
		t.Fatalf("SchoolsWithDueWork = %v, %s, %v", due, next, err)
	}
	if at, ok := f.hintOf(school); !ok || !at.Equal(t0.Add(timeout)) {
		t.Errorf("hint after the full look = %s (%t), want %s", at, ok, t0.Add(timeout))
	}
	if _, ok := f.hintOf("elders"); ok {
		t.Errorf("a hint for a school with nothing waiting")
	}
}

// TestHintKeptWhenRedisFails: a hint this process could not write, after
// its script ran, is written before the next look at the index.
func TestHintKeptWhenRedisFails(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.loseHints()
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer down.Close()
	s := New(down, f.prefix, slog.New(slog.DiscardHandler))
	s.hint(f.ctx, school, nil, t0.Add(timeout))
	if _, _, err := s.DueSchools(f.ctx, t0.Add(timeout), nil); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("DueSchools on a Redis that is down: %v, want ErrUnavailable", err)
	}
	s.rdb = f.rdb // Redis is back
	if due, _, err := s.DueSchools(f.ctx, t0.Add(timeout), nil); err != nil || !slices.Equal(due, []string{school}) {
		t.Errorf("DueSchools once Redis is back = %v, %v; want [%s]", due, err, school)
	}
}

// TestHintAfterLostAnswerWaitsForNothing: after a script whose answer was
// lost (Redis stalled while someone waits), the hint is kept for the next
// look at once, not written: the answer to that someone is not delayed by
// a second wait on the stalled Redis.
func TestHintAfterLostAnswerWaitsForNothing(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.loseHints()
	// A Redis that takes connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			_ = c.Close()
		}
	}()
	stalled := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ReadTimeout: time.Second, MaxRetries: -1})
	defer stalled.Close()
	s := New(stalled, f.prefix, slog.New(slog.DiscardHandler))
	lost := fmt.Errorf("create: %w: %w", ErrOutcomeUnknown, bot.ErrUnavailable)
	start := time.Now()
	s.hint(f.ctx, school, lost, t0.Add(timeout))
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("hint after a lost answer took %s; want no wait on Redis", took)
	}
	s.rdb = f.rdb // Redis answers again
	if due, _, err := s.DueSchools(f.ctx, t0.Add(timeout), nil); err != nil || !slices.Equal(due, []string{school}) {
		t.Errorf("DueSchools once Redis answers = %v, %v; want [%s]", due, err, school)
	}
}

// TestDueIndexStress: writers make and move offers at many schools while
// sweepers reset the hints of all of them; once all stop, every school's
// hint is at or before the earliest deadline it has. Run with -race.
func TestDueIndexStress(t *testing.T) {
	f := newFixture(t)
	const nSchools, writers, sweepers, perWriter = 8, 4, 3, 40
	schools := make([]string, nSchools)
	for i := range schools {
		schools[i] = fmt.Sprintf("school-%d", i)
	}
	stop := make(chan struct{})
	var sweeping, writing sync.WaitGroup
	for range sweepers {
		sweeping.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := f.s.Rehint(f.ctx, t0, schools); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for w := range writers {
		writing.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range perWriter {
				sc := schools[rng.IntN(nSchools)]
				r := request(fmt.Sprintf("w%d-%d", w, i), t0)
				r.SchoolID = sc
				deadline := t0.Add(time.Duration(1+rng.IntN(3600)) * time.Second)
				got, err := f.s.CreateAndOffer(f.ctx, t0, r, cands("anne", "bram", "cor"), deadline, retention)
				if err != nil {
					t.Error(err)
					return
				}
				if got.State == bot.StateOffered && rng.IntN(2) == 0 {
					// Declined: the offer moves on, with a new deadline.
					next := t0.Add(time.Duration(1+rng.IntN(3600)) * time.Second)
					if _, err := f.s.Advance(f.ctx, t0, sc, r.ID, got.OfferNo, bot.ReasonDecline, got.HelperID, cands("anne", "bram", "cor"), next); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	writing.Wait()
	close(stop)
	sweeping.Wait()
	hs, err := f.s.heads(f.ctx, "check", schools)
	if err != nil {
		t.Fatal(err)
	}
	var lost []string
	for i, sc := range schools {
		earliest := hs[i].earliest()
		if math.IsInf(earliest, 1) {
			continue
		}
		at, ok := f.hintOf(sc)
		if !ok || float64(at.UnixMilli()) > earliest {
			lost = append(lost, fmt.Sprintf("%s: hint %s (%t), earliest %s", sc, at, ok, time.UnixMilli(int64(earliest)).UTC()))
		}
	}
	if len(lost) > 0 {
		t.Errorf("deadlines the index lost:\n%s", strings.Join(lost, "\n"))
	}
}
