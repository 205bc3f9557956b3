package bot

import (
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	parts := DefaultDayParts()
	type slot struct {
		day  time.Weekday
		part string
	}
	tests := []struct {
		name    string
		entries []string
		on      []slot
		off     []slot
		wantErr string
	}{
		{name: "day part", entries: []string{"ma ochtend"},
			on: []slot{{time.Monday, "ochtend"}}, off: []slot{{time.Monday, "middag"}, {time.Tuesday, "ochtend"}}},
		{name: "whole day", entries: []string{"di"},
			on: []slot{{time.Tuesday, "ochtend"}, {time.Tuesday, "middag"}}, off: []slot{{time.Monday, "ochtend"}}},
		{name: "range", entries: []string{"ma-vr middag"},
			on: []slot{{time.Monday, "middag"}, {time.Wednesday, "middag"}, {time.Friday, "middag"}}, off: []slot{{time.Saturday, "middag"}, {time.Wednesday, "ochtend"}}},
		{name: "range wrapping the weekend", entries: []string{"za-ma"},
			on: []slot{{time.Saturday, "ochtend"}, {time.Sunday, "middag"}, {time.Monday, "ochtend"}}, off: []slot{{time.Tuesday, "ochtend"}}},
		{name: "list with comma, full names, capitals", entries: []string{"Woensdag, VR. ochtend"},
			on: []slot{{time.Wednesday, "ochtend"}, {time.Friday, "ochtend"}}, off: []slot{{time.Friday, "middag"}}},
		{name: "english", entries: []string{"mon morning"}, wantErr: `"mon morning" is not a day part: "morning" is not one of ochtend, middag`},
		{name: "english days, dutch parts", entries: []string{"thu middag"}, on: []slot{{time.Thursday, "middag"}}},
		{name: "hele dag", entries: []string{"do hele dag"}, on: []slot{{time.Thursday, "ochtend"}, {time.Thursday, "middag"}}},
		{name: "evening is not a day part", entries: []string{"zo avond"}, wantErr: `"zo avond" is not a day part: "avond" is not one of ochtend, middag`},
		{name: "no day", entries: []string{"ochtend"}, wantErr: `names no day`},
		{name: "not a day", entries: []string{"mandag"}, wantErr: `"mandag" is not a day`},
		{name: "part before day", entries: []string{"ochtend ma"}, wantErr: `day before the day part`},
		{name: "empty entry", entries: []string{"  "}, wantErr: `is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := ParseSchedule(tt.entries, parts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSchedule(%q) error = %v, want it to contain %q", tt.entries, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSchedule(%q): %v", tt.entries, err)
			}
			s := &School{Location: amsterdam, DayParts: parts}
			for _, on := range tt.on {
				if !sc.OnDuty(s, momentOf(on.day, on.part)) {
					t.Errorf("not on duty on %s %s, want on duty", on.day, on.part)
				}
			}
			for _, off := range tt.off {
				if sc.OnDuty(s, momentOf(off.day, off.part)) {
					t.Errorf("on duty on %s %s, want off", off.day, off.part)
				}
			}
		})
	}
}

// momentOf is a moment inside the day part on that weekday of the week of
// Monday 23 November 2026.
func momentOf(d time.Weekday, part string) time.Time {
	day := 23 + (int(d)+6)%7
	if part == "ochtend" {
		return at(2026, 11, day, 9, 0)
	}
	return at(2026, 11, day, 14, 0)
}

func TestScheduleAcrossDST(t *testing.T) {
	s := &School{Location: amsterdam, DayParts: DefaultDayParts()}
	sc, err := ParseSchedule([]string{"zo ochtend", "ma ochtend"}, s.DayParts)
	if err != nil {
		t.Fatal(err)
	}
	// Sunday 29 March 2026 02:00 → 03:00 and Sunday 25 October 03:00 → 02:00.
	for _, now := range []time.Time{
		at(2026, 3, 29, 8, 0), at(2026, 3, 29, 11, 59), at(2026, 10, 25, 8, 0), at(2026, 10, 26, 9, 0),
	} {
		if !sc.OnDuty(s, now) {
			t.Errorf("OnDuty(%s) = false, want true", now)
		}
	}
	for _, now := range []time.Time{at(2026, 3, 29, 7, 59), at(2026, 10, 25, 12, 0), at(2026, 3, 29, 3, 30)} {
		if sc.OnDuty(s, now) {
			t.Errorf("OnDuty(%s) = true, want false", now)
		}
	}
}

func TestSlots(t *testing.T) {
	sc, err := ParseSchedule([]string{"di middag", "ma"}, DefaultDayParts())
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(sc.Slots(), ", ")
	if want := "ma ochtend, ma middag, di middag"; got != want {
		t.Errorf("Slots() = %q, want %q", got, want)
	}
}

func TestParseDayPart(t *testing.T) {
	tests := []struct {
		name, span string
		want       DayPart
		wantErr    bool
	}{
		{"ochtend", "08:00-12:00", DayPart{"ochtend", 480, 720}, false},
		{"Avond", " 18:30 - 24:00 ", DayPart{"avond", 1110, 1440}, false},
		{"vroeg", "7:30-8:30", DayPart{"vroeg", 450, 510}, false},
		{"x", "12:00-08:00", DayPart{}, true},
		{"x", "08:00", DayPart{}, true},
		{"x", "8-12", DayPart{}, true},
		{"x", "08:60-09:00", DayPart{}, true},
		{"x", "24:30-25:00", DayPart{}, true},
		{"twee woorden", "08:00-09:00", DayPart{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.span, func(t *testing.T) {
			got, err := ParseDayPart(tt.name, tt.span)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseDayPart = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if err := CheckDayParts([]DayPart{{"a", 480, 720}, {"b", 700, 800}}); err == nil {
		t.Error("CheckDayParts accepted overlapping parts")
	}
}

func TestWeekAndEndOfDay(t *testing.T) {
	s := &School{Location: amsterdam}
	tests := []struct {
		now      time.Time
		week     string
		endOfDay time.Time
	}{
		{at(2026, 11, 26, 15, 0), "2026-W48", at(2026, 11, 27, 0, 0)},
		// Late on Sunday is still the week that began on Monday.
		{at(2026, 11, 29, 23, 30), "2026-W48", at(2026, 11, 30, 0, 0)},
		// 1 January 2027 is a Friday: ISO week 53 of 2026.
		{at(2027, 1, 1, 9, 0), "2026-W53", at(2027, 1, 2, 0, 0)},
		{at(2027, 1, 4, 9, 0), "2027-W01", at(2027, 1, 5, 0, 0)},
		// Sunday 31 December 2028 23:59 local, Monday 1 January 2029 is week 1.
		{time.Date(2028, 12, 31, 23, 30, 0, 0, time.UTC), "2029-W01", at(2029, 1, 2, 0, 0)},
		// The day DST ends has 25 hours.
		{at(2026, 10, 25, 1, 0), "2026-W43", at(2026, 10, 26, 0, 0)},
	}
	for _, tt := range tests {
		if got := s.Week(tt.now); got != tt.week {
			t.Errorf("Week(%s) = %s, want %s", tt.now, got, tt.week)
		}
		if got := s.EndOfDay(tt.now); !got.Equal(tt.endOfDay) {
			t.Errorf("EndOfDay(%s) = %s, want %s", tt.now, got, tt.endOfDay)
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, seed := range []string{"ma ochtend", "di", "ma-vr middag", "wo, vr ochtend", "altijd", "zo avond", "za-ma", "do hele dag", "", "-", "ma-", "ma--vr"} {
		f.Add(seed)
	}
	parts := DefaultDayParts()
	s := &School{Location: amsterdam, DayParts: parts}
	f.Fuzz(func(t *testing.T, entry string) {
		sc, err := ParseSchedule([]string{entry}, parts)
		if err != nil {
			return
		}
		// Whatever parsed must be usable and describe itself.
		_ = sc.OnDuty(s, at(2026, 11, 23, 9, 0))
		if len(sc.Slots()) == 0 {
			t.Errorf("ParseSchedule(%q) succeeded with no slots", entry)
		}
	})
}

// TestWeekInTheSchoolsTimeZone: Sunday 23:30 in Amsterdam is Sunday's
// week, though it is Monday already in New Zealand and only 22:30 UTC; a
// minute after midnight on Monday is the new week.
func TestWeekInTheSchoolsTimeZone(t *testing.T) {
	sc := testSchool(t)
	ams := sc.Location
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 29, 23, 30, 0, 0, ams), "2026-W48"},
		{time.Date(2026, 11, 30, 0, 1, 0, 0, ams), "2026-W49"},
		{time.Date(2026, 11, 29, 23, 30, 0, 0, ams).UTC(), "2026-W48"},
		// 23:30 UTC on Sunday is already Monday 00:30 in Amsterdam.
		{time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC), "2026-W49"},
		{time.Date(2027, 1, 3, 23, 59, 0, 0, ams), "2026-W53"},
		{time.Date(2027, 1, 4, 0, 0, 0, 0, ams), "2027-W01"},
	}
	for _, tt := range tests {
		if got := sc.Week(tt.at); got != tt.want {
			t.Errorf("Week(%v) = %s, want %s", tt.at, got, tt.want)
		}
	}
}
