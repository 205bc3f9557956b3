package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// notices records what the core told whom, safe for several goroutines.
type notices struct {
	mu  sync.Mutex
	got []bot.Notice
}

func (n *notices) Observe(nt bot.Notice) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, nt)
}

func (n *notices) count(kind bot.NoticeKind) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, nt := range n.got {
		if nt.Kind == kind {
			c++
		}
	}
	return c
}

func school(t *testing.T, helpers ...string) *bot.School {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	always, err := bot.ParseSchedule([]string{"altijd"}, bot.DefaultDayParts())
	if err != nil {
		t.Fatal(err)
	}
	sc := &bot.School{ID: "de-vaart", Name: "De Vaart", Language: "nl", Location: loc,
		Groups: []bot.Group{{ID: "5"}}, DayParts: bot.DefaultDayParts(), FallbackChannel: "kernteam",
		OfferTimeout: 2 * time.Minute, Retention: time.Hour}
	for _, h := range helpers {
		sc.Helpers = append(sc.Helpers, bot.Helper{ID: h, Name: h, Role: bot.RoleJeugdhulpverlener,
			Accounts: bot.Accounts{{Platform: shell, Handle: h}}, Schedule: always})
	}
	return sc
}

type world struct {
	sc     *bot.School
	svc    *bot.Service
	said   *notices
	sweepr *Sweeper
}

func newWorld(t *testing.T, helpers ...string) *world {
	t.Helper()
	sc := school(t, helpers...)
	dir, err := bot.NewDirectory([]*bot.School{sc})
	if err != nil {
		t.Fatal(err)
	}
	said := &notices{}
	svc := bot.NewService(redisstore.New(redistest.Client(t), redistest.Prefix(t), quiet), said, quiet)
	return &world{sc: sc, svc: svc, said: said, sweepr: NewSweeper(dir, svc, time.Now, time.Hour, quiet)}
}

func (w *world) ask(t *testing.T, now time.Time) bot.Request {
	t.Helper()
	r, err := w.svc.RequestHelp(context.Background(), now, w.sc, bot.HelpRequest{From: bot.Actor{Address: bot.Address{Platform: shell, Handle: "juf.marie"}}, Group: "5"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (w *world) sweep(t *testing.T, now time.Time) int {
	t.Helper()
	n, err := w.sweepr.Sweep(context.Background(), now)
	if err != nil {
		t.Fatalf("Sweep(%s): %v", now, err)
	}
	return n
}

func TestSweepMovesDueOffersOn(t *testing.T) {
	w := newWorld(t, "anne", "bram")
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
	r := w.ask(t, t0)
	if r.State != bot.StateOffered || r.HelperID != "anne" {
		t.Fatalf("request = %s to %q, want offered to anne", r.State, r.HelperID)
	}
	if n := w.sweep(t, t0.Add(2*time.Minute-time.Millisecond)); n != 0 {
		t.Errorf("a millisecond before the deadline the sweeper moved %d offers, want 0", n)
	}
	if n := w.sweep(t, t0.Add(2*time.Minute)); n != 1 {
		t.Fatalf("at the deadline the sweeper moved %d offers, want 1", n)
	}
	if n := w.sweep(t, t0.Add(2*time.Minute)); n != 0 {
		t.Errorf("a second sweep at the same moment moved %d offers, want 0", n)
	}
	if got := w.said.count(bot.NoticeOfferLapsed); got != 1 {
		t.Errorf("anne was told %d times her offer lapsed, want 1", got)
	}
	// Bram's offer runs from the first deadline; nobody after him.
	if n := w.sweep(t, t0.Add(4*time.Minute)); n != 1 {
		t.Fatalf("at bram's deadline the sweeper moved %d offers, want 1", n)
	}
	if got := w.said.count(bot.NoticeEscalated); got != 1 {
		t.Errorf("fallback channel told %d times, want 1", got)
	}
	if got := w.said.count(bot.NoticeNobody); got != 1 {
		t.Errorf("teacher told %d times nobody is available, want 1", got)
	}
	if n := w.sweep(t, t0.Add(time.Hour)); n != 0 {
		t.Errorf("an escalated request was moved again (%d)", n)
	}
}

func TestSweepLeavesAcceptedOffer(t *testing.T) {
	w := newWorld(t, "anne", "bram")
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
	r := w.ask(t, t0)
	anne := bot.Actor{Address: bot.Address{Platform: shell, Handle: "anne"}}
	// Accepted one millisecond before the deadline.
	if _, err := w.svc.Accept(context.Background(), t0.Add(2*time.Minute-time.Millisecond), w.sc, anne, r.ID, r.OfferNo); err != nil {
		t.Fatal(err)
	}
	if n := w.sweep(t, t0.Add(2*time.Minute)); n != 0 {
		t.Errorf("the sweeper moved %d accepted offers, want 0", n)
	}
	if got := w.said.count(bot.NoticeOffer); got != 1 {
		t.Errorf("%d offers sent, want only anne's", got)
	}
}

// TestParallelSweepers: five sweepers over one store at the same moment move
// each due offer exactly once.
func TestParallelSweepers(t *testing.T) {
	helpers := []string{"h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10"}
	w := newWorld(t, helpers...)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
	for i := range 5 {
		w.ask(t, t0.Add(time.Duration(i)*time.Second))
	}
	// Three more rounds: every offer lapses, 5 → next helper, each round.
	for round := 1; round <= 3; round++ {
		at := t0.Add(time.Duration(round) * 2 * time.Minute).Add(10 * time.Second)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := w.sweepr.Sweep(context.Background(), at)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 5 {
			t.Errorf("round %d: sweepers moved %d offers together, want 5", round, total)
		}
	}
	if got, want := w.said.count(bot.NoticeOffer), 5*4; got != want {
		t.Errorf("%d offers sent, want %d (5 requests × 4 helpers each)", got, want)
	}
	if got := w.said.count(bot.NoticeOfferLapsed); got != 15 {
		t.Errorf("%d lapsed notices, want 15", got)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	w := newWorld(t, "anne")
	w.sweepr.interval = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.sweepr.Run(ctx); close(done) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestRunWakesAtTheDeadline: the sweeper does not wait for its interval
// (an hour here) when a deadline comes sooner: it looks again just after it.
func TestRunWakesAtTheDeadline(t *testing.T) {
	w := newWorld(t, "anne", "bram")
	w.ask(t, time.Now())
	// The sweeper's clock is 200 ms short of the offer's deadline.
	w.sweepr.now = func() time.Time { return time.Now().Add(w.sc.OfferTimeout - 200*time.Millisecond) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.sweepr.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(5 * time.Second)
	for w.said.count(bot.NoticeOfferLapsed) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the offer was not moved on after its deadline: the sweeper waited for its interval")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := w.said.count(bot.NoticeOffer); got != 2 {
		t.Errorf("%d offers made, want 2: anne's, then bram's", got)
	}
}

// TestFollowUpOnce: a teacher whose request nobody accepted hears once how it
// stands, however many sweepers run.
func TestFollowUpOnce(t *testing.T) {
	w := newWorld(t, "anne")
	w.sc.FollowUpAfter = 5 * time.Minute
	w.sc.OfferTimeout = 10 * time.Minute
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
	w.ask(t, t0)
	w.sweep(t, t0.Add(5*time.Minute-time.Second))
	if got := w.said.count(bot.NoticeFollowUp); got != 0 {
		t.Fatalf("follow-up before it was due (%d)", got)
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = w.sweepr.Sweep(context.Background(), t0.Add(5*time.Minute)) }()
	}
	wg.Wait()
	w.sweep(t, t0.Add(6*time.Minute))
	if got := w.said.count(bot.NoticeFollowUp); got != 1 {
		t.Errorf("teacher followed up %d times, want 1", got)
	}
}

// TestNoFollowUpAfterAccept: accepted in time, no reminder.
func TestNoFollowUpAfterAccept(t *testing.T) {
	w := newWorld(t, "anne")
	w.sc.FollowUpAfter = 5 * time.Minute
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
	r := w.ask(t, t0)
	anne := bot.Actor{Address: bot.Address{Platform: shell, Handle: "anne"}}
	if _, err := w.svc.Accept(context.Background(), t0.Add(time.Minute), w.sc, anne, r.ID, r.OfferNo); err != nil {
		t.Fatal(err)
	}
	w.sweep(t, t0.Add(10*time.Minute))
	if got := w.said.count(bot.NoticeFollowUp); got != 0 {
		t.Errorf("follow-up after acceptance (%d)", got)
	}
}

// TestBacklog: more due offers than one read takes are all moved in one sweep.
func TestBacklog(t *testing.T) {
	const batch = 7
	helpers := make([]string, 0, 2*batch+10)
	for i := range cap(helpers) {
		helpers = append(helpers, fmt.Sprintf("h%d", i))
	}
	w := newWorld(t, helpers...)
	w.sweepr.batch = batch
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
	n := 2*batch + 3
	for range n {
		w.ask(t, t0)
	}
	if got := w.sweep(t, t0.Add(w.sc.OfferTimeout)); got != n {
		t.Errorf("one sweep moved %d of %d due offers", got, n)
	}
}

// TestDeclineRacesTimeout: the helper presses "Kan nu niet" at the very
// moment the sweeper finds the offer due. The offer moves on once: one next
// offer, never two.
func TestDeclineRacesTimeout(t *testing.T) {
	for round := range 20 {
		w := newWorld(t, "anne", "bram", "chris")
		t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
		r := w.ask(t, t0)
		due := t0.Add(w.sc.OfferTimeout)
		anne := bot.Actor{Address: bot.Address{Platform: shell, Handle: "anne"}}
		var wg sync.WaitGroup
		var declineErr, sweepErr error
		var swept int
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, declineErr = w.svc.Decline(context.Background(), due, w.sc, anne, r.ID, r.OfferNo)
		}()
		go func() { defer wg.Done(); swept, sweepErr = w.sweepr.Sweep(context.Background(), due) }()
		wg.Wait()
		if sweepErr != nil {
			t.Fatalf("round %d: sweep: %v", round, sweepErr)
		}
		declined := declineErr == nil
		if declined == (swept == 1) {
			t.Fatalf("round %d: decline err %v and sweep moved %d: want exactly one of them to move the offer", round, declineErr, swept)
		}
		if got := w.said.count(bot.NoticeOffer); got != 2 {
			t.Fatalf("round %d: %d offers sent, want 2 (anne, then one next helper)", round, got)
		}
	}
}
