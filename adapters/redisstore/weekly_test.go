package redisstore

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// resolved creates a request of marie that anne accepts and closes.
func (f *fixture) resolved(id string, now time.Time) bot.Request {
	f.t.Helper()
	f.create(id, now, cands("anne"))
	f.accept("anne", id, now.Add(time.Minute))
	r, err := f.s.Resolve(f.ctx, now.Add(5*time.Minute), school, "anne", "")
	if err != nil {
		f.t.Fatalf("Resolve(%s): %v", id, err)
	}
	return r
}

func TestRecordPulse(t *testing.T) {
	f := newFixture(t)
	f.resolved("req000000001", t0)
	f.create("req000000002", t0, cands("bram")) // offered, not closed

	tests := []struct {
		name   string
		req    string
		by     bot.Address
		answer bot.PulseAnswer
		want   error
	}{
		{"someone else", "req000000001", bot.Address{Platform: mattermost, Handle: "anne"}, bot.PulseUp, bot.ErrNotYours},
		{"the requester, another case", "req000000001", bot.Address{Platform: mattermost, Handle: "MARIE"}, bot.PulseUp, nil},
		{"twice", "req000000001", marie, bot.PulseDown, bot.ErrDuplicate},
		{"not closed yet", "req000000002", marie, bot.PulseUp, bot.ErrClosed},
		{"no such request", "req000000009", marie, bot.PulseUp, bot.ErrNotFound},
	}
	for _, tt := range tests {
		err := f.s.RecordPulse(f.ctx, t0.Add(time.Hour), school, tt.req, tt.by, tt.answer)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: RecordPulse = %v; want %v", tt.name, err, tt.want)
		}
	}
	stats, err := f.s.WeekStats(f.ctx, school, week)
	if err != nil {
		t.Fatal(err)
	}
	if stats["pulse:up"] != 1 || stats["pulse:down"] != 0 {
		t.Errorf("pulse counters = up %d, down %d; want 1, 0", stats["pulse:up"], stats["pulse:down"])
	}
	// The record keeps that an answer came, never which.
	if v, _ := f.rdb.HGet(f.ctx, f.key("req:req000000001"), "pulse").Result(); v != "1" {
		t.Errorf("record field pulse = %q; want 1", v)
	}
	if err := f.s.RecordPulse(f.ctx, t0, school, "req000000001", marie, "maybe"); err == nil {
		t.Error("an unknown answer: no error")
	}
}

func TestRecordPulseOnceUnderRace(t *testing.T) {
	f := newFixture(t)
	f.resolved("req000000001", t0)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			a := []bot.PulseAnswer{bot.PulseUp, bot.PulseDown, bot.PulseSelf}[i%3]
			if f.s.RecordPulse(f.ctx, t0.Add(time.Hour), school, "req000000001", marie, a) == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	stats, _ := f.s.WeekStats(f.ctx, school, week)
	if ok.Load() != 1 || stats["pulse:up"]+stats["pulse:down"]+stats["pulse:self"] != 1 {
		t.Errorf("%d answers counted of 20 racing clicks (stats %v); want 1", ok.Load(), stats)
	}
}

func TestAgenda(t *testing.T) {
	f := newFixture(t)
	f.resolved("req000000001", t0)
	f.create("req000000002", t0.Add(time.Hour), cands("anne"))
	f.accept("anne", "req000000002", t0.Add(time.Hour+time.Minute)) // working on it
	f.create("req000000003", t0.Add(2*time.Hour), cands("bram"))    // only offered

	add := func(id, helper string, at time.Time) error {
		return f.s.AddAgendaItem(f.ctx, at, school, id, helper, "", retention)
	}
	if err := add("req000000001", "anne", t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := add("req000000002", "anne", t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id, helper string
		want       error
	}{
		{"req000000001", "anne", bot.ErrDuplicate},
		{"req000000001", "bram", bot.ErrNotYours},
		{"req000000003", "bram", bot.ErrClosed},
		{"req000000009", "anne", bot.ErrNotFound},
	} {
		if err := add(tt.id, tt.helper, t0.Add(5*time.Hour)); !errors.Is(err, tt.want) {
			t.Errorf("AddAgendaItem(%s by %s) = %v; want %v", tt.id, tt.helper, err, tt.want)
		}
	}

	items, err := f.s.AgendaItems(f.ctx, school, t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := bot.AgendaItem{RequestID: "req000000001", Group: "5", DayPart: "ochtend", HelperID: "anne", CreatedAt: t0, MarkedAt: t0.Add(3 * time.Hour)}
	if len(items) != 1 || items[0] != want {
		t.Fatalf("AgendaItems up to the first mark = %+v; want [%+v]", items, want)
	}
	items, _ = f.s.AgendaItems(f.ctx, school, t0.Add(24*time.Hour))
	if len(items) != 2 || items[1].RequestID != "req000000002" {
		t.Fatalf("AgendaItems = %+v; want both, oldest first", items)
	}

	// An expired request drops out of the listing.
	f.rdb.Del(f.ctx, f.key("req:req000000002"))
	items, _ = f.s.AgendaItems(f.ctx, school, t0.Add(24*time.Hour))
	if len(items) != 1 {
		t.Errorf("AgendaItems with an expired request = %+v; want one", items)
	}

	if err := f.s.RemoveAgendaItems(f.ctx, school, []string{"req000000001"}); err != nil {
		t.Fatal(err)
	}
	if items, _ := f.s.AgendaItems(f.ctx, school, t0.Add(24*time.Hour)); len(items) != 0 {
		t.Errorf("AgendaItems after removal = %+v; want none", items)
	}
	if ttl := f.rdb.PTTL(f.ctx, f.key("agenda")).Val(); ttl <= 0 || ttl > retention {
		t.Errorf("agenda TTL = %v; want at most the retention", ttl)
	}
}

func TestSignedStories(t *testing.T) {
	f := newFixture(t)
	in := []bot.Story{{Text: "Groep 5 \"rustig\" — dankzij {iedereen}", By: "Anne"}, {Text: "Samen gelukt", By: "Marie"}}
	for _, st := range in {
		if err := f.s.AddSignedStory(f.ctx, school, week, marie, st, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.s.SignedStories(f.ctx, school, week)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != in[0] || got[1] != in[1] {
		t.Errorf("SignedStories = %+v; want %+v", got, in)
	}
	if ttl := f.rdb.PTTL(f.ctx, f.key("signed:"+week)).Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("TTL = %v; want at most an hour", ttl)
	}
	// Unsigned stories stay where they were, apart.
	if plain, _ := f.s.Stories(f.ctx, school, week); len(plain) != 0 {
		t.Errorf("Stories = %v; want none", plain)
	}
}

func TestLease(t *testing.T) {
	f := newFixture(t)
	const name = "digest@2026-12-04T16:00:00"
	var got atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			ok, err := f.s.Lease(f.ctx, school, name, time.Hour)
			if err != nil {
				t.Error(err)
			}
			if ok {
				got.Add(1)
			}
		})
	}
	wg.Wait()
	if got.Load() != 1 {
		t.Errorf("%d of 10 callers got the lease; want 1", got.Load())
	}
	if ok, _ := f.s.Lease(f.ctx, school, "digest@2026-12-11T16:00:00", time.Hour); !ok {
		t.Error("the next tick's lease is taken")
	}
	if ttl := f.rdb.PTTL(f.ctx, f.key("lease:"+name)).Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("lease TTL = %v; want at most an hour", ttl)
	}
	if _, err := f.s.Lease(f.ctx, school, name, 0); err == nil {
		t.Error("a lease without a TTL: no error")
	}
	if _, err := f.s.Lease(f.ctx, "{bad}", name, time.Hour); err == nil {
		t.Error("a school id with braces: no error")
	}
}

// TestLeaseReleased: a released lease can be taken again at once; a held
// one cannot.
func TestLeaseReleased(t *testing.T) {
	f := newFixture(t)
	for i, want := range []bool{true, false} {
		if ok, err := f.s.Lease(f.ctx, school, "tick", time.Hour); err != nil || ok != want {
			t.Fatalf("lease %d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	if err := f.s.Release(f.ctx, school, "tick"); err != nil {
		t.Fatal(err)
	}
	if ok, err := f.s.Lease(f.ctx, school, "tick", time.Hour); err != nil || !ok {
		t.Fatalf("lease after release = %v, %v; want true", ok, err)
	}
}

func TestAgendaThemes(t *testing.T) {
	f := newFixture(t)
	add := func(th bot.AgendaTheme) (int, error) { return f.s.AddAgendaTheme(f.ctx, t0, school, th, retention) }
	for i, text := range []string{"ouderavond over prestatiedruk", "faalangst in groep 8", "pauzes op het plein"} {
		no, err := add(bot.AgendaTheme{Text: text})
		if err != nil || no != i+1 {
			t.Fatalf("AddAgendaTheme(%q) = %d, %v; want %d", text, no, err, i+1)
		}
	}
	if _, err := f.s.CloseAgendaTheme(f.ctx, school, 2); err != nil {
		t.Fatal(err)
	}
	// The lowest free number is used again: numbers stay small.
	if no, err := add(bot.AgendaTheme{Group: "5", ConsultID: "c1"}); err != nil || no != 2 {
		t.Errorf("AddAgendaTheme after closing 2 = %d, %v; want 2", no, err)
	}
	before := f.snapshot()
	if _, err := add(bot.AgendaTheme{Group: "5", ConsultID: "c1"}); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("a consult's theme twice: %v; want ErrDuplicate", err)
	}
	if _, err := f.s.CloseAgendaTheme(f.ctx, school, 9); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("CloseAgendaTheme(9) = %v; want ErrNotFound", err)
	}
	sameSnapshot(t, before, f.snapshot())

	got, err := f.s.AgendaThemes(f.ctx, school)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.AgendaTheme{
		{No: 1, Text: "ouderavond over prestatiedruk", At: t0},
		{No: 2, Group: "5", ConsultID: "c1", At: t0},
		{No: 3, Text: "pauzes op het plein", At: t0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("AgendaThemes = %+v; want %+v", got, want)
	}
	// Closing the consult's theme lets the consult come back on later.
	if th, err := f.s.CloseAgendaTheme(f.ctx, school, 2); err != nil || th.ConsultID != "c1" {
		t.Errorf("CloseAgendaTheme(2) = %+v, %v", th, err)
	}
	if no, err := add(bot.AgendaTheme{Group: "5", ConsultID: "c1"}); err != nil || no != 2 {
		t.Errorf("the consult again after closing = %d, %v; want 2", no, err)
	}
	if ttl := f.pttl("agenda:themes"); ttl <= 0 || ttl > retention {
		t.Errorf("themes TTL = %v; want at most the retention", ttl)
	}
}

func TestAgendaThemesRace(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	nos := make([]int, 20)
	for i := range nos {
		wg.Go(func() {
			no, err := f.s.AddAgendaTheme(f.ctx, t0, school, bot.AgendaTheme{Text: "thema"}, retention)
			if err != nil {
				t.Error(err)
			}
			nos[i] = no
		})
	}
	wg.Wait()
	slices.Sort(nos)
	for i, no := range nos {
		if no != i+1 {
			t.Fatalf("numbers of 20 racing themes = %v; want 1…20, each once", nos)
		}
	}
}

func TestResolveAndMarkPicked(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, nil) // escalated
	f.create("r2", t0, nil)
	if _, err := f.s.Pickup(f.ctx, t0.Add(time.Minute), school, "r1", kernteamlid, ""); err != nil {
		t.Fatal(err)
	}
	// Someone else took nothing: nothing to close, nothing changes.
	other := bot.Address{Platform: mattermost, Handle: "juf.marie"}
	before := f.snapshot()
	if _, err := f.s.ResolvePicked(f.ctx, t0, school, other, ""); !errors.Is(err, bot.ErrNoActiveRequest) {
		t.Errorf("ResolvePicked by someone who took nothing = %v; want ErrNoActiveRequest", err)
	}
	if err := f.s.AddAgendaItem(f.ctx, t0, school, "r1", "", other.Identity(), retention); !errors.Is(err, bot.ErrNotYours) {
		t.Errorf("marking someone else's pick-up = %v; want ErrNotYours", err)
	}
	if err := f.s.AddAgendaItem(f.ctx, t0, school, "r2", "", kernteamlid.Identity(), retention); !errors.Is(err, bot.ErrNotYours) {
		t.Errorf("marking a request nobody picked up = %v; want ErrNotYours", err)
	}
	sameSnapshot(t, before, f.snapshot())

	// The handle as the platform gives it may differ in case.
	upper := kernteamlid.Address
	upper.Handle = "Meester.Joost"
	r, err := f.s.ResolvePicked(f.ctx, t0.Add(time.Hour), school, upper, "rustig gesprek")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "r1" || r.State != bot.StateResolved || r.DoneNote != "rustig gesprek" {
		t.Errorf("resolved %+v", r)
	}
	if f.stats()["resolved"] != 1 {
		t.Errorf("counters = %v; want one resolved", f.stats())
	}
	var resolvedTold bool
	for k := range f.queued() {
		resolvedTold = resolvedTold || strings.Contains(k, "/r1/resolved/")
	}
	if !resolvedTold {
		t.Errorf("no resolved notice queued: %v", f.queued())
	}
	if _, err := f.s.ResolvePicked(f.ctx, t0.Add(time.Hour), school, kernteamlid.Address, ""); !errors.Is(err, bot.ErrNoActiveRequest) {
		t.Errorf("resolving again = %v; want ErrNoActiveRequest", err)
	}
	if err := f.s.AddAgendaItem(f.ctx, t0.Add(time.Hour), school, "r1", "", kernteamlid.Identity(), retention); err != nil {
		t.Errorf("the picker marks it for the kernteam: %v", err)
	}
}

func TestSignStoryOnceUnderRace(t *testing.T) {
	f := newFixture(t)
	if err := f.s.AddSignableStory(f.ctx, school, week, "st1", "de gymles ging goed", retention); err != nil {
		t.Fatal(err)
	}
	if err := f.s.AddSignableStory(f.ctx, school, week, "st2", "rustige kring", retention); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, err := f.s.SignStory(f.ctx, school, "st1", marie, "Marie", retention)
			switch {
			case err == nil:
				ok.Add(1)
			case !errors.Is(err, bot.ErrNotFound):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	plain, _ := f.s.Stories(f.ctx, school, week)
	signed, _ := f.s.SignedStories(f.ctx, school, week)
	if ok.Load() != 1 || !slices.Equal(plain, []string{"rustige kring"}) || len(signed) != 1 || signed[0] != (bot.Story{Text: "de gymles ging goed", By: "Marie"}) {
		t.Errorf("%d signed of 10 presses; plain %q, signed %+v; want it moved once", ok.Load(), plain, signed)
	}
	if _, err := f.s.SignStory(f.ctx, school, "nope", marie, "Marie", retention); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("unknown story: %v", err)
	}
}
