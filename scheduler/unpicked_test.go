package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// TestSweeperClosesUnpicked: a request nobody picked up from the fallback
// channel is closed when the school day ends (its last day part, 17:00),
// not before; with three replicas sweeping at that moment it is closed,
// and its teacher told, once. A request asked after the day ended waits
// for the next day's end.
func TestSweeperClosesUnpicked(t *testing.T) {
	w := newWorld(t) // no helpers: every request goes to the fallback channel
	loc := w.sc.Location
	day := func(d, h, m int) time.Time { return time.Date(2026, 11, 26+d, h, m, 0, 0, loc) }
	r := w.ask(t, day(0, 15, 0))
	if r.State != bot.StateEscalated {
		t.Fatalf("request %s; want escalated", r.State)
	}
	ctx := context.Background()
	if _, err := w.sweepr.Sweep(ctx, day(0, 16, 59)); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.said.counted(bot.NoticeUnpicked); n != 0 {
		t.Fatalf("%d closed before the day ended", n)
	}
	dir, err := bot.NewDirectory([]*bot.School{w.sc})
	if err != nil {
		t.Fatal(err)
	}
	replicas := []*Sweeper{w.sweepr, NewSweeper(dir, w.svc, time.Now, time.Hour, quiet), NewSweeper(dir, w.svc, time.Now, time.Hour, quiet)}
	var wg sync.WaitGroup
	for _, s := range replicas {
		wg.Go(func() {
			if _, err := s.Sweep(ctx, day(0, 17, 0)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n, _ := w.said.counted(bot.NoticeUnpicked); n != 1 {
		t.Errorf("%d closings at the day's end across three replicas; want 1", n)
	}
	got, err := w.store.Request(ctx, w.sc.ID, r.ID)
	if err != nil || got.State != bot.StateUnpicked {
		t.Errorf("request %+v, %v; want unpicked", got, err)
	}

	// Asked in the evening: still open that night, closed the next day.
	late := w.ask(t, day(0, 19, 0))
	for _, s := range replicas {
		if _, err := s.Sweep(ctx, day(0, 20, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := w.store.Request(ctx, w.sc.ID, late.ID); got.State != bot.StateEscalated {
		t.Errorf("evening request %s that night; want still escalated", got.State)
	}
	if _, err := w.sweepr.Sweep(ctx, day(1, 17, 0)); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.store.Request(ctx, w.sc.ID, late.ID); got.State != bot.StateUnpicked {
		t.Errorf("evening request %s the next day's end; want unpicked", got.State)
	}
}
