package redisstore

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// TestCloseUnpicked: at the end of the school day the escalated requests
// created before it are closed, counted, out of every index, and the
// requester and the fallback channel are told in the same step; offered,
// accepted and later requests stay; a second call closes nothing.
func TestCloseUnpicked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("r1", t0, nil)                            // escalated
	f.create("r2", t0.Add(time.Minute), cands("anne")) // offered
	f.create("r3", t0.Add(2*time.Minute), cands("bram"))
	f.accept("bram", "r3", t0.Add(3*time.Minute)) // accepted
	end := t0.Add(8 * time.Hour)
	f.create("r4", end.Add(time.Minute), nil) // escalated after the day ended

	at := end.Add(2 * time.Minute)
	got, err := f.s.CloseUnpicked(f.ctx, at, school, end)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"r1"}) {
		t.Fatalf("closed %v; want [r1]", got)
	}
	r1, err := f.s.Request(f.ctx, school, "r1")
	if err != nil || r1.State != bot.StateUnpicked || !r1.ClosedAt.Equal(at) {
		t.Errorf("r1 = %+v, %v; want unpicked, closed at %v", r1, err, at)
	}
	for _, id := range []string{"r2", "r3", "r4"} {
		if r, _ := f.s.Request(f.ctx, school, id); !r.State.Active() {
			t.Errorf("%s = %s; want still active", id, r.State)
		}
	}
	for _, k := range []string{"active", f.mine(marie), "followups"} {
		for _, m := range f.members(k) {
			if strings.HasPrefix(m, "r1=") {
				t.Errorf("r1 still in %s", k)
			}
		}
	}
	if st := f.stats(); st["unpicked"] != 1 {
		t.Errorf("stats = %v; want unpicked 1", st)
	}
	q := f.queued()
	for _, k := range []string{"n/r1/unpicked/0/requester", "n/r1/unpicked/0/channel"} {
		if q[k] == "" {
			t.Errorf("outbox lacks %s: %v", k, q)
		}
	}
	before := f.snapshot()
	again, err := f.s.CloseUnpicked(f.ctx, at.Add(time.Minute), school, end)
	if err != nil || len(again) != 0 {
		t.Errorf("second close = %v, %v; want nothing", again, err)
	}
	sameSnapshot(t, before, f.snapshot())
}

// TestCloseUnpickedRace: replicas closing at the same moment close each
// request once and queue its notices once.
func TestCloseUnpickedRace(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 20 {
		f.create("r"+string(rune('a'+i)), t0.Add(time.Duration(i)*time.Second), nil)
	}
	end := t0.Add(8 * time.Hour)
	var (
		mu     sync.Mutex
		closed []string
		wg     sync.WaitGroup
	)
	for range 3 {
		wg.Go(func() {
			got, err := f.s.CloseUnpicked(f.ctx, end, school, end)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			closed = append(closed, got...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(closed)
	if len(closed) != 20 || len(slices.Compact(closed)) != 20 {
		t.Errorf("closed %d (%v); want each of 20 once", len(closed), closed)
	}
	if st := f.stats(); st["unpicked"] != 20 {
		t.Errorf("unpicked counted %d; want 20", st["unpicked"])
	}
	n := 0
	for k := range f.queued() {
		if strings.Contains(k, "/unpicked/") {
			n++
		}
	}
	if n != 40 {
		t.Errorf("%d unpicked notices queued; want 40 (requester and channel of each)", n)
	}
}
