package bot

import (
	"slices"
	"testing"
	"time"
)

func TestCandidates(t *testing.T) {
	s := testSchool(t)
	tests := []struct {
		name  string
		now   time.Time
		group string
		want  []Candidate
	}{
		{"monday morning, group 5: affinity first within role", at(2026, 11, 23, 10, 0), "5",
			[]Candidate{{"anne", 0}, {"chris", 1}, {"bram", 3}, {"dirk", 5}}},
		{"monday morning, group 1-2a: no affinity, config order within rank", at(2026, 11, 23, 10, 0), "1-2a",
			[]Candidate{{"anne", 1}, {"chris", 1}, {"bram", 3}, {"dirk", 5}}},
		{"monday afternoon: Anne only mornings", at(2026, 11, 23, 14, 0), "5",
			[]Candidate{{"chris", 1}, {"bram", 3}, {"dirk", 5}}},
		{"tuesday afternoon: only who is always on", at(2026, 11, 24, 14, 0), "5",
			[]Candidate{{"chris", 1}}},
		{"wednesday morning", at(2026, 11, 25, 9, 0), "3", []Candidate{{"chris", 1}}},
		{"friday 16:59 is still middag", at(2026, 11, 27, 16, 59), "4", []Candidate{{"chris", 1}, {"bram", 3}}},
		{"friday 17:00 is after school", at(2026, 11, 27, 17, 0), "4", []Candidate{{"chris", 1}}},
		{"monday 07:59 is before school", at(2026, 11, 23, 7, 59), "4", []Candidate{{"chris", 1}}},
		{"monday 08:00 in the morning", at(2026, 11, 23, 8, 0), "4",
			[]Candidate{{"anne", 0}, {"chris", 1}, {"bram", 3}, {"dirk", 5}}},
		{"a UTC instant is judged in Amsterdam time", time.Date(2026, 11, 23, 11, 30, 0, 0, time.UTC), "5",
			[]Candidate{{"chris", 1}, {"bram", 3}, {"dirk", 5}}},
		{"summer time: 09:30 local is 07:30 UTC", time.Date(2026, 6, 1, 7, 30, 0, 0, time.UTC), "5",
			[]Candidate{{"anne", 0}, {"chris", 1}, {"bram", 3}, {"dirk", 5}}},
		{"sunday", at(2026, 11, 29, 10, 0), "5", []Candidate{{"chris", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Candidates(s, tt.group, tt.now)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Candidates(%s, %s) = %v, want %v", tt.group, tt.now, got, tt.want)
			}
		})
	}
}

func TestChoose(t *testing.T) {
	now := at(2026, 11, 23, 10, 0)
	cands := []Candidate{{"anne", 0}, {"chris", 1}, {"bram", 3}, {"dirk", 3}}
	earlier := now.Add(-time.Hour)
	tests := []struct {
		name   string
		states map[string]HelperState
		tried  []string
		want   string
		wantOK bool
	}{
		{"all free: best rank", nil, nil, "anne", true},
		{"best rank engaged", map[string]HelperState{"anne": {Engaged: "r1"}}, nil, "chris", true},
		{"best rank tried already", nil, []string{"anne"}, "chris", true},
		{"busy is skipped", map[string]HelperState{"anne": {Availability: Availability{Busy, now.Add(time.Minute)}}}, nil, "chris", true},
		{"away until lapses exactly at until", map[string]HelperState{"anne": {Availability: Availability{Away, now}}}, nil, "anne", true},
		{"away until a minute from now", map[string]HelperState{"anne": {Availability: Availability{Away, now.Add(time.Minute)}}}, nil, "chris", true},
		{"away without end stays away", map[string]HelperState{"anne": {Availability: Availability{Status: Away}}}, nil, "chris", true},
		{"explicit available", map[string]HelperState{"anne": {Availability: Availability{Status: Available}}}, nil, "anne", true},
		{"same rank: least recently assigned", map[string]HelperState{
			"anne": {Engaged: "r1"}, "chris": {Engaged: "r2"}, "bram": {LastAssigned: now}, "dirk": {LastAssigned: earlier}}, nil, "dirk", true},
		{"same rank, never assigned beats assigned", map[string]HelperState{
			"anne": {Engaged: "r1"}, "chris": {Engaged: "r2"}, "bram": {LastAssigned: earlier}}, nil, "dirk", true},
		{"same rank and same time: list order", map[string]HelperState{
			"anne": {Engaged: "r1"}, "chris": {Engaged: "r2"}}, nil, "bram", true},
		{"rank beats fairness", map[string]HelperState{"anne": {LastAssigned: now}, "chris": {LastAssigned: earlier}}, nil, "anne", true},
		{"nobody left", map[string]HelperState{"anne": {Engaged: "r1"}, "chris": {Engaged: "r2"}}, []string{"bram", "dirk"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Choose(now, cands, tt.states, tt.tried)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Choose = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if _, ok := Choose(now, nil, nil, nil); ok {
		t.Error("Choose with no candidates found someone")
	}
}

// TestFairness plays a day of requests one after another: with equal ranks,
// the work is spread evenly over the helpers.
func TestFairness(t *testing.T) {
	now := at(2026, 11, 23, 10, 0)
	cands := []Candidate{{"a", 1}, {"b", 1}, {"c", 1}}
	states := map[string]HelperState{}
	count := map[string]int{}
	for i := range 30 {
		now = now.Add(time.Minute)
		id, ok := Choose(now, cands, states, nil)
		if !ok {
			t.Fatalf("request %d: nobody chosen", i)
		}
		count[id]++
		states[id] = HelperState{LastAssigned: now}
	}
	for _, c := range cands {
		if count[c.HelperID] != 10 {
			t.Errorf("helper %s got %d of 30 requests, want 10", c.HelperID, count[c.HelperID])
		}
	}
}

// BenchmarkCandidates is the static half of routing for a school with ten
// helpers.
func BenchmarkCandidates(b *testing.B) {
	s := testSchool(b)
	for i := range 6 {
		h := s.Helpers[i%len(s.Helpers)]
		h.ID = h.ID + string(rune('a'+i))
		s.Helpers = append(s.Helpers, h)
	}
	now := at(2026, 11, 23, 10, 0)
	b.ReportAllocs()
	for b.Loop() {
		if len(Candidates(s, "5", now)) == 0 {
			b.Fatal("no candidates")
		}
	}
}

// BenchmarkChoose is the dynamic half over ten candidates.
func BenchmarkChoose(b *testing.B) {
	now := at(2026, 11, 23, 10, 0)
	var cands []Candidate
	states := map[string]HelperState{}
	for i := range 10 {
		id := string(rune('a' + i))
		cands = append(cands, Candidate{HelperID: id, Rank: i % 3})
		states[id] = HelperState{LastAssigned: now.Add(-time.Duration(i) * time.Minute)}
	}
	states["a"] = HelperState{Engaged: "r1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Choose(now, cands, states, []string{"b"}); !ok {
			b.Fatal("nobody chosen")
		}
	}
}
