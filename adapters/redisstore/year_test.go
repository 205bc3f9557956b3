package redisstore

import (
	"slices"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// createIn stores a request of marie created at now in month m (as the
// core names it: the school's month).
func (f *fixture) createIn(id, m string, now time.Time, cs []bot.Candidate) bot.Request {
	f.t.Helper()
	r := request(id, now)
	r.Month = m
	out, err := f.s.CreateAndOffer(f.ctx, now, r, cs, now.Add(timeout), retention)
	if err != nil {
		f.t.Fatalf("CreateAndOffer(%s): %v", id, err)
	}
	return out
}

func TestYearFiguresCountsEachMonth(t *testing.T) {
	f := newFixture(t)
	sep := time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC)
	nov := t0
	// September: one accepted in time by the first helper and resolved,
	// one that nobody could take, closed unpicked at the end of the day.
	f.createIn("s1", "2026-09", sep, cands("anne"))
	f.accept("anne", "s1", sep.Add(30*time.Second))
	if _, err := f.s.Resolve(f.ctx, sep.Add(time.Hour), school, "anne", ""); err != nil {
		t.Fatal(err)
	}
	f.createIn("s2", "2026-09", sep.Add(2*time.Hour), nil)
	if _, err := f.s.CloseUnpicked(f.ctx, sep.Add(6*time.Hour), school, sep.Add(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// November: declined by anne, accepted by bram after the first
	// offer's time; another picked up from the fallback channel in time;
	// one cancelled.
	f.createIn("n1", "2026-11", nov, cands("anne", "bram"))
	if _, err := f.s.Advance(f.ctx, nov.Add(time.Minute), school, "n1", 1, bot.ReasonDecline, "anne", cands("anne", "bram"), nov.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.accept("bram", "n1", nov.Add(2*time.Minute+time.Second))
	f.createIn("n2", "2026-11", nov.Add(time.Hour), nil)
	if _, err := f.s.Pickup(f.ctx, nov.Add(time.Hour+time.Minute), school, "n2", bot.Actor{Address: marie, Name: "Marie"}, ""); err != nil {
		t.Fatal(err)
	}
	f.createIn("n3", "2026-11", nov.Add(2*time.Hour), cands("anne"))
	if _, err := f.s.Cancel(f.ctx, nov.Add(2*time.Hour+time.Second), school, marie, "n3"); err != nil {
		t.Fatal(err)
	}

	y, err := f.s.YearFigures(f.ctx, school, bot.SchoolYear{Start: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if len(y.Months) != 12 || y.Months[0].Month != "2026-08" || y.Months[11].Month != "2027-07" {
		t.Fatalf("months = %d, first %q last %q; want the 12 months Aug–Jul", len(y.Months), y.Months[0].Month, y.Months[11].Month)
	}
	get := func(m string) bot.MonthFigures {
		for _, x := range y.Months {
			if x.Month == m {
				return x
			}
		}
		t.Fatalf("no month %s", m)
		return bot.MonthFigures{}
	}
	s, n, aug := get("2026-09"), get("2026-11"), get("2026-08")
	tests := []struct {
		name      string
		got, want int
	}{
		{"sep requests", s.Requests, 2},
		{"sep accepted", s.Accepted, 1},
		{"sep accepted first", s.AcceptedFirst, 1},
		{"sep accepted in time", s.AcceptedInTime, 1},
		{"sep resolved", s.Resolved, 1},
		{"sep escalated", s.Escalated, 1},
		{"sep no cover", s.NoCover, 1},
		{"sep unpicked", s.Unpicked, 1},
		{"sep waits", len(s.Waits), 1},
		{"sep group 5", s.ByGroup["5"], 2},
		{"nov requests", n.Requests, 3},
		{"nov accepted", n.Accepted, 2},
		{"nov accepted first", n.AcceptedFirst, 0},
		{"nov accepted in time (the pickup)", n.AcceptedInTime, 1},
		{"nov picked up", n.PickedUp, 1},
		{"nov cancelled", n.Cancelled, 1},
		{"nov unpicked (none)", n.Unpicked, 0},
		{"nov waits", len(n.Waits), 2},
		{"aug requests (none)", aug.Requests, 0},
		{"aug waits (none)", len(aug.Waits), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if s.Waits[0] != 30*time.Second {
		t.Errorf("sep wait = %v, want 30s", s.Waits[0])
	}
	if aug.ByGroup == nil || aug.Support == nil || aug.Outcome == nil {
		t.Error("a zero month has nil maps; want empty ones")
	}
	// The weekly counters still count as before (the fixture's requests
	// are all of one week).
	if w := f.stats(); w["requests"] != 5 || w["accepted"] != 3 || w[bot.CountAcceptedInTime] != 2 {
		t.Errorf("week counters = %v", w)
	}
	// Every survey period of the year is there, with no answers.
	if want := 12*2 + 4*2 + 4*2; len(y.Surveys) != want {
		t.Errorf("surveys = %d figures, want %d", len(y.Surveys), want)
	}
	for _, sv := range y.Surveys {
		if sv.Count() != 0 {
			t.Errorf("survey %+v has answers", sv)
		}
	}

	years, err := f.s.SchoolYears(f.ctx, school)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(years, []bot.SchoolYear{{Start: 2026}}) {
		t.Errorf("school years = %v, want [2026-2027]", years)
	}
	f.checkTTL("month:2026-11", StatsTTL)
	f.checkTTL("tta:2026-11", StatsTTL)
	f.checkTTL("months", StatsTTL)
}

func TestSchoolYearsLatestFirst(t *testing.T) {
	f := newFixture(t)
	f.createIn("a", "2025-07", t0, nil) // school year 2024-2025
	f.createIn("b", "2025-08", t0, nil) // 2025-2026
	f.createIn("c", "2026-11", t0, nil) // 2026-2027
	f.createIn("d", "2026-12", t0, nil)
	years, err := f.s.SchoolYears(f.ctx, school)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bot.SchoolYear{{Start: 2026}, {Start: 2025}, {Start: 2024}}; !slices.Equal(years, want) {
		t.Errorf("school years = %v, want %v", years, want)
	}
	empty, err := f.s.SchoolYears(f.ctx, "elders")
	if err != nil || len(empty) != 0 {
		t.Errorf("a school without figures: %v, %v", empty, err)
	}
}

// A shorter statistics TTL never cuts a counter short; a longer one raises it.
func TestStatsTTLOnlyRaises(t *testing.T) {
	f := newFixture(t)
	long := 3 * StatsTTL
	if err := f.s.SetStatsTTL(long); err != nil {
		t.Fatal(err)
	}
	f.create("r1", t0, nil)
	f.checkTTL("month:"+month, long)
	f.checkTTL("week:"+week, long)

	if err := f.s.SetStatsTTL(30 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	f.create("r2", t0, nil)
	f.checkTTL("month:"+month, long)
	if n := f.hash("month:" + month)["requests"]; n != "2" {
		t.Errorf("requests = %s, want 2", n)
	}
	// A key made under the short setting gets the short one.
	r := request("r3", t0)
	r.Month, r.Week = "2026-12", "2026-W49"
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, nil, t0.Add(timeout), retention); err != nil {
		t.Fatal(err)
	}
	f.checkTTL("month:2026-12", 30*24*time.Hour)

	if err := f.s.SetStatsTTL(time.Hour); err == nil {
		t.Error("a TTL of an hour was accepted")
	}
}

func TestCreateNeedsMonth(t *testing.T) {
	f := newFixture(t)
	r := request("r1", t0)
	r.Month = ""
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, cands("anne"), t0.Add(timeout), retention); err == nil {
		t.Error("a request without a month was stored")
	}
}

// Counters written under the old 400 days live the new TTL after their
// last change; a second start raises nothing again; a lower setting
// shortens nothing.
func TestRaiseStatsTTL(t *testing.T) {
	f := newFixture(t)
	old := f.on(t)
	old.s = New(f.rdb, f.prefix, nil)
	if err := old.s.SetStatsTTL(PreviousStatsTTL); err != nil {
		t.Fatal(err)
	}
	old.create("r1", t0, nil)
	if err := f.rdb.PExpire(f.ctx, f.key("week:"+week), 100*24*time.Hour).Err(); err != nil { // as if changed 300 days ago
		t.Fatal(err)
	}
	n, err := f.s.RaiseStatsTTL(f.ctx, []string{school}, t0)
	if err != nil || n != 3 {
		t.Fatalf("raised %d keys, %v; want the week's, the month's and the months set", n, err)
	}
	if got, want := f.pttl("week:"+week), 100*24*time.Hour+StatsTTL-PreviousStatsTTL; got < want-time.Minute || got > want {
		t.Errorf("week TTL = %v, want %v", got, want)
	}
	f.checkTTL("month:"+month, StatsTTL)
	if n, err := f.s.RaiseStatsTTL(f.ctx, []string{school}, t0); n != 0 || err != nil {
		t.Errorf("a second start raised %d, %v", n, err)
	}
	lower := New(f.rdb, f.prefix, nil)
	if err := lower.SetStatsTTL(500 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if n, err := lower.RaiseStatsTTL(f.ctx, []string{school}, t0); n != 0 || err != nil {
		t.Errorf("a lower setting changed %d keys, %v", n, err)
	}
	f.checkTTL("month:"+month, StatsTTL)
}

// TestStoriesCountInTheirMonth: every way a story is shared — plain,
// signed, signable, held and then shared — counts once in the month of its
// week, and a held story dropped counts nothing; the count outlives the
// stories themselves.
func TestStoriesCountInTheirMonth(t *testing.T) {
	f := newFixture(t)
	// 2026-W49 runs Mon 30 Nov – Sun 6 Dec: its Thursday is in December.
	const w = "2026-W49"
	if err := f.s.AddStory(f.ctx, school, w, "De hele klas las mee", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := f.s.AddSignedStory(f.ctx, school, w, marie, bot.Story{Text: "Rustig naar de gym", By: "juf Marie"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := f.s.AddSignableStory(f.ctx, school, w, "st1", "Samen opgeruimd", time.Hour); err != nil {
		t.Fatal(err)
	}
	for id, share := range map[string]bool{"h1": true, "h2": false} {
		if err := f.s.HoldStory(f.ctx, t0, school, id, w, "2026-12", marie, bot.Story{Text: "Daan bleef in de groep"}, time.Hour, bot.HoldFor); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.DecideStory(f.ctx, t0, school, id, marie, share); err != nil {
			t.Fatal(err)
		}
	}
	// The stories go; the count stays.
	for _, k := range f.s.rdb.Keys(f.ctx, f.s.key(school, "s*:"+w)).Val() {
		f.s.rdb.Del(f.ctx, k)
	}
	y, err := f.s.YearFigures(f.ctx, school, bot.SchoolYear{Start: 2026})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range y.Months {
		want := 0
		if m.Month == "2026-12" {
			want = 4
		}
		if m.Stories != want {
			t.Errorf("%s: %d stories, want %d", m.Month, m.Stories, want)
		}
	}
	f.checkTTL("month:2026-12", StatsTTL)
}
