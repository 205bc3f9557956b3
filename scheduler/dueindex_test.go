package scheduler

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// loseHints deletes the store's due index, as a process stopped between a
// change and its hint would have left it.
func (w *world) loseHints(t *testing.T) {
	t.Helper()
	if err := w.rdb.Del(context.Background(), w.prefix+":due").Err(); err != nil {
		t.Fatal(err)
	}
}

// TestLostHintFoundByFullLook: an offer whose hint in the due index is lost
// is not seen by the look at the index, and moves on at the next full look,
// within FullLookEvery.
func TestLostHintFoundByFullLook(t *testing.T) {
	w := newWorld(t, "anne", "bram")
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
	w.ask(t, t0) // to anne, deadline t0+2m
	full := t0.Add(w.sc.OfferTimeout - 10*time.Second)
	if n := w.sweep(t, full); n != 0 { // the first look: a full one
		t.Fatalf("moved %d before the deadline", n)
	}
	w.loseHints(t)
	due := t0.Add(w.sc.OfferTimeout)
	if n := w.sweep(t, due); n != 0 {
		t.Fatalf("the look at the index moved %d without a hint; want 0 (is it a full look?)", n)
	}
	if n := w.sweep(t, full.Add(FullLookEvery-time.Millisecond)); n != 0 {
		t.Fatalf("moved %d before the full look was due", n)
	}
	if n := w.sweep(t, full.Add(FullLookEvery)); n != 1 {
		t.Errorf("the full look moved %d; want the offer whose hint was lost", n)
	}
	if got := w.said.count(bot.NoticeOffer); got != 2 {
		t.Errorf("%d offers made, want 2: anne's, then bram's", got)
	}
}

// TestIndexFindsEveryDeadline: between full looks, the sweeper finds at
// the due index an offer made after its full look and its follow-up, each
// at its time and not before, and the offer its timeout made: Rehint set
// the next hint.
func TestIndexFindsEveryDeadline(t *testing.T) {
	w := newWorld(t, "anne", "bram", "cees")
	w.sc.FollowUpAfter = 90 * time.Second
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, w.sc.Location)
	w.sweep(t, t0) // the full look, before anything was asked
	w.ask(t, t0.Add(time.Second))
	for _, tc := range []struct {
		at                   time.Time
		offers, followUps, n int
	}{
		{t0.Add(91*time.Second - time.Millisecond), 1, 0, 0},
		{t0.Add(91 * time.Second), 1, 1, 0},  // the follow-up
		{t0.Add(121 * time.Second), 2, 1, 1}, // anne's deadline: to bram
		{t0.Add(241*time.Second - time.Millisecond), 2, 1, 0},
		{t0.Add(241 * time.Second), 3, 1, 1}, // bram's deadline: to cees
	} {
		// Every look here at the index: the last full look a second ago.
		w.sweepr.fullMu.Lock()
		w.sweepr.lastFull = tc.at.Add(-time.Second)
		w.sweepr.fullMu.Unlock()
		if n := w.sweep(t, tc.at); n != tc.n {
			t.Errorf("at %s: moved %d, want %d", tc.at.Sub(t0), n, tc.n)
		}
		if got := w.said.count(bot.NoticeOffer); got != tc.offers {
			t.Errorf("at %s: %d offers, want %d", tc.at.Sub(t0), got, tc.offers)
		}
		if got := w.said.count(bot.NoticeFollowUp); got != tc.followUps {
			t.Errorf("at %s: %d follow-ups, want %d", tc.at.Sub(t0), got, tc.followUps)
		}
	}
}

// indexLookout is a lookout with a due index that has nothing due: it
// records the looks at the index apart from the full ones.
type indexLookout struct {
	*lookout
	mu    sync.Mutex
	index []time.Duration
}

func (l *indexLookout) DueSchools(_ context.Context, now time.Time, _ func(string) bool) ([]string, time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.index = append(l.index, now.Sub(l.start))
	return nil, time.Time{}, nil
}

func (*indexLookout) Rehint(context.Context, time.Time, []string) (time.Time, error) {
	return time.Time{}, nil
}

// TestRunFullLookEvery: with a due index the sweeper looks at the index
// every interval, and at every school at start and every FullLookEvery,
// also when its interval is longer.
func TestRunFullLookEvery(t *testing.T) {
	dir, err := bot.NewDirectory([]*bot.School{school(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		interval   time.Duration
		full       []time.Duration
		indexLooks int
	}{
		{"interval a second", time.Second, []time.Duration{0, FullLookEvery, 2 * FullLookEvery}, 58},
		{"interval an hour", time.Hour, []time.Duration{0, FullLookEvery, 2 * FullLookEvery}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := &indexLookout{lookout: &lookout{start: time.Now()}}
				s := NewSweeper(dir, l, time.Now, tc.interval, quiet)
				s.UseDueIndex(l)
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan struct{})
				go func() { s.Run(ctx); close(done) }()
				time.Sleep(2*FullLookEvery + time.Millisecond)
				cancel()
				synctest.Wait()
				<-done
				if got := l.seen(); !slices.Equal(got, tc.full) {
					t.Errorf("full looks at %v, want %v", got, tc.full)
				}
				l.mu.Lock()
				defer l.mu.Unlock()
				if len(l.index) != tc.indexLooks {
					t.Errorf("%d looks at the index, want %d", len(l.index), tc.indexLooks)
				}
			})
		})
	}
}
