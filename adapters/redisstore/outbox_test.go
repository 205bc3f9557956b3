package redisstore

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// queued is the outbox of the school as key → notice.
func (f *fixture) queued() map[string]string { return f.hash("outbox:msg") }

// TestChangesQueueTheirNotices: every change writes what it owes to whom in
// the same script, so a process that dies right after a change loses no
// message (a transactional outbox).
func TestChangesQueueTheirNotices(t *testing.T) {
	type step func(f *fixture, now time.Time)
	create := func(cs ...string) step {
		return func(f *fixture, now time.Time) { f.create("r1", now, cands(cs...)) }
	}
	timeoutStep := func(f *fixture, now time.Time) {
		if _, err := f.s.Advance(f.ctx, now.Add(timeout), school, "r1", 1, bot.ReasonTimeout, "", cands("anne", "bram"), now.Add(2*timeout)); err != nil {
			f.t.Fatal(err)
		}
	}
	declineStep := func(f *fixture, now time.Time) {
		if _, err := f.s.Advance(f.ctx, now, school, "r1", 1, bot.ReasonDecline, "anne", nil, now.Add(timeout)); err != nil {
			f.t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		steps []step
		want  map[string]string
	}{
		{name: "offered at intake", steps: []step{create("anne")}, want: map[string]string{
			"n/r1/offer/1/helper": "notice|offer|r1|1|helper:anne|anne||",
		}},
		{name: "nobody free at intake", steps: []step{create()}, want: map[string]string{
			"n/r1/escalated/0/channel": "notice|escalated|r1|0|channel|||",
		}},
		{name: "a timeout moves on: next helper, lapsed offer, requester", steps: []step{create("anne"), timeoutStep}, want: map[string]string{
			"n/r1/offer/1/helper":        "notice|offer|r1|1|helper:anne|anne||",
			"n/r1/offer/2/helper":        "notice|offer|r1|2|helper:bram|bram|anne|timeout",
			"n/r1/offer_lapsed/1/helper": "notice|offer_lapsed|r1|1|helper:anne|bram|anne|timeout",
			"n/r1/moved_on/2/requester":  "notice|moved_on|r1|2|requester|bram|anne|timeout",
		}},
		{name: "a decline with nobody left escalates", steps: []step{create("anne"), declineStep}, want: map[string]string{
			"n/r1/offer/1/helper":      "notice|offer|r1|1|helper:anne|anne||",
			"n/r1/escalated/1/channel": "notice|escalated|r1|1|channel||anne|decline",
			"n/r1/nobody/1/requester":  "notice|nobody|r1|1|requester||anne|decline",
		}},
		{name: "accepted", steps: []step{create("anne"), func(f *fixture, now time.Time) { f.accept("anne", "r1", now) }}, want: map[string]string{
			"n/r1/offer/1/helper":       "notice|offer|r1|1|helper:anne|anne||",
			"n/r1/accepted/1/requester": "notice|accepted|r1|1|requester|anne||",
		}},
		{name: "cancelled after escalation tells the channel", steps: []step{create(), func(f *fixture, now time.Time) {
			if _, err := f.s.Cancel(f.ctx, now, school, marie, ""); err != nil {
				f.t.Fatal(err)
			}
		}}, want: map[string]string{
			"n/r1/escalated/0/channel": "notice|escalated|r1|0|channel|||",
			"n/r1/cancelled/0/channel": "notice|cancelled|r1|0|channel|||",
		}},
		{name: "no follow-up of an escalated request", steps: []step{func(f *fixture, now time.Time) {
			r := request("r1", now)
			r.FollowUpAt = now.Add(5 * time.Minute)
			if _, err := f.s.CreateAndOffer(f.ctx, now, r, nil, now.Add(timeout), retention); err != nil {
				f.t.Fatal(err)
			}
		}, func(f *fixture, now time.Time) {
			// The teacher heard it when it was escalated, with what to do.
			ids, err := f.s.ClaimFollowUps(f.ctx, school, now.Add(time.Hour), 10)
			if err != nil || len(ids) != 0 {
				f.t.Fatalf("ClaimFollowUps = %v, %v; want none", ids, err)
			}
		}}, want: map[string]string{
			"n/r1/escalated/0/channel": "notice|escalated|r1|0|channel|||",
		}},
		{name: "follow-up of an offered request", steps: []step{func(f *fixture, now time.Time) {
			r := request("r1", now)
			r.FollowUpAt = now.Add(5 * time.Minute)
			if _, err := f.s.CreateAndOffer(f.ctx, now, r, cands("anne"), now.Add(time.Hour), retention); err != nil {
				f.t.Fatal(err)
			}
		}, func(f *fixture, now time.Time) {
			ids, err := f.s.ClaimFollowUps(f.ctx, school, now.Add(5*time.Minute), 10)
			if err != nil || !slices.Equal(ids, []string{"r1"}) {
				f.t.Fatalf("ClaimFollowUps = %v, %v", ids, err)
			}
		}}, want: map[string]string{
			"n/r1/offer/1/helper":        "notice|offer|r1|1|helper:anne|anne||",
			"n/r1/follow_up/1/requester": "notice|follow_up|r1|1|requester|anne||",
		}},
		{name: "the teacher is told at most twice while nobody comes", steps: []step{func(f *fixture, now time.Time) {
			r := request("r1", now)
			r.FollowUpAt = now.Add(3 * time.Minute)
			if _, err := f.s.CreateAndOffer(f.ctx, now, r, cands("anne", "bram", "cees"), now.Add(timeout), retention); err != nil {
				f.t.Fatal(err)
			}
		}, func(f *fixture, now time.Time) {
			cs := cands("anne", "bram", "cees")
			for i := 1; i <= 3; i++ {
				at := now.Add(time.Duration(i) * timeout)
				if i == 2 {
					// Between the moves the follow-up falls due: the
					// teacher was told of the first move already.
					if ids, err := f.s.ClaimFollowUps(f.ctx, school, at, 10); err != nil || len(ids) != 0 {
						f.t.Fatalf("ClaimFollowUps = %v, %v; want none", ids, err)
					}
				}
				if _, err := f.s.Advance(f.ctx, at, school, "r1", i, bot.ReasonTimeout, "", cs, at.Add(timeout)); err != nil {
					f.t.Fatal(err)
				}
			}
		}}, want: map[string]string{
			"n/r1/offer/1/helper":        "notice|offer|r1|1|helper:anne|anne||",
			"n/r1/offer/2/helper":        "notice|offer|r1|2|helper:bram|bram|anne|timeout",
			"n/r1/offer/3/helper":        "notice|offer|r1|3|helper:cees|cees|bram|timeout",
			"n/r1/offer_lapsed/1/helper": "notice|offer_lapsed|r1|1|helper:anne|bram|anne|timeout",
			"n/r1/offer_lapsed/2/helper": "notice|offer_lapsed|r1|2|helper:bram|cees|bram|timeout",
			"n/r1/offer_lapsed/3/helper": "notice|offer_lapsed|r1|3|helper:cees||cees|timeout",
			"n/r1/moved_on/2/requester":  "notice|moved_on|r1|2|requester|bram|anne|timeout",
			"n/r1/escalated/3/channel":   "notice|escalated|r1|3|channel||cees|timeout",
			"n/r1/nobody/3/requester":    "notice|nobody|r1|3|requester||cees|timeout",
		}},
		{name: "picked up from the channel: the picker gets the note", steps: []step{create(), func(f *fixture, now time.Time) {
			if _, err := f.s.Pickup(f.ctx, now, school, "r1", kernteamlid, ""); err != nil {
				f.t.Fatal(err)
			}
		}}, want: map[string]string{
			"n/r1/escalated/0/channel":  "notice|escalated|r1|0|channel|||",
			"n/r1/accepted/0/requester": "notice|accepted|r1|0|requester|||",
			"n/r1/picked_note/0/picker": "notice|picked_note|r1|0|picker|||",
		}},
		{name: "picked up without a note: nothing more to hand over", steps: []step{func(f *fixture, now time.Time) {
			r := request("r1", now)
			r.Note = ""
			if _, err := f.s.CreateAndOffer(f.ctx, now, r, nil, now.Add(timeout), retention); err != nil {
				f.t.Fatal(err)
			}
		}, func(f *fixture, now time.Time) {
			if _, err := f.s.Pickup(f.ctx, now, school, "r1", kernteamlid, ""); err != nil {
				f.t.Fatal(err)
			}
		}}, want: map[string]string{
			"n/r1/escalated/0/channel":  "notice|escalated|r1|0|channel|||",
			"n/r1/accepted/0/requester": "notice|accepted|r1|0|requester|||",
		}},
		{name: "no follow-up once accepted", steps: []step{create("anne"), func(f *fixture, now time.Time) { f.accept("anne", "r1", now) }, func(f *fixture, now time.Time) {
			if ids, err := f.s.ClaimFollowUps(f.ctx, school, now.Add(time.Hour), 10); err != nil || len(ids) != 0 {
				f.t.Fatalf("ClaimFollowUps = %v, %v; want none", ids, err)
			}
		}}, want: map[string]string{
			"n/r1/offer/1/helper":       "notice|offer|r1|1|helper:anne|anne||",
			"n/r1/accepted/1/requester": "notice|accepted|r1|1|requester|anne||",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, s := range tt.steps {
				s(f, t0)
			}
			got := f.queued()
			if len(got) != len(tt.want) {
				t.Errorf("queued %d notices, want %d: %v", len(got), len(tt.want), got)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("queued[%s] = %q, want %q", k, got[k], v)
				}
				if _, err := bot.ParseNoticeRef(v); err != nil {
					t.Errorf("notice %q does not parse: %v", v, err)
				}
			}
			// Each is due now in its lane for whichever process claims it.
			urgent, normal := f.members("outbox:urgent"), f.members("outbox:queue")
			if len(urgent)+len(normal) != len(tt.want) {
				t.Errorf("lanes hold %d+%d, want %d", len(urgent), len(normal), len(tt.want))
			}
		})
	}
}

// courier records what the store leased to it.
type courier struct {
	mu    sync.Mutex
	room  bool
	until time.Time
	got   []string
}

func (c *courier) Lease() (time.Time, bool) { return c.until, c.room }
func (c *courier) Queued(string)            {}

func (c *courier) Deliver(_ string, until time.Time, kv []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !until.Equal(c.until) {
		panic("lease end changed")
	}
	c.got = append(c.got, kv...)
}

// TestNoticesLeasedToTheCaller: with room, the notices of a change are
// leased to the process that made it and handed to it at once; without, they
// wait due for anyone.
func TestNoticesLeasedToTheCaller(t *testing.T) {
	for _, room := range []bool{true, false} {
		f := newFixture(t)
		c := &courier{room: room, until: t0.Add(time.Minute)}
		f.s.SetCourier(c)
		f.create("r1", t0, cands("anne"))
		wantGot := 0
		if room {
			wantGot = 2
		}
		if len(c.got) != wantGot {
			t.Fatalf("room %v: handed %v, want %d entries", room, c.got, wantGot)
		}
		score, err := f.rdb.ZScore(f.ctx, f.key("outbox:urgent"), "n/r1/offer/1/helper").Result()
		if err != nil {
			t.Fatal(err)
		}
		want := t0
		if room {
			want = c.until
		}
		if int64(score) != want.UnixMilli() {
			t.Errorf("room %v: due at %d, want %d", room, int64(score), want.UnixMilli())
		}
	}
}

// TestLateScriptWritesNothing: a change that reaches Redis after its
// not-after time (Redis stalled while the person was told it failed) is
// refused whole.
func TestLateScriptWritesNothing(t *testing.T) {
	f := newFixture(t)
	f.create("r0", t0, cands("anne"))
	before := f.snapshot()
	// Redis's clock ten seconds ahead of what the store thinks: the
	// script arrives past its not-after time.
	f.s.skew.Store(-10_000)
	_, err := f.s.CreateAndOffer(f.ctx, t0, request("r1", t0), cands("bram"), t0.Add(timeout), retention)
	if !errors.Is(err, bot.ErrUnavailable) || !errors.Is(err, errTooLate) {
		t.Fatalf("late create: %v; want ErrUnavailable (too late)", err)
	}
	if _, err := f.s.Accept(f.ctx, t0, school, "anne", "r0", 0); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("late accept: %v; want ErrUnavailable", err)
	}
	sameSnapshot(t, before, f.snapshot())
}

// TestRepeatedOperationAnswersTheSame: an operation whose answer was lost
// is repeated with the same id; the repeat answers as the first did and
// changes nothing, also past its not-after time.
func TestRepeatedOperationAnswersTheSame(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	g := f.s.newGuard("op-1")
	if _, err := f.s.runRequest(f.ctx, "accept", f.s.sc.accept, school, []string{f.key("deadlines")}, t0, g, "anne", "r1", "0", "anne"); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot()
	g.notAfter = "1" // the repeat arrives late
	r, err := f.s.runRequest(f.ctx, "accept", f.s.sc.accept, school, []string{f.key("deadlines")}, t0, g, "anne", "r1", "0", "anne")
	if err != nil || r.State != bot.StateAccepted {
		t.Fatalf("repeat = %v, %v; want the accepted request", r.State, err)
	}
	sameSnapshot(t, before, f.snapshot())
}
