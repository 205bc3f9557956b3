package redisstore

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

func msStr(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func TestCreateAndOfferRoutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		helpers map[string][]string // seeded helper fields
		cands   []bot.Candidate
		want    string // "" for escalated
	}{
		{
			name:  "lowest rank",
			cands: []bot.Candidate{cand("anne", 2), cand("bram", 1), cand("cees", 1)},
			want:  "bram",
		},
		{
			name:    "same rank: least recently assigned",
			helpers: map[string][]string{"bram": {hLast, msStr(t0.Add(-time.Minute))}, "cees": {hLast, msStr(t0.Add(-time.Hour))}},
			cands:   []bot.Candidate{cand("bram", 0), cand("cees", 0)},
			want:    "cees",
		},
		{
			name:    "never assigned goes before assigned",
			helpers: map[string][]string{"bram": {hLast, msStr(t0.Add(-time.Hour))}},
			cands:   []bot.Candidate{cand("bram", 0), cand("cees", 0)},
			want:    "cees",
		},
		{
			name:    "lower rank beats waiting longer",
			helpers: map[string][]string{"bram": {hLast, msStr(t0.Add(-time.Minute))}},
			cands:   []bot.Candidate{cand("cees", 1), cand("bram", 0)},
			want:    "bram",
		},
		{
			name:    "busy until later is skipped",
			helpers: map[string][]string{"anne": {hStatus, "busy", hUntil, msStr(t0.Add(time.Hour))}},
			cands:   cands("anne", "bram"),
			want:    "bram",
		},
		{
			name:    "away without end is skipped",
			helpers: map[string][]string{"anne": {hStatus, "away"}},
			cands:   cands("anne", "bram"),
			want:    "bram",
		},
		{
			name:    "status lapsed at now is available",
			helpers: map[string][]string{"anne": {hStatus, "away", hUntil, msStr(t0)}},
			cands:   cands("anne", "bram"),
			want:    "anne",
		},
		{
			name:    "engaged is skipped",
			helpers: map[string][]string{"anne": {hEngaged, "other"}},
			cands:   cands("anne", "bram"),
			want:    "bram",
		},
		{
			name:    "nobody free: escalated",
			helpers: map[string][]string{"anne": {hEngaged, "other"}, "bram": {hStatus, "busy", hUntil, msStr(t0.Add(time.Minute))}},
			cands:   cands("anne", "bram"),
			want:    "",
		},
		{
			name: "nobody on duty: escalated",
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			for id, kv := range tt.helpers {
				f.setHelper(id, kv...)
			}
			got := f.create("r1", t0, tt.cands)
			if got.HelperID != tt.want {
				t.Fatalf("offered to %q, want %q", got.HelperID, tt.want)
			}
			st := f.stats()
			if tt.want == "" {
				if got.State != bot.StateEscalated || got.OfferNo != 0 || !got.Deadline.IsZero() || len(got.Tried) != 0 {
					t.Errorf("got %+v, want escalated without offer", got)
				}
				if d := f.members("deadlines"); len(d) != 0 {
					t.Errorf("deadlines = %v, want none", d)
				}
				if st["escalated"] != 1 || st["offers"] != 0 {
					t.Errorf("stats = %v, want escalated 1, offers 0", st)
				}
				if wantNoCover := int64(0); len(tt.cands) == 0 {
					wantNoCover = 1
					if st["no_cover"] != wantNoCover {
						t.Errorf("no_cover = %d, want %d", st["no_cover"], wantNoCover)
					}
				} else if st["no_cover"] != wantNoCover {
					t.Errorf("no_cover = %d, want %d", st["no_cover"], wantNoCover)
				}
				return
			}
			if got.State != bot.StateOffered || got.OfferNo != 1 || !slices.Equal(got.Tried, []string{tt.want}) || !got.Deadline.Equal(t0.Add(timeout)) {
				t.Errorf("got %+v, want offered (offer 1, tried [%s], deadline +2m)", got, tt.want)
			}
			h := f.helper(tt.want)
			if h[hEngaged] != "r1" || h[hLast] != msStr(t0) {
				t.Errorf("helper %s = %v, want engaged r1, last %s", tt.want, h, msStr(t0))
			}
			if d, want := f.members("deadlines"), []string{"r1=" + msStr(t0.Add(timeout))}; !slices.Equal(d, want) {
				t.Errorf("deadlines = %v, want %v", d, want)
			}
			if st["offers"] != 1 || st["escalated"] != 0 || st["no_cover"] != 0 {
				t.Errorf("stats = %v, want offers 1", st)
			}
		})
	}
}

func TestCreateAndOfferRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := request("r1", t0)
	in.Requester.Handle = "Marie" // the requester index is case-insensitive
	got, err := f.s.CreateAndOffer(f.ctx, t0, in, cands("anne"), t0.Add(timeout), retention)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.State, want.HelperID, want.OfferNo, want.Tried, want.Deadline = bot.StateOffered, "anne", 1, []string{"anne"}, t0.Add(timeout)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CreateAndOffer =\n %+v\nwant\n %+v", got, want)
	}
	read, err := f.s.Request(f.ctx, school, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read, got) {
		t.Errorf("Request =\n %+v\nwant\n %+v", read, got)
	}

	// The key layout other tools (and people with redis-cli) rely on.
	for _, k := range []string{"req:r1", "helpers", "deadlines", "active", f.mine(marie), "week:" + week} {
		if n := f.rdb.Exists(f.ctx, f.prefix+":{"+school+"}:"+k).Val(); n != 1 {
			t.Errorf("key %s missing", k)
		}
	}
	if got, want := f.members("active"), []string{"r1=" + msStr(t0)}; !slices.Equal(got, want) {
		t.Errorf("active = %v, want %v", got, want)
	}
	if got, want := f.members(f.mine(marie)), []string{"r1=" + msStr(t0)}; !slices.Equal(got, want) {
		t.Errorf("mine = %v, want %v", got, want)
	}
	f.checkTTL("req:r1", retention)
	f.checkTTL(f.mine(marie), retention)
	f.checkTTL("week:"+week, StatsTTL)
	if d := f.pttl("helpers"); d != -1 {
		t.Errorf("helper PTTL = %v, want no expiry", d)
	}
	wantStats := map[string]int64{"requests": 1, "offers": 1, "group:5": 1, "daypart:ochtend": 1}
	if st := f.stats(); !reflect.DeepEqual(st, wantStats) {
		t.Errorf("stats = %v, want %v", st, wantStats)
	}

	// Outside school hours, and a week taken from the request, not from now.
	late := request("r2", t0.Add(10*time.Hour))
	late.DayPart, late.Note = "", ""
	if _, err := f.s.CreateAndOffer(f.ctx, t0.Add(10*time.Hour), late, nil, t0.Add(10*time.Hour+timeout), retention); err != nil {
		t.Fatal(err)
	}
	st := f.stats()
	if st["daypart:buiten"] != 1 || st["requests"] != 2 || st["no_cover"] != 1 || st["group:5"] != 2 {
		t.Errorf("stats = %v, want daypart:buiten 1, requests 2, no_cover 1, group:5 2", st)
	}
	if _, ok := f.hash("req:r2")[fNote]; ok {
		t.Errorf("empty note stored")
	}
}

// TestCreateRepeated: the same request id created again (a command
// delivered twice) writes nothing and answers, in one round trip, with
// the request as it stands now and ErrDuplicate.
func TestCreateRepeated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("r1", t0, cands("anne", "bram"))
	// It moved on since it was created: the repeat shows where it is now.
	if _, err := f.s.Advance(f.ctx, t0, school, "r1", 1, bot.ReasonDecline, "anne", cands("anne", "bram"), t0.Add(timeout)); err != nil {
		t.Fatal(err)
	}
	stored, err := f.s.Request(f.ctx, school, "r1")
	if err != nil {
		t.Fatal(err)
	}
	f.age()
	before := f.snapshot()
	trips := redistest.Count(f.rdb)
	later := t0.Add(time.Minute)
	again := request("r1", later)
	again.Note = "anders"
	got, err := f.s.CreateAndOffer(f.ctx, later, again, cands("cees"), later.Add(timeout), retention)
	if !errors.Is(err, bot.ErrDuplicate) {
		t.Fatalf("CreateAndOffer again: error = %v, want ErrDuplicate", err)
	}
	if n := trips.Trips(); len(n) != 1 {
		t.Errorf("round trips = %q, want 1", n)
	}
	if !reflect.DeepEqual(got, stored) {
		t.Errorf("CreateAndOffer again =\n %+v\nwant the stored request\n %+v", got, stored)
	}
	if got.State != bot.StateOffered || got.HelperID != "bram" || got.OfferNo != 2 || got.Note != "onrust na gym" {
		t.Errorf("repeat = %s to %q, offer %d, note %q; want offered to bram, offer 2, the first note", got.State, got.HelperID, got.OfferNo, got.Note)
	}
	sameSnapshot(t, before, f.snapshot())
}

// TestFailingChecksWriteNothing runs every refusal against a store with
// requests in all states and checks the sentinel and that no key changed.
func TestFailingChecksWriteNothing(t *testing.T) {
	t.Parallel()
	now := t0.Add(time.Minute)
	bob := bot.Address{Platform: slack, Handle: "U0BOB"}
	// setup: offered r1 → anne (offer 1); accepted r2 by bram; r3 offered
	// to dirk on offer 2 (cees declined); escalated r4; resolved r5 (bram,
	// before r2); cancelled r6; r7 of bob expired; erik holds nothing.
	setup := func(f *fixture) {
		f.create("r5", t0, cands("bram"))
		f.accept("bram", "r5", t0)
		if _, err := f.s.Resolve(f.ctx, t0, school, "bram", ""); err != nil {
			t.Fatal(err)
		}
		f.create("r1", t0, cands("anne"))
		f.create("r2", t0, cands("bram"))
		f.accept("bram", "r2", t0)
		f.create("r3", t0, cands("cees", "dirk"))
		if _, err := f.s.Advance(f.ctx, t0, school, "r3", 1, bot.ReasonDecline, "cees", cands("cees", "dirk"), t0.Add(timeout)); err != nil {
			t.Fatal(err)
		}
		f.create("r4", t0, nil)
		f.create("r6", t0, nil)
		if _, err := f.s.Cancel(f.ctx, t0, school, marie, "r6"); err != nil {
			t.Fatal(err)
		}
		// bob's only request has expired; its index entries are left.
		r7 := request("r7", t0)
		r7.Requester = bob
		if _, err := f.s.CreateAndOffer(f.ctx, t0, r7, nil, t0.Add(timeout), retention); err != nil {
			t.Fatal(err)
		}
		f.rdb.Del(f.ctx, f.key("req:r7"))
	}
	s := func(f *fixture) *Store { return f.s }
	decline := func(f *fixture, id string, no int, from string) error {
		_, err := s(f).Advance(f.ctx, now, school, id, no, bot.ReasonDecline, from, cands("anne", "bram", "cees", "dirk", "erik"), now.Add(timeout))
		return err
	}
	expire := func(f *fixture, id string, no int, at time.Time) error {
		_, err := s(f).Advance(f.ctx, at, school, id, no, bot.ReasonTimeout, "", cands("anne", "bram", "cees", "dirk", "erik"), at.Add(timeout))
		return err
	}
	accept := func(f *fixture, helper, id string, no int) error {
		_, err := s(f).Accept(f.ctx, now, school, helper, id, no)
		return err
	}
	cancel := func(f *fixture, who bot.Address, id string) error {
		_, err := s(f).Cancel(f.ctx, now, school, who, id)
		return err
	}
	resolve := func(f *fixture, helper string) error {
		_, err := s(f).Resolve(f.ctx, now, school, helper, "klaar")
		return err
	}
	tests := []struct {
		name string
		call func(f *fixture) error
		want error
	}{
		{"create existing id", func(f *fixture) error {
			_, err := f.s.CreateAndOffer(f.ctx, now, request("r1", now), cands("erik"), now.Add(timeout), retention)
			return err
		}, bot.ErrDuplicate},

		{"accept unknown request", func(f *fixture) error { return accept(f, "anne", "nope", 0) }, bot.ErrNotFound},
		{"accept someone else's offer", func(f *fixture) error { return accept(f, "erik", "r1", 0) }, bot.ErrNotYours},
		{"accept someone else's offer, offer number given", func(f *fixture) error { return accept(f, "erik", "r1", 1) }, bot.ErrNotYours},
		{"accept twice", func(f *fixture) error { return accept(f, "bram", "r2", 0) }, bot.ErrAlreadyAccepted},
		{"accept twice without id", func(f *fixture) error { return accept(f, "bram", "", 0) }, bot.ErrAlreadyAccepted},
		{"accept what another accepted", func(f *fixture) error { return accept(f, "anne", "r2", 1) }, bot.ErrAlreadyAccepted},
		{"accept an earlier offer", func(f *fixture) error { return accept(f, "cees", "r3", 1) }, bot.ErrStale},
		{"accept with a wrong offer number", func(f *fixture) error { return accept(f, "dirk", "r3", 1) }, bot.ErrStale},
		{"accept escalated", func(f *fixture) error { return accept(f, "anne", "r4", 0) }, bot.ErrClosed},
		{"accept resolved", func(f *fixture) error { return accept(f, "bram", "r5", 1) }, bot.ErrClosed},
		{"accept cancelled", func(f *fixture) error { return accept(f, "anne", "r6", 0) }, bot.ErrClosed},
		{"accept holding no offer", func(f *fixture) error { return accept(f, "erik", "", 0) }, bot.ErrNoOffer},

		{"decline unknown request", func(f *fixture) error { return decline(f, "nope", 1, "anne") }, bot.ErrNotFound},
		{"decline someone else's offer", func(f *fixture) error { return decline(f, "r1", 1, "erik") }, bot.ErrNotYours},
		{"decline an earlier offer", func(f *fixture) error { return decline(f, "r3", 1, "cees") }, bot.ErrStale},
		{"decline accepted", func(f *fixture) error { return decline(f, "r2", 1, "bram") }, bot.ErrAlreadyAccepted},
		{"decline escalated", func(f *fixture) error { return decline(f, "r4", 0, "anne") }, bot.ErrClosed},
		{"decline cancelled", func(f *fixture) error { return decline(f, "r6", 0, "anne") }, bot.ErrClosed},
		{"decline holding no offer", func(f *fixture) error { return decline(f, "", 0, "erik") }, bot.ErrNoOffer},

		{"timeout before the deadline", func(f *fixture) error { return expire(f, "r1", 1, t0.Add(timeout-time.Millisecond)) }, bot.ErrStale},
		{"timeout of an earlier offer", func(f *fixture) error { return expire(f, "r3", 1, t0.Add(time.Hour)) }, bot.ErrStale},
		{"timeout of accepted", func(f *fixture) error { return expire(f, "r2", 1, t0.Add(time.Hour)) }, bot.ErrAlreadyAccepted},
		{"timeout of escalated", func(f *fixture) error { return expire(f, "r4", 0, t0.Add(time.Hour)) }, bot.ErrClosed},
		{"timeout of resolved", func(f *fixture) error { return expire(f, "r5", 1, t0.Add(time.Hour)) }, bot.ErrClosed},
		{"timeout of unknown", func(f *fixture) error { return expire(f, "nope", 1, t0.Add(time.Hour)) }, bot.ErrNotFound},

		{"resolve holding nothing", func(f *fixture) error { return resolve(f, "erik") }, bot.ErrNoActiveRequest},
		{"resolve an offer not accepted", func(f *fixture) error { return resolve(f, "anne") }, bot.ErrNoActiveRequest},

		{"cancel someone else's", func(f *fixture) error { return cancel(f, bob, "r1") }, bot.ErrNotYours},
		{"cancel someone else's resolved", func(f *fixture) error { return cancel(f, bob, "r5") }, bot.ErrNotYours},
		{"cancel with nothing active", func(f *fixture) error { return cancel(f, bob, "") }, bot.ErrNoActiveRequest},
		{"cancel resolved", func(f *fixture) error { return cancel(f, marie, "r5") }, bot.ErrClosed},
		{"cancel cancelled", func(f *fixture) error { return cancel(f, marie, "r6") }, bot.ErrClosed},
		{"cancel unknown", func(f *fixture) error { return cancel(f, marie, "nope") }, bot.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			setup(f)
			f.age()
			before := f.snapshot()
			err := tt.call(f)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if errors.Is(err, bot.ErrUnavailable) {
				t.Errorf("error %v also claims the store is unavailable", err)
			}
			sameSnapshot(t, before, f.snapshot())
		})
	}

	// A check of the setup itself: each request is in the state the cases
	// assume, so a case cannot pass for the wrong reason.
	t.Run("setup", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		setup(f)
		want := map[string]string{"r1": "offered anne 1", "r2": "accepted bram 1", "r3": "offered dirk 2", "r4": "escalated  0", "r5": "resolved bram 1", "r6": "cancelled  0"}
		for id, w := range want {
			r, err := f.s.Request(f.ctx, school, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(r.State) + " " + r.HelperID + " " + strconv.Itoa(r.OfferNo); got != w {
				t.Errorf("%s: %s, want %s", id, got, w)
			}
		}
		if m := f.members(f.mine(bob)); len(m) != 1 {
			t.Errorf("bob's requests = %v, want the expired r7", m)
		}
		for h, w := range map[string]string{"anne": "r1", "bram": "r2", "cees": "", "dirk": "r3", "erik": ""} {
			if got := f.engaged(h); got != w {
				t.Errorf("%s engaged in %q, want %q", h, got, w)
			}
		}
	})
}

func TestAccept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		requestID string
		offerNo   int
		second    bool // accept the second offer (after a decline)
		wantFirst int64
	}{
		{name: "the offer held", wantFirst: 1},
		{name: "by id", requestID: "r1", wantFirst: 1},
		{name: "by id and offer number", requestID: "r1", offerNo: 1, wantFirst: 1},
		{name: "second offer", requestID: "r1", offerNo: 2, second: true, wantFirst: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.create("r1", t0, cands("anne", "bram"))
			helper := "anne"
			if tt.second {
				if _, err := f.s.Advance(f.ctx, t0, school, "r1", 1, bot.ReasonDecline, "anne", cands("anne", "bram"), t0.Add(timeout)); err != nil {
					t.Fatal(err)
				}
				helper = "bram"
			}
			at := t0.Add(42 * time.Second)
			got, err := f.s.Accept(f.ctx, at, school, helper, tt.requestID, tt.offerNo)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != bot.StateAccepted || got.HelperID != helper || !got.AcceptedAt.Equal(at) || !got.Deadline.IsZero() {
				t.Errorf("got %+v, want accepted by %s at %v without deadline", got, helper, at)
			}
			if d, ok := got.TimeToAccept(); !ok || d != 42*time.Second {
				t.Errorf("TimeToAccept = %v, %v; want 42s", d, ok)
			}
			if e := f.engaged(helper); e != "r1" {
				t.Errorf("%s engaged in %q, want r1 (busy with it)", helper, e)
			}
			if d := f.members("deadlines"); len(d) != 0 {
				t.Errorf("deadlines = %v, want none", d)
			}
			if a := f.members("active"); len(a) != 1 {
				t.Errorf("active = %v, want r1", a)
			}
			st := f.stats()
			if st["accepted"] != 1 || st["accepted_first"] != tt.wantFirst {
				t.Errorf("stats = %v, want accepted 1, accepted_first %d", st, tt.wantFirst)
			}
			tta, err := f.s.TimesToAccept(f.ctx, school, week)
			if err != nil || !slices.Equal(tta, []time.Duration{42 * time.Second}) {
				t.Errorf("TimesToAccept = %v, %v; want [42s]", tta, err)
			}
			f.checkTTL("tta:"+week, StatsTTL)
		})
	}
}

func TestAdvance(t *testing.T) {
	t.Parallel()
	all := cands("anne", "bram", "cees")
	t.Run("decline moves to the next helper", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.create("r1", t0, all)
		at := t0.Add(time.Minute)
		got, err := f.s.Advance(f.ctx, at, school, "r1", 1, bot.ReasonDecline, "anne", all, at.Add(timeout))
		if err != nil {
			t.Fatal(err)
		}
		if got.State != bot.StateOffered || got.HelperID != "bram" || got.OfferNo != 2 || !slices.Equal(got.Tried, []string{"anne", "bram"}) || !got.Deadline.Equal(at.Add(timeout)) {
			t.Errorf("got %+v, want offer 2 to bram", got)
		}
		if e := f.engaged("anne"); e != "" {
			t.Errorf("anne still engaged in %q", e)
		}
		if h := f.helper("bram"); h[hEngaged] != "r1" || h[hLast] != msStr(at) {
			t.Errorf("bram = %v, want engaged r1, last %s", h, msStr(at))
		}
		if d, want := f.members("deadlines"), []string{"r1=" + msStr(at.Add(timeout))}; !slices.Equal(d, want) {
			t.Errorf("deadlines = %v, want %v", d, want)
		}
		if st := f.stats(); st["declines"] != 1 || st["offers"] != 2 || st["timeouts"] != 0 {
			t.Errorf("stats = %v, want declines 1, offers 2", st)
		}
	})
	t.Run("decline of the offer held", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.create("r1", t0, all)
		got, err := f.s.Advance(f.ctx, t0, school, "", 0, bot.ReasonDecline, "anne", all, t0.Add(timeout))
		if err != nil || got.HelperID != "bram" {
			t.Errorf("got %+v, %v; want offered to bram", got, err)
		}
	})
	t.Run("timeout when due", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.create("r1", t0, all)
		at := t0.Add(timeout) // exactly at the deadline
		got, err := f.s.Advance(f.ctx, at, school, "r1", 1, bot.ReasonTimeout, "", all, at.Add(timeout))
		if err != nil || got.HelperID != "bram" || got.OfferNo != 2 {
			t.Fatalf("got %+v, %v; want offer 2 to bram", got, err)
		}
		if st := f.stats(); st["timeouts"] != 1 || st["declines"] != 0 || st["offers"] != 2 {
			t.Errorf("stats = %v, want timeouts 1, offers 2", st)
		}
		// The same timeout again (a second sweeper) moves nothing.
		f.age()
		before := f.snapshot()
		if _, err := f.s.Advance(f.ctx, at.Add(time.Hour), school, "r1", 1, bot.ReasonTimeout, "", all, at.Add(time.Hour)); !errors.Is(err, bot.ErrStale) {
			t.Errorf("repeated timeout: %v, want ErrStale", err)
		}
		sameSnapshot(t, before, f.snapshot())
	})
	t.Run("tried helpers are not asked again", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.create("r1", t0, all)
		var got bot.Request
		var err error
		for i, h := range []string{"anne", "bram", "cees"} {
			got, err = f.s.Advance(f.ctx, t0, school, "r1", i+1, bot.ReasonDecline, h, all, t0.Add(timeout))
			if err != nil {
				t.Fatal(err)
			}
		}
		if got.State != bot.StateEscalated || got.HelperID != "" || !got.Deadline.IsZero() || got.OfferNo != 3 {
			t.Errorf("got %+v, want escalated after offer 3", got)
		}
		for _, h := range []string{"anne", "bram", "cees"} {
			if e := f.engaged(h); e != "" {
				t.Errorf("%s still engaged in %q", h, e)
			}
		}
		if d := f.members("deadlines"); len(d) != 0 {
			t.Errorf("deadlines = %v, want none", d)
		}
		if a := f.members("active"); len(a) != 1 {
			t.Errorf("active = %v; escalated is still active", a)
		}
		if st := f.stats(); st["declines"] != 3 || st["offers"] != 3 || st["escalated"] != 1 {
			t.Errorf("stats = %v, want declines 3, offers 3, escalated 1", st)
		}
	})
}

// The active and requester indexes hold no TTL per member: a create drops
// the members of requests created a retention ago, whose records are gone.
func TestIndexesForgetExpiredRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("old", t0, nil)
	f.create("kept", t0.Add(time.Millisecond), nil)
	later := t0.Add(retention)
	// One create in sixteen trims, by its id's last byte: "new" ('w') does
	// not, "newp" ('p', 112) does.
	f.create("new", later, nil)
	for _, k := range []string{"active", f.mine(marie)} {
		if got := f.members(k); len(got) != 3 {
			t.Errorf("%s = %v after a create that does not trim, want all three", k, got)
		}
	}
	f.create("newp", later, nil)
	want := []string{"kept=" + msStr(t0.Add(time.Millisecond)), "new=" + msStr(later), "newp=" + msStr(later)}
	for _, k := range []string{"active", f.mine(marie)} {
		if got := f.members(k); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.accept("anne", "r1", t0.Add(time.Minute))
	at := t0.Add(20 * time.Minute)
	got, err := f.s.Resolve(f.ctx, at, school, "anne", "rustig gesprek")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != bot.StateResolved || got.HelperID != "anne" || !got.ClosedAt.Equal(at) || got.DoneNote != "rustig gesprek" {
		t.Errorf("got %+v, want resolved by anne with note", got)
	}
	if e := f.engaged("anne"); e != "" {
		t.Errorf("anne still engaged in %q", e)
	}
	for _, k := range []string{"active", "deadlines", f.mine(marie)} {
		if m := f.members(k); len(m) != 0 {
			t.Errorf("%s = %v, want empty", k, m)
		}
	}
	if st := f.stats(); st["resolved"] != 1 {
		t.Errorf("stats = %v, want resolved 1", st)
	}
	// The record stays readable until retention.
	f.checkTTL("req:r1", retention)
	// Anne is offered the next request again.
	if r := f.create("r2", at, cands("anne")); r.HelperID != "anne" {
		t.Errorf("next request went to %q, want anne", r.HelperID)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		prepare    func(f *fixture)
		requestID  string
		who        bot.Address
		wantHelper string
	}{
		{name: "offered", prepare: func(f *fixture) { f.create("r1", t0, cands("anne")) }, requestID: "r1", who: marie, wantHelper: "anne"},
		{name: "accepted", prepare: func(f *fixture) { f.create("r1", t0, cands("anne")); f.accept("anne", "r1", t0) }, requestID: "r1", who: marie, wantHelper: "anne"},
		{name: "escalated", prepare: func(f *fixture) { f.create("r1", t0, nil) }, requestID: "r1", who: marie, wantHelper: ""},
		{name: "latest", prepare: func(f *fixture) {
			f.create("r0", t0.Add(-time.Minute), nil)
			f.create("r1", t0, cands("anne"))
		}, who: marie, wantHelper: "anne"},
		{name: "latest active, passing over a resolved one", prepare: func(f *fixture) {
			f.create("r1", t0.Add(-time.Minute), cands("anne"))
			f.create("r2", t0, cands("bram"))
			f.accept("bram", "r2", t0)
			if _, err := f.s.Resolve(f.ctx, t0, school, "bram", ""); err != nil {
				f.t.Fatal(err)
			}
			// r2 left the index on resolve; put it back as a stale member
			// to show cancel checks the state.
			f.rdb.ZAdd(f.ctx, f.key(f.mine(marie)), redis.Z{Score: float64(t0.Add(time.Hour).UnixMilli()), Member: "r2"})
		}, who: marie, wantHelper: "anne"},
		{name: "handle in other case", prepare: func(f *fixture) { f.create("r1", t0, cands("anne")) }, requestID: "r1", who: bot.Address{Platform: mattermost, Handle: "MARIE"}, wantHelper: "anne"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tt.prepare(f)
			at := t0.Add(time.Minute)
			got, err := f.s.Cancel(f.ctx, at, school, tt.who, tt.requestID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != "r1" || got.State != bot.StateCancelled || got.HelperID != tt.wantHelper || !got.ClosedAt.Equal(at) || !got.Deadline.IsZero() {
				t.Errorf("got %+v, want r1 cancelled, helper %q", got, tt.wantHelper)
			}
			if tt.wantHelper != "" {
				if e := f.engaged(tt.wantHelper); e != "" {
					t.Errorf("%s still engaged in %q", tt.wantHelper, e)
				}
			}
			for _, m := range f.members("active") {
				if m[:3] == "r1=" {
					t.Errorf("r1 still active")
				}
			}
			for _, k := range []string{"deadlines", f.mine(marie)} {
				for _, m := range f.members(k) {
					if m[:3] == "r1=" {
						t.Errorf("r1 still in %s", k)
					}
				}
			}
			if st := f.stats(); st["cancelled"] != 1 {
				t.Errorf("stats = %v, want cancelled 1", st)
			}
		})
	}
}

func TestSetAvailabilityAndHelperStates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	until := t0.Add(4 * time.Hour)
	engaged, err := f.s.SetAvailability(f.ctx, school, "bram", bot.Availability{Status: bot.Away, Until: until})
	if err != nil || engaged != "" {
		t.Fatalf("SetAvailability = %q, %v", engaged, err)
	}
	f.create("r1", t0, cands("bram", "anne"))
	engaged, err = f.s.SetAvailability(f.ctx, school, "anne", bot.Availability{Status: bot.Busy, Until: until})
	if err != nil || engaged != "r1" {
		t.Fatalf("SetAvailability(anne) = %q, %v; want r1", engaged, err)
	}
	st, err := f.s.HelperStates(f.ctx, school, []string{"anne", "bram", "cees"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bot.HelperState{
		"anne": {Availability: bot.Availability{Status: bot.Busy, Until: until}, Engaged: "r1", LastAssigned: t0},
		"bram": {Availability: bot.Availability{Status: bot.Away, Until: until}},
		"cees": {},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("HelperStates =\n %+v\nwant\n %+v", st, want)
	}
	// Available again: until is dropped.
	if _, err := f.s.SetAvailability(f.ctx, school, "bram", bot.Availability{Status: bot.Available}); err != nil {
		t.Fatal(err)
	}
	if h := f.helper("bram"); h[hStatus] != "available" || h[hUntil] != "" {
		t.Errorf("bram = %v, want available without until", h)
	}
	// A request that expired while held no longer holds the helper.
	f.rdb.Del(f.ctx, f.key("req:r1"))
	engaged, err = f.s.SetAvailability(f.ctx, school, "anne", bot.Availability{Status: bot.Available})
	if err != nil || engaged != "" || f.engaged("anne") != "" {
		t.Errorf("SetAvailability after expiry = %q, %v, engaged field %q; want all empty", engaged, err, f.engaged("anne"))
	}
}

func TestDueOffers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.create("r2", t0.Add(time.Minute), cands("bram"))
	f.create("r3", t0.Add(2*time.Minute), cands("cees"))
	f.create("r4", t0.Add(3*time.Minute), cands("dirk"))
	if _, err := f.s.Advance(f.ctx, t0.Add(time.Minute), school, "r2", 1, bot.ReasonDecline, "bram", cands("bram", "erik"), t0.Add(time.Minute+timeout)); err != nil {
		t.Fatal(err)
	}
	f.accept("cees", "r3", t0.Add(2*time.Minute))
	f.rdb.Del(f.ctx, f.key("req:r4")) // expired while offered

	got, err := f.s.DueOffers(f.ctx, school, t0.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.OfferRef{
		{RequestID: "r1", OfferNo: 1, Deadline: t0.Add(timeout)},
		{RequestID: "r2", OfferNo: 2, Deadline: t0.Add(time.Minute + timeout)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DueOffers =\n %+v\nwant\n %+v", got, want)
	}
	if d := f.members("deadlines"); len(d) != 2 {
		t.Errorf("deadlines = %v; the expired r4 should be pruned", d)
	}
	if got, _ := f.s.DueOffers(f.ctx, school, t0.Add(time.Hour), 1); len(got) != 1 || got[0].RequestID != "r1" {
		t.Errorf("DueOffers limit 1 = %+v, want r1", got)
	}
	if got, _ := f.s.DueOffers(f.ctx, school, t0.Add(timeout), 0); len(got) != 1 || got[0].RequestID != "r1" {
		t.Errorf("DueOffers at r1's deadline = %+v, want r1", got)
	}
	if got, _ := f.s.DueOffers(f.ctx, school, t0.Add(timeout-time.Millisecond), 0); len(got) != 0 {
		t.Errorf("DueOffers before any deadline = %+v, want none", got)
	}
}

func TestStories(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, s := range []string{"eerste", "tweede"} {
		if err := f.s.AddStory(f.ctx, school, week, s, retention); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.s.Stories(f.ctx, school, week)
	if err != nil || !slices.Equal(got, []string{"eerste", "tweede"}) {
		t.Errorf("Stories = %v, %v", got, err)
	}
	f.checkTTL("stories:"+week, retention)
	if got, err := f.s.Stories(f.ctx, school, "2026-W01"); err != nil || len(got) != 0 {
		t.Errorf("Stories of an empty week = %v, %v", got, err)
	}
}

func TestRequestNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, id := range []string{"nope", ""} {
		if _, err := f.s.Request(f.ctx, school, id); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Request(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := request("r1", t0)
	bad := r
	bad.SchoolID = "a}b"
	if _, err := f.s.CreateAndOffer(f.ctx, t0, bad, nil, t0.Add(timeout), retention); err == nil {
		t.Errorf("school with a brace accepted")
	}
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, []bot.Candidate{{HelperID: "a,b"}}, t0.Add(timeout), retention); err == nil {
		t.Errorf("helper id with a comma accepted")
	}
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, nil, t0.Add(timeout), 0); err == nil {
		t.Errorf("zero retention accepted")
	}
	if _, err := f.s.Advance(f.ctx, t0, school, "r1", 1, "shrug", "", nil, t0.Add(timeout)); err == nil {
		t.Errorf("unknown reason accepted")
	}
	if keys, _ := scanAll(f.ctx, f.rdb, f.prefix+":*"); len(keys) != 0 {
		t.Errorf("invalid calls wrote %v", keys)
	}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	s := New(rdb, "", nil)
	ctx := context.Background()
	check := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, bot.ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable", name, err)
		}
	}
	_, err := s.CreateAndOffer(ctx, t0, request("r1", t0), cands("anne"), t0.Add(timeout), retention)
	check("CreateAndOffer", err)
	_, err = s.Accept(ctx, t0, school, "anne", "", 0)
	check("Accept", err)
	_, err = s.Request(ctx, school, "r1")
	check("Request", err)
	_, err = s.HelperStates(ctx, school, []string{"anne"})
	check("HelperStates", err)
	_, err = s.DueOffers(ctx, school, t0, 10)
	check("DueOffers", err)
	check("AddStory", s.AddStory(ctx, school, week, "x", retention))
	check("Ping", s.Ping(ctx))

	// A cancelled context is unavailable too, and keeps its cause.
	f := newFixture(t)
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = f.s.CreateAndOffer(cctx, t0, request("r1", t0), cands("anne"), t0.Add(timeout), retention)
	if !errors.Is(err, bot.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v, want ErrUnavailable and context.Canceled", err)
	}
	if err := f.s.Ping(f.ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// TestMigrateHelperStates: states kept by an earlier version, a hash per
// helper, move into the school's helpers hash; a state already there wins;
// a second run moves nothing.
func TestMigrateHelperStates(t *testing.T) {
	f := newFixture(t)
	legacy := func(id string, kv ...string) {
		t.Helper()
		if err := f.rdb.HSet(f.ctx, f.key("helper:"+id), kv).Err(); err != nil {
			t.Fatal(err)
		}
	}
	legacy("anne", hStatus, "away", hUntil, msStr(t0.Add(time.Hour)), hEngaged, "r1", hLast, msStr(t0))
	legacy("bram", hStatus, "busy")
	f.setHelper("bram", hStatus, "available", hLast, msStr(t0)) // written by a newer process
	n, err := f.s.MigrateHelperStates(f.ctx, school, []string{"anne", "bram", "chris"})
	if err != nil || n != 2 {
		t.Fatalf("MigrateHelperStates = %d, %v; want 2 moved", n, err)
	}
	want := map[string]map[string]string{
		"anne":  {hStatus: "away", hUntil: msStr(t0.Add(time.Hour)), hEngaged: "r1", hLast: msStr(t0)},
		"bram":  {hStatus: "available", hLast: msStr(t0)},
		"chris": {},
	}
	for id, w := range want {
		if got := f.helper(id); !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %v, want %v", id, got, w)
		}
		if f.rdb.Exists(f.ctx, f.key("helper:"+id)).Val() != 0 {
			t.Errorf("the old hash of %s is still there", id)
		}
	}
	// The migrated state counts: anne is engaged, so routing passes her by.
	states, err := f.s.HelperStates(f.ctx, school, []string{"anne"})
	if err != nil || states["anne"].Engaged != "r1" || states["anne"].Status != bot.Away {
		t.Errorf("HelperStates after migration = %+v, %v", states, err)
	}
	if n, err := f.s.MigrateHelperStates(f.ctx, school, []string{"anne", "bram", "chris"}); err != nil || n != 0 {
		t.Errorf("second run = %d, %v; want 0", n, err)
	}

	// At start, one call migrates every school's helpers.
	legacy("chris", hStatus, "busy")
	if err := f.rdb.HSet(f.ctx, f.s.key("de-hoek", "helper:dirk"), hStatus, "away").Err(); err != nil {
		t.Fatal(err)
	}
	schools := []*bot.School{
		{ID: school, Helpers: []bot.Helper{{ID: "anne"}, {ID: "bram"}, {ID: "chris"}}},
		{ID: "de-hoek", Helpers: []bot.Helper{{ID: "dirk"}}},
		{ID: "leeg"},
	}
	if n, err := f.s.MigrateAllHelperStates(f.ctx, schools); err != nil || n != 2 {
		t.Fatalf("MigrateAllHelperStates = %d, %v; want chris and dirk moved", n, err)
	}
	if got := f.helper("chris"); got[hStatus] != "busy" {
		t.Errorf("chris = %v, want busy", got)
	}
	if states, err := f.s.HelperStates(f.ctx, "de-hoek", []string{"dirk"}); err != nil || states["dirk"].Status != bot.Away {
		t.Errorf("dirk of the second school = %+v, %v; want away", states, err)
	}
	if n, err := f.s.MigrateAllHelperStates(f.ctx, schools); err != nil || n != 0 {
		t.Errorf("second run over all schools = %d, %v; want 0", n, err)
	}
	// A school that fails stops the migration and says which.
	bad := append([]*bot.School{{ID: "{kapot}", Helpers: []bot.Helper{{ID: "x"}}}}, schools...)
	if _, err := f.s.MigrateAllHelperStates(f.ctx, bad); err == nil || !strings.Contains(err.Error(), "{kapot}") {
		t.Errorf("MigrateAllHelperStates with a bad school id = %v, want an error naming it", err)
	}
}

// TestMigrateRequesterIndexes: the indexes of requesters' active requests
// that an earlier version named by platform and handle are renamed after
// the requester's pseudonym at start, keeping their entries and expiry, and
// their records are marked, so cancelling and closing find them; a second
// run renames nothing. Afterwards no key name holds a handle.
func TestMigrateRequesterIndexes(t *testing.T) {
	f := newFixture(t)
	bob := bot.Address{Platform: slack, Handle: "U0BOB"}
	f.create("r1", t0, cands("anne"))
	f.create("r2", t0.Add(time.Minute), cands("bram"))
	f.accept("bram", "r2", t0.Add(2*time.Minute))
	other := request("r3", t0)
	other.Requester = bob
	if _, err := f.s.CreateAndOffer(f.ctx, t0, other, cands("chris"), t0.Add(timeout), retention); err != nil {
		t.Fatal(err)
	}
	// As the earlier version wrote them: the index under the handle, the
	// records without the pseudonym.
	legacy := map[bot.Address]string{marie: "mine:mattermost:marie", bob: "mine:slack:u0bob"}
	for a, old := range legacy {
		if err := f.rdb.Rename(f.ctx, f.key(f.mine(a)), f.key(old)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"r1", "r2", "r3"} {
		if err := f.rdb.HDel(f.ctx, f.key("req:"+id), fMineKey).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Another deployment on the same Redis keeps its own.
	foreign := "andere:{de-vaart}:mine:mattermost:marie"
	f.rdb.ZAdd(f.ctx, foreign, redis.Z{Score: 1, Member: "x"})
	t.Cleanup(func() { f.rdb.Del(context.Background(), foreign) })

	n, err := f.s.MigrateRequesterIndexes(f.ctx)
	if err != nil || n != 3 {
		t.Fatalf("MigrateRequesterIndexes = %d, %v; want 3 requests moved", n, err)
	}
	for a, old := range legacy {
		if f.rdb.Exists(f.ctx, f.key(old)).Val() != 0 {
			t.Errorf("%s is still there", old)
		}
		f.checkTTL(f.mine(a), retention)
	}
	if got, want := f.members(f.mine(marie)), []string{"r1=" + msStr(t0), "r2=" + msStr(t0.Add(time.Minute))}; !slices.Equal(got, want) {
		t.Errorf("marie's index = %v, want %v", got, want)
	}
	if got := f.rdb.Exists(f.ctx, foreign).Val(); got != 1 {
		t.Errorf("the other deployment's index was touched")
	}
	if n, err := f.s.MigrateRequesterIndexes(f.ctx); err != nil || n != 0 {
		t.Errorf("second run = %d, %v; want 0", n, err)
	}

	// Closing takes a migrated request off the new index; a cancel without
	// a request id finds marie's latest there.
	if _, err := f.s.Resolve(f.ctx, t0.Add(3*time.Minute), school, "bram", ""); err != nil {
		t.Fatal(err)
	}
	if got, want := f.members(f.mine(marie)), []string{"r1=" + msStr(t0)}; !slices.Equal(got, want) {
		t.Errorf("marie's index after r2 was resolved = %v, want %v", got, want)
	}
	r, err := f.s.Cancel(f.ctx, t0.Add(4*time.Minute), school, marie, "")
	if err != nil || r.ID != "r1" || r.State != bot.StateCancelled {
		t.Fatalf("Cancel(marie, latest) = %s %s, %v; want r1 cancelled", r.ID, r.State, err)
	}
	if got := f.members(f.mine(marie)); len(got) != 0 {
		t.Errorf("marie's index after cancelling = %v, want empty", got)
	}
	checkNoHandleInKeys(t, f, "marie", "u0bob")
}

// checkNoHandleInKeys fails t when a key name of f's prefix holds one of
// the handles.
func checkNoHandleInKeys(t *testing.T, f *fixture, handles ...string) {
	t.Helper()
	keys, err := scanAll(f.ctx, f.rdb, f.prefix+":*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		for _, h := range handles {
			if strings.Contains(strings.ToLower(k), strings.ToLower(h)) {
				t.Errorf("key %s holds %s", k, h)
			}
		}
	}
}
