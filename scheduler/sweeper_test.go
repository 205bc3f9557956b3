package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// notices records what the core told whom, safe for several goroutines.
type notices struct {
	mu   sync.Mutex
	got  []bot.Notice
	more chan struct{} // closed at the next notice
}

func (n *notices) Observe(nt bot.Notice) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, nt)
	if n.more != nil {
		close(n.more)
		n.more = nil
	}
}

func (n *notices) count(kind bot.NoticeKind) int {
	c, _ := n.counted(kind)
	return c
}

// counted is count, and a channel closed at the next notice.
func (n *notices) counted(kind bot.NoticeKind) (int, <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, nt := range n.got {
		if nt.Kind == kind {
			c++
		}
	}
	if n.more == nil {
		n.more = make(chan struct{})
	}
	return c, n.more
}

// wait waits until the core has told want notices of kind, for up to
// five seconds.
func (n *notices) wait(t *testing.T, kind bot.NoticeKind, want int) {
	t.Helper()
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	for {
		got, more := n.counted(kind)
		if got >= want {
			return
		}
		select {
		case <-more:
		case <-deadline.C:
			t.Fatalf("%d %s notices within 5s, want %d", got, kind, want)
		}
	}
}

// eventually waits for cond, which another goroutine makes true, looking
// every every for up to within.
func eventually(t *testing.T, within, every time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	look := time.NewTicker(every)
	defer look.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("not within %s: %s", within, what)
		case <-look.C:
		}
	}
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
	rdb    redis.UniversalClient
	prefix string
	store  *redisstore.Store
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
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	store := redisstore.New(rdb, prefix, quiet)
	svc := bot.NewService(store, said, quiet)
	sw := NewSweeper(dir, svc, time.Now, time.Hour, quiet)
	sw.UseDueIndex(store)
	return &world{sc: sc, rdb: rdb, prefix: prefix, store: store, svc: svc, said: said, sweepr: sw}
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

// lookout is Offers that only answers the look before the work: nothing
// due, the next deadline at next (none when zero). It records when each
// look came, on the bubble's clock, since start.
type lookout struct {
	start time.Time
	next  time.Duration // after start; 0 for no deadline
	mu    sync.Mutex
	looks []time.Duration
}

func (l *lookout) SchoolsWithDueWork(_ context.Context, _ []string, now time.Time) ([]string, time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.looks = append(l.looks, now.Sub(l.start))
	if l.next == 0 || now.Sub(l.start) >= l.next {
		return nil, time.Time{}, nil
	}
	return nil, l.start.Add(l.next), nil
}

func (l *lookout) seen() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.looks)
}

func (*lookout) CloseUnpicked(context.Context, time.Time, *bot.School) (int, error) { return 0, nil }

func (*lookout) DueOffers(context.Context, string, time.Time, int) ([]bot.OfferRef, error) {
	return nil, nil
}

func (*lookout) Timeout(context.Context, time.Time, *bot.School, string, int) (bot.Request, error) {
	return bot.Request{}, errors.New("lookout: nothing is due")
}

func (*lookout) FollowUps(context.Context, time.Time, *bot.School) (int, error) { return 0, nil }

// runLookout runs a sweeper that looks every interval on a lookout whose
// next deadline is next, inside a synctest bubble, until the bubble's
// clock has moved on by d; it returns when the sweeper looked.
func runLookout(t *testing.T, interval, next, d time.Duration) []time.Duration {
	t.Helper()
	dir, err := bot.NewDirectory([]*bot.School{school(t)})
	if err != nil {
		t.Fatal(err)
	}
	var looks []time.Duration
	synctest.Test(t, func(t *testing.T) {
		l := &lookout{start: time.Now(), next: next}
		s := NewSweeper(dir, l, time.Now, interval, quiet)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx); close(done) }()
		time.Sleep(d) // the bubble's clock: no real time passes
		cancel()
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("Run did not return after its context ended")
		}
		looks = l.seen()
	})
	return looks
}

func TestRunStopsWithContext(t *testing.T) {
	// Looks at 0, 5, 10, 15 and 20 ms, then its context ends.
	looks := runLookout(t, 5*time.Millisecond, 0, 22*time.Millisecond)
	if len(looks) != 5 {
		t.Errorf("looks at %v, want 5, every 5ms", looks)
	}
}

// TestRunLooksAgain: the sweeper looks again after its interval, or just
// after the next deadline when that comes sooner, but not sooner than
// minGap after its last look.
func TestRunLooksAgain(t *testing.T) {
	for _, tc := range []struct {
		name string
		next time.Duration // the next deadline after the first look; 0 for none
		want time.Duration // when the second look comes
	}{
		{name: "no deadline: after the interval", want: time.Hour},
		{name: "deadline sooner: just after it", next: 200 * time.Millisecond, want: 201 * time.Millisecond},
		{name: "deadline very soon: after the least gap", next: 10 * time.Millisecond, want: minGap},
		{name: "deadline later than the interval: after the interval", next: 2 * time.Hour, want: time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			looks := runLookout(t, time.Hour, tc.next, tc.want+time.Microsecond)
			if len(looks) != 2 || looks[0] != 0 || looks[1] != tc.want {
				t.Errorf("looks at %v, want at 0s and %s", looks, tc.want)
			}
		})
	}
}

// TestRunWakesAtTheDeadline: on the store, the sweeper does not wait for
// its interval (an hour here) when a deadline comes sooner: it moves the
// offer on just after it.
func TestRunWakesAtTheDeadline(t *testing.T) {
	w := newWorld(t, "anne", "bram")
	w.ask(t, time.Now())
	// The sweeper's clock is 200 ms short of the offer's deadline.
	w.sweepr.now = func() time.Time { return time.Now().Add(w.sc.OfferTimeout - 200*time.Millisecond) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.sweepr.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	w.said.wait(t, bot.NoticeOfferLapsed, 1)
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
