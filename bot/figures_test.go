package bot

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func secs(s ...int) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, x := range s {
		out[i] = time.Duration(x) * time.Second
	}
	return out
}

func TestMedianAndPercentile(t *testing.T) {
	tests := []struct {
		name        string
		waits       []time.Duration
		median, p90 time.Duration
		ok          bool
	}{
		{"none", nil, 0, 0, false},
		{"one", secs(42), 42 * time.Second, 42 * time.Second, true},
		{"two: the mean of both; p90 the larger", secs(30, 90), 60 * time.Second, 90 * time.Second, true},
		{"odd, unsorted", secs(50, 10, 30), 30 * time.Second, 50 * time.Second, true},
		// Ten values: p90 is the 9th smallest (nearest rank ⌈0.9·10⌉ = 9).
		{"ten", secs(100, 10, 20, 30, 40, 50, 60, 70, 80, 90), 55 * time.Second, 90 * time.Second, true},
		// Eleven values: ⌈0.9·11⌉ = 10th smallest.
		{"eleven", secs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 6 * time.Second, 10 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.waits)
			m, ok1 := Median(tt.waits)
			p, ok2 := Percentile(tt.waits, 90)
			if m != tt.median || p != tt.p90 || ok1 != tt.ok || ok2 != tt.ok {
				t.Errorf("median %v %v, p90 %v %v; want %v, %v (%v)", m, ok1, p, ok2, tt.median, tt.p90, tt.ok)
			}
			if !slices.Equal(in, tt.waits) {
				t.Error("the waits were reordered")
			}
		})
	}
}

func TestFiguresFrom(t *testing.T) {
	counters := map[string]int64{
		"requests": 12, "offers": 15, "accepted": 10, "accepted_first": 7, "picked_up": 1,
		"declines": 3, "timeouts": 2, "escalated": 2, "cancelled": 1, "resolved": 9, "no_cover": 1, "unpicked": 1,
		"group:5": 4, "group:3": 3, "group:1-2a": 3, "group:4": 2, "group:0": 0,
		"daypart:ochtend": 7, "daypart:middag": 4, "daypart:buiten": 1,
		"pulse:up": 5, "pulse:down": 1, "pulse:self": 2, "something:else": 9,
		"held": 4, "held_sent_without_note": 1, "held_sent_anyway": 1, "held_cancelled": 1, "held_timeout": 1,
		"held_story": 2, "held_story_shared": 1, "held_story_cancelled": 1,
	}
	f := FiguresFrom("2026-W49", counters, secs(60, 120), 3)
	want := WeekFigures{
		Week: "2026-W49", Requests: 12, Offers: 15, Declines: 3, Timeouts: 2,
		Accepted: 10, AcceptedFirst: 7, PickedUp: 1, Escalated: 2, Cancelled: 1, Resolved: 9, NoCover: 1, Unpicked: 1,
		ByGroup:   map[string]int{"5": 4, "3": 3, "1-2a": 3, "4": 2},
		ByDayPart: map[string]int{"ochtend": 7, "middag": 4, "buiten": 1},
		Waits:     secs(60, 120), Pulse: Pulse{Up: 5, Down: 1, Self: 2}, Stories: 3,
		Held: Held{Requests: 4, WithoutNote: 1, Anyway: 1, Cancelled: 1, Timeout: 1, Stories: 2, StoriesShared: 1, StoriesCancelled: 1},
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("FiguresFrom =\n%+v\nwant\n%+v", f, want)
	}
	if got := f.MovedOn(); got != 2 {
		t.Errorf("MovedOn = %d; want 10 accepted − 7 first − 1 picked up = 2", got)
	}
	if got := f.Pulse.Answers(); got != 8 {
		t.Errorf("Answers = %d; want 8", got)
	}
	// Ties (3 and 3) go in the school's order of groups: 1-2a before 3.
	top := f.TopGroups(testSchool(t), 3)
	wantTop := []GroupCount{{"5", 4}, {"1-2a", 3}, {"3", 3}}
	if !reflect.DeepEqual(top, wantTop) {
		t.Errorf("TopGroups = %v; want %v", top, wantTop)
	}
	if got := (WeekFigures{}).TopGroups(testSchool(t), 3); len(got) != 0 {
		t.Errorf("TopGroups of an empty week = %v", got)
	}
}

func TestCompare(t *testing.T) {
	r := WeekReport{Previous: []WeekFigures{
		{Requests: 10, Escalated: 1, Waits: secs(60, 240)},
		{Requests: 5, Escalated: 0, Waits: secs(30)},
		{Requests: 0},
		{Requests: 3, Escalated: 2, Waits: secs(90)},
	}}
	c := r.Compare()
	// Pooled waits 30, 60, 90, 240: the median is (60+90)/2 = 75 s.
	want := Comparison{Weeks: 4, Requests: 4.5, Escalated: 0.75, MedianWait: 75 * time.Second, HasWait: true}
	if c != want {
		t.Errorf("Compare = %+v; want %+v", c, want)
	}
	if c := (WeekReport{}).Compare(); c.Weeks != 0 || c.HasWait {
		t.Errorf("Compare without previous weeks = %+v", c)
	}
}

func TestDayPartNamesAndGroupIDs(t *testing.T) {
	sc := testSchool(t)
	w := WeekFigures{ByDayPart: map[string]int{"avond": 1, "buiten": 2, "ochtend": 1}, ByGroup: map[string]int{"9": 1, "3": 2}}
	if got, want := DayPartNames(sc, w), []string{"ochtend", "middag", "avond", "buiten"}; !slices.Equal(got, want) {
		t.Errorf("DayPartNames = %v; want %v", got, want)
	}
	if got, want := GroupIDs(sc, w), []string{"1-2a", "3", "4", "5", "9"}; !slices.Equal(got, want) {
		t.Errorf("GroupIDs = %v; want %v", got, want)
	}
}
