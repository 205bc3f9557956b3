package redisstore

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// hold stores request id held for bot.HoldFor from now.
func (f *fixture) hold(id string, now time.Time) bot.Request {
	f.t.Helper()
	r, err := f.s.Hold(f.ctx, now, request(id, now), now.Add(bot.HoldFor), retention)
	if err != nil {
		f.t.Fatalf("Hold(%s): %v", id, err)
	}
	return r
}

func (f *fixture) letGo(id string, now time.Time, how bot.ReleaseHow, cs ...string) (bot.Request, error) {
	who := marie
	if how == bot.ReleaseTimeout {
		who = bot.Address{}
	}
	return f.s.LetGo(f.ctx, now, school, id, who, how, cands(cs...), now.Add(timeout), now.Add(5*time.Minute))
}

// TestHold: a held request reaches nobody — no offer, no helper engaged,
// no notice, not counted as a request yet — and its deadline waits with
// the offers' for the sweeper.
func TestHold(t *testing.T) {
	f := newFixture(t)
	r := f.hold("r1", t0)
	if r.State != bot.StateHeld || r.HelperID != "" || r.OfferNo != 0 || r.Note != "onrust na gym" || !r.Deadline.Equal(t0.Add(bot.HoldFor)) {
		t.Fatalf("held: %+v", r)
	}
	if q := f.queued(); len(q) != 0 {
		t.Errorf("a hold queued %v", q)
	}
	if f.engaged("anne") != "" {
		t.Error("a helper is engaged in a held request")
	}
	due, err := f.s.DueOffers(f.ctx, school, t0.Add(bot.HoldFor), 10)
	if err != nil || len(due) != 1 || due[0].RequestID != "r1" || due[0].OfferNo != 0 {
		t.Errorf("DueOffers at the hold's deadline = %v, %v; want r1", due, err)
	}
	if got := f.members("followups"); len(got) != 0 {
		t.Errorf("follow-ups %v for a request nobody was asked for", got)
	}
	st := f.stats()
	if st["held"] != 1 || st["requests"] != 0 || st["offers"] != 0 {
		t.Errorf("counters = %v; want held 1 and no request yet", st)
	}
	// Delivered twice: the same hold.
	before := f.snapshot()
	if _, err := f.s.Hold(f.ctx, t0, request("r1", t0), t0.Add(bot.HoldFor), retention); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("repeated hold: %v, want ErrDuplicate", err)
	}
	sameSnapshot(t, before, f.snapshot())
}

func TestLetGo(t *testing.T) {
	at := t0.Add(30 * time.Second)
	tests := []struct {
		name      string
		how       bot.ReleaseHow
		now       time.Time
		cands     []string
		state     bot.State
		note      string
		counter   string
		notices   map[string]string
		followUps int
	}{
		{name: "without its note", how: bot.ReleaseWithoutNote, now: at, cands: []string{"anne"}, state: bot.StateOffered,
			counter: "held_sent_without_note", followUps: 1,
			notices: map[string]string{"n/r1/offer/1/helper": "notice|offer|r1|1|helper:anne|anne||"}},
		{name: "as typed", how: bot.ReleaseAnyway, now: at, cands: []string{"anne"}, state: bot.StateOffered, note: "onrust na gym",
			counter: "held_sent_anyway", followUps: 1,
			notices: map[string]string{"n/r1/offer/1/helper": "notice|offer|r1|1|helper:anne|anne||"}},
		{name: "without its note, nobody free: the channel", how: bot.ReleaseWithoutNote, now: at, state: bot.StateEscalated,
			counter: "held_sent_without_note", followUps: 1,
			notices: map[string]string{"n/r1/escalated/0/channel": "notice|escalated|r1|0|channel|||"}},
		{name: "withdrawn: nobody told, the note gone at once", how: bot.ReleaseCancel, now: at, cands: []string{"anne"}, state: bot.StateCancelled,
			counter: "held_cancelled", notices: map[string]string{}},
		{name: "nobody chose in time: without its note, and the requester told", how: bot.ReleaseTimeout, now: t0.Add(bot.HoldFor), cands: []string{"anne"},
			state: bot.StateOffered, counter: "held_timeout", followUps: 1,
			notices: map[string]string{
				"n/r1/offer/1/helper":        "notice|offer|r1|1|helper:anne|anne||",
				"n/r1/held_sent/1/requester": "notice|held_sent|r1|1|requester|anne||",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.hold("r1", t0)
			r, err := f.letGo("r1", tt.now, tt.how, tt.cands...)
			if err != nil {
				t.Fatal(err)
			}
			if r.State != tt.state || r.Note != tt.note {
				t.Errorf("let go: state %s note %q; want %s %q", r.State, r.Note, tt.state, tt.note)
			}
			if got, _ := f.s.Request(f.ctx, school, "r1"); got.Note != tt.note {
				t.Errorf("stored note %q, want %q", got.Note, tt.note)
			}
			q := f.queued()
			if len(q) != len(tt.notices) {
				t.Errorf("queued %v, want %v", q, tt.notices)
			}
			for k, v := range tt.notices {
				if q[k] != v {
					t.Errorf("queued[%s] = %q, want %q", k, q[k], v)
				}
			}
			st := f.stats()
			if st["held"] != 1 || st[tt.counter] != 1 {
				t.Errorf("counters %v; want held and %s", st, tt.counter)
			}
			if sent := tt.state != bot.StateCancelled; (st["requests"] == 1) != sent {
				t.Errorf("counted as a request: %d; sent %v", st["requests"], sent)
			}
			if got := len(f.members("followups")); got != tt.followUps {
				t.Errorf("%d follow-ups, want %d", got, tt.followUps)
			}
			if tt.state == bot.StateOffered && f.engaged("anne") != "r1" {
				t.Error("anne is not engaged in the offer")
			}
			// A second press, or the deadline after a press: how it stands,
			// nothing changed.
			before := f.snapshot()
			for _, how := range []bot.ReleaseHow{bot.ReleaseWithoutNote, bot.ReleaseAnyway, bot.ReleaseCancel, bot.ReleaseTimeout} {
				again, err := f.letGo("r1", t0.Add(time.Hour), how, "anne", "bram")
				if !errors.Is(err, bot.ErrNotHeld) || again.State != tt.state {
					t.Errorf("%s again: %s, %v; want ErrNotHeld with state %s", how, again.State, err, tt.state)
				}
			}
			sameSnapshot(t, before, f.snapshot())
		})
	}
}

func TestLetGoRefused(t *testing.T) {
	f := newFixture(t)
	f.hold("r1", t0)
	before := f.snapshot()
	if _, err := f.letGo("r1", t0.Add(bot.HoldFor-time.Millisecond), bot.ReleaseTimeout, "anne"); !errors.Is(err, bot.ErrStale) {
		t.Errorf("timeout before the deadline: %v, want ErrStale", err)
	}
	other := bot.Address{Platform: mattermost, Handle: "joost"}
	if _, err := f.s.LetGo(f.ctx, t0, school, "r1", other, bot.ReleaseAnyway, cands("anne"), t0.Add(timeout), time.Time{}); !errors.Is(err, bot.ErrNotYours) {
		t.Errorf("someone else's press: %v, want ErrNotYours", err)
	}
	if _, err := f.letGo("nope", t0, bot.ReleaseAnyway, "anne"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("unknown request: %v, want ErrNotFound", err)
	}
	sameSnapshot(t, before, f.snapshot())
	// An offered request is no held one.
	f.create("r2", t0, cands("anne"))
	if _, err := f.letGo("r2", t0, bot.ReleaseAnyway, "bram"); !errors.Is(err, bot.ErrNotHeld) {
		t.Errorf("an offered request: %v, want ErrNotHeld", err)
	}
}

// TestCancelHeld: "/hulp annuleer" withdraws a held request too, telling
// nobody (nobody heard of it) and erasing its note at once.
func TestCancelHeld(t *testing.T) {
	f := newFixture(t)
	f.hold("r1", t0)
	r, err := f.s.Cancel(f.ctx, t0.Add(time.Second), school, marie, "")
	if err != nil || r.State != bot.StateCancelled {
		t.Fatalf("cancel: %s, %v", r.State, err)
	}
	if q := f.queued(); len(q) != 0 {
		t.Errorf("queued %v", q)
	}
	if f.pttl("note:r1") != -2*time.Nanosecond {
		t.Errorf("note still kept: PTTL %v", f.pttl("note:r1"))
	}
	if due, _ := f.s.DueOffers(f.ctx, school, t0.Add(time.Hour), 10); len(due) != 0 {
		t.Errorf("a deadline is left: %v", due)
	}
	if st := f.stats(); st["held_cancelled"] != 1 || st["cancelled"] != 0 {
		t.Errorf("counters %v", st)
	}
}

// TestLetGoRace: the requester presses as the deadline passes, on several
// processes at once: exactly one of press and deadline wins, the helper is
// offered the request once.
func TestLetGoRace(t *testing.T) {
	for round := range 20 {
		f := newFixture(t)
		f.hold("r1", t0)
		at := t0.Add(bot.HoldFor)
		hows := []bot.ReleaseHow{bot.ReleaseTimeout, bot.ReleaseAnyway, bot.ReleaseTimeout, bot.ReleaseCancel, bot.ReleaseWithoutNote, bot.ReleaseTimeout}
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			won []bot.ReleaseHow
		)
		for _, how := range hows {
			wg.Go(func() {
				_, err := f.letGo("r1", at, how, "anne", "bram")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won = append(won, how)
				case !errors.Is(err, bot.ErrNotHeld):
					t.Errorf("round %d, %s: %v", round, how, err)
				}
			})
		}
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("round %d: %v won, want exactly one", round, won)
		}
		offers := 0
		for k := range f.queued() {
			if k == "n/r1/offer/1/helper" {
				offers++
			}
		}
		if want := map[bool]int{true: 0, false: 1}[won[0] == bot.ReleaseCancel]; offers != want {
			t.Errorf("round %d (%s won): %d offers queued, want %d", round, won[0], offers, want)
		}
	}
}

// TestWaitCountsFromRelease: a held request reached nobody until it was
// let go, so the wait the figures keep (and the record's time to accept)
// counts from the release, not from the hold; a request never held counts
// from its creation, as before.
func TestWaitCountsFromRelease(t *testing.T) {
	sanne := bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "ib.sanne"}, Name: "Sanne"}
	tests := []struct {
		name      string
		hold      bool
		how       bot.ReleaseHow
		releaseAt time.Duration // after t0
		cands     []string
		takeAt    time.Duration // after t0: anne accepts, or Sanne picks it up when escalated
		wantWait  time.Duration
	}{
		{name: "never held", takeAt: 30 * time.Second, cands: []string{"anne"}, wantWait: 30 * time.Second},
		{name: "held, sent without note", hold: true, how: bot.ReleaseWithoutNote, releaseAt: 90 * time.Second,
			cands: []string{"anne"}, takeAt: 130 * time.Second, wantWait: 40 * time.Second},
		{name: "held, sent as typed", hold: true, how: bot.ReleaseAnyway, releaseAt: 50 * time.Second,
			cands: []string{"anne"}, takeAt: 3 * time.Minute, wantWait: 3*time.Minute - 50*time.Second},
		{name: "held, the deadline sent it, picked up from the channel", hold: true, how: bot.ReleaseTimeout, releaseAt: bot.HoldFor,
			takeAt: bot.HoldFor + 5*time.Minute, wantWait: 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			released := t0
			if tt.hold {
				f.hold("r1", t0)
				released = t0.Add(tt.releaseAt)
				r, err := f.letGo("r1", released, tt.how, tt.cands...)
				if err != nil {
					t.Fatalf("let go: %v", err)
				}
				if !r.ReleasedAt.Equal(released) || !r.CreatedAt.Equal(t0) || !r.SentAt().Equal(released) {
					t.Errorf("let go: created %v, released %v, sent %v; want created %v, released and sent %v",
						r.CreatedAt, r.ReleasedAt, r.SentAt(), t0, released)
				}
			} else {
				f.create("r1", t0, cands(tt.cands...))
			}
			take := t0.Add(tt.takeAt)
			var got bot.Request
			if len(tt.cands) > 0 {
				got = f.accept(tt.cands[0], "r1", take)
			} else {
				var err error
				if got, err = f.s.Pickup(f.ctx, take, school, "r1", sanne, ""); err != nil {
					t.Fatalf("pickup: %v", err)
				}
			}
			if d, ok := got.TimeToAccept(); !ok || d != tt.wantWait {
				t.Errorf("record's time to accept = %v, %v; want %v", d, ok, tt.wantWait)
			}
			if !tt.hold && !got.ReleasedAt.IsZero() {
				t.Errorf("a request never held has released %v", got.ReleasedAt)
			}
			waits, err := f.s.TimesToAccept(f.ctx, school, week)
			if err != nil || !slices.Equal(waits, []time.Duration{tt.wantWait}) {
				t.Errorf("week's waits = %v, %v; want [%v]", waits, err, tt.wantWait)
			}
			y, err := f.s.YearFigures(f.ctx, school, bot.SchoolYear{Start: 2026})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range y.Months {
				if m.Month == month && !slices.Equal(m.Waits, []time.Duration{tt.wantWait}) {
					t.Errorf("month's waits = %v; want [%v]", m.Waits, tt.wantWait)
				}
			}
			// The first offer's time runs from the release too: accepted
			// within it counts as in time.
			if st := f.stats(); len(tt.cands) > 0 && tt.takeAt-tt.releaseAt <= timeout && st[bot.CountAcceptedInTime] != 1 {
				t.Errorf("counters = %v; want accepted in time", st)
			}
		})
	}
}

// TestCancelledHoldNotReleased: a hold withdrawn never went out, so it has
// no release time.
func TestCancelledHoldNotReleased(t *testing.T) {
	f := newFixture(t)
	f.hold("r1", t0)
	r, err := f.letGo("r1", t0.Add(time.Minute), bot.ReleaseCancel)
	if err != nil || r.State != bot.StateCancelled || !r.ReleasedAt.IsZero() {
		t.Errorf("cancelled hold = %s released %v, %v; want cancelled, never released", r.State, r.ReleasedAt, err)
	}
}
