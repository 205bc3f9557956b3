package redisstore

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

var kernteamlid = bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "meester.joost"}, Name: "Joost"}

func TestPickup(t *testing.T) {
	f := newFixture(t)
	esc := f.create("r1", t0, nil) // nobody on duty: escalated
	if esc.State != bot.StateEscalated {
		t.Fatalf("state = %s, want escalated", esc.State)
	}
	at := t0.Add(90 * time.Second)
	r, err := f.s.Pickup(f.ctx, at, school, "r1", kernteamlid, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.State != bot.StateAccepted || r.PickedBy != kernteamlid.Address || r.PickedByName != "Joost" || !r.AcceptedAt.Equal(at) || r.HelperID != "" {
		t.Errorf("picked up: %+v", r)
	}
	if got := f.members("active"); len(got) != 0 {
		t.Errorf("active still holds %v after a pick-up by a non-helper", got)
	}
	st := f.stats()
	if st["accepted"] != 1 || st["picked_up"] != 1 || st["escalated"] != 1 {
		t.Errorf("counters = %v", st)
	}
	if d, err := f.s.TimesToAccept(f.ctx, school, week); err != nil || len(d) != 1 || d[0] != 90*time.Second {
		t.Errorf("times to accept = %v, %v; want [1m30s]", d, err)
	}

	// Pressed twice, or by a second person: nothing changes.
	before := f.snapshot()
	if _, err := f.s.Pickup(f.ctx, at.Add(time.Second), school, "r1", kernteamlid, ""); !errors.Is(err, bot.ErrAlreadyAccepted) {
		t.Errorf("second press: %v, want ErrAlreadyAccepted", err)
	}
	if _, err := f.s.Pickup(f.ctx, at, school, "nope", kernteamlid, ""); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("unknown request: %v, want ErrNotFound", err)
	}
	sameSnapshot(t, before, f.snapshot())
}

func TestPickupByHelper(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, nil)
	f.create("r2", t0, nil)
	anne := bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "anne"}, Name: "Anne"}
	r, err := f.s.Pickup(f.ctx, t0, school, "r1", anne, "anne")
	if err != nil {
		t.Fatal(err)
	}
	if r.HelperID != "anne" || f.engaged("anne") != "r1" {
		t.Errorf("helper %q, engaged %q; want anne working on r1", r.HelperID, f.engaged("anne"))
	}
	// Busy with r1: she cannot take r2 too.
	before := f.snapshot()
	if _, err := f.s.Pickup(f.ctx, t0, school, "r2", anne, "anne"); !errors.Is(err, bot.ErrBusy) {
		t.Errorf("second pick-up by a busy helper: %v, want ErrBusy", err)
	}
	sameSnapshot(t, before, f.snapshot())
	// She closes it with /hulp klaar like an accepted offer.
	if _, err := f.s.Resolve(f.ctx, t0.Add(time.Minute), school, "anne", ""); err != nil {
		t.Fatalf("resolve after pick-up: %v", err)
	}
	if f.engaged("anne") != "" {
		t.Error("anne still engaged after resolving")
	}
}

func TestPickupOnlyEscalated(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne")) // offered, not escalated
	before := f.snapshot()
	if _, err := f.s.Pickup(f.ctx, t0, school, "r1", kernteamlid, ""); !errors.Is(err, bot.ErrClosed) {
		t.Errorf("pick-up of an offered request: %v, want ErrClosed", err)
	}
	sameSnapshot(t, before, f.snapshot())
}

// TestPickupRace: ten people press at once; one wins.
func TestPickupRace(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.s.Pickup(f.ctx, t0, school, "r1", kernteamlid, "")
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				won++
			} else if !errors.Is(err, bot.ErrAlreadyAccepted) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d presses won, want 1", won)
	}
}

func TestFollowUps(t *testing.T) {
	f := newFixture(t)
	// Offered, still going round the helpers: a follow-up each (r1, r2);
	// none asked (r3); escalated, whose teacher heard it then with what to
	// do (r4): nothing new to tell.
	for i, id := range []string{"r1", "r2", "r3", "r4"} {
		r := request(id, t0)
		r.FollowUpAt = t0.Add(5 * time.Minute)
		if id == "r3" {
			r.FollowUpAt = time.Time{} // none asked
		}
		var cs []bot.Candidate
		if id != "r4" {
			cs = cands([]string{"anne", "bram", "cees"}[i])
		}
		if _, err := f.s.CreateAndOffer(f.ctx, t0, r, cs, t0.Add(time.Hour), retention); err != nil {
			t.Fatal(err)
		}
	}
	if ids, err := f.s.ClaimFollowUps(f.ctx, school, t0.Add(5*time.Minute-time.Millisecond), 10); err != nil || len(ids) != 0 {
		t.Errorf("before due: %v, %v", ids, err)
	}
	// Two processes claim at the same moment: each id goes to one of them.
	var wg sync.WaitGroup
	got := make([][]string, 2)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids, err := f.s.ClaimFollowUps(f.ctx, school, t0.Add(5*time.Minute), 10)
			if err != nil {
				t.Error(err)
			}
			got[i] = ids
		}()
	}
	wg.Wait()
	all := slices.Sorted(slices.Values(append(append([]string{}, got[0]...), got[1]...)))
	if !slices.Equal(all, []string{"r1", "r2"}) {
		t.Errorf("claimed %v and %v, want r1 and r2 once in all", got[0], got[1])
	}
	if ids, _ := f.s.ClaimFollowUps(f.ctx, school, t0.Add(time.Hour), 10); len(ids) != 0 {
		t.Errorf("claimed again: %v", ids)
	}
}

func TestSchoolsWithDueWork(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne")) // deadline t0+2m
	r := request("r2", t0)
	r.FollowUpAt = t0.Add(time.Minute)
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, nil, t0.Add(timeout), retention); err != nil {
		t.Fatal(err)
	}
	schools := []string{"elders", school, "nog-een"}
	for _, tc := range []struct {
		at   time.Time
		want []string
		next time.Time
	}{
		{t0, nil, t0.Add(time.Minute)},
		{t0.Add(time.Minute), []string{school}, t0.Add(timeout)}, // the follow-up
		{t0.Add(timeout), []string{school}, time.Time{}},         // and the deadline
		{t0.Add(-time.Hour), nil, t0.Add(time.Minute)},
	} {
		got, next, err := f.s.SchoolsWithDueWork(f.ctx, schools, tc.at)
		if err != nil || !slices.Equal(got, tc.want) || !next.Equal(tc.next) {
			t.Errorf("at %s: %v, next %s, %v; want %v, next %s", tc.at, got, next, err, tc.want, tc.next)
		}
	}
}
