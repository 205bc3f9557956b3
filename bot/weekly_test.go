package bot

import (
	"slices"
	"testing"
	"time"
)

// date is a calendar date as Holiday keeps it.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The closed days of the tests: the autumn holiday of region midden, the
// Christmas holiday (heel Nederland) and a studiedag.
var (
	herfst     = Holiday{First: date(2026, 10, 17), Last: date(2026, 10, 25), Name: "Herfstvakantie"}
	kerst      = Holiday{First: date(2026, 12, 19), Last: date(2027, 1, 3), Name: "Kerstvakantie"}
	studiedag  = Holiday{First: date(2026, 10, 12), Last: date(2026, 10, 12)}
	testClosed = []Holiday{studiedag, herfst, kerst}
)

func TestParseWeekAndAddWeeks(t *testing.T) {
	tests := []struct {
		week   string
		monday time.Time
		next   string
		prev   string
	}{
		{"2026-W49", date(2026, 11, 30), "2026-W50", "2026-W48"},
		// 2026 has 53 ISO weeks (1 January 2026 is a Thursday).
		{"2026-W53", date(2026, 12, 28), "2027-W01", "2026-W52"},
		{"2027-W01", date(2027, 1, 4), "2027-W02", "2026-W53"},
		// Week 1 of 2026 starts in 2025.
		{"2026-W01", date(2025, 12, 29), "2026-W02", "2025-W52"},
		// Summer time starts on Sunday 29 March 2026: week 13 ends then.
		{"2026-W13", date(2026, 3, 23), "2026-W14", "2026-W12"},
	}
	for _, tt := range tests {
		t.Run(tt.week, func(t *testing.T) {
			m, err := ParseWeek(tt.week)
			if err != nil || !m.Equal(tt.monday) {
				t.Fatalf("ParseWeek(%q) = %v, %v; want %v", tt.week, m, err, tt.monday)
			}
			if got, err := AddWeeks(tt.week, 1); got != tt.next || err != nil {
				t.Errorf("AddWeeks(%q, 1) = %q, %v; want %q", tt.week, got, err, tt.next)
			}
			if got, err := AddWeeks(tt.week, -1); got != tt.prev || err != nil {
				t.Errorf("AddWeeks(%q, -1) = %q, %v; want %q", tt.week, got, err, tt.prev)
			}
		})
	}
	for _, bad := range []string{"", "2025-W53", "2026-W00", "2026-W54", "2026W49", "26-W49", "2026-W4", "2026-Wxx"} {
		if m, err := ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) = %v; want an error", bad, m)
		}
	}
}

func TestReportWeek(t *testing.T) {
	sc := testSchool(t)
	tests := []struct {
		name     string
		at       time.Time
		holidays []Holiday
		want     string
	}{
		{"friday digest: this week", at(2026, 12, 4, 16, 0), testClosed, "2026-W49"},
		{"monday reminder: last week", at(2026, 11, 30, 8, 15), testClosed, "2026-W48"},
		{"tuesday: last week", at(2026, 12, 1, 8, 15), testClosed, "2026-W48"},
		{"wednesday: this week", at(2026, 12, 2, 8, 15), testClosed, "2026-W49"},
		{"sunday evening: this week", at(2026, 12, 6, 20, 0), testClosed, "2026-W49"},
		{"monday midnight is the new week", at(2026, 12, 7, 0, 0), nil, "2026-W49"},
		{"sunday before midnight", at(2026, 12, 6, 23, 59), nil, "2026-W49"},
		// After the autumn holiday: week 43 was closed all week; week 42
		// had a studiedag on Monday but four school days.
		{"monday after the autumn holiday", at(2026, 10, 26, 8, 15), testClosed, "2026-W42"},
		{"same monday without holidays", at(2026, 10, 26, 8, 15), nil, "2026-W43"},
		// After Christmas: weeks 53 and 52 closed, across the year boundary.
		{"first monday of 2027 after Christmas", at(2027, 1, 4, 8, 15), testClosed, "2026-W51"},
		{"first monday of 2027 without holidays", at(2027, 1, 4, 8, 15), nil, "2026-W53"},
		{"friday 1 January 2027 is in week 53 of 2026", at(2027, 1, 1, 16, 0), nil, "2026-W53"},
		{"monday 5 January 2026: week 1 began in 2025", at(2026, 1, 5, 8, 15), nil, "2026-W01"},
		// Summer time began the day before.
		{"monday after summer time starts", at(2026, 3, 30, 8, 15), nil, "2026-W13"},
		{"monday after winter time starts", at(2026, 10, 26, 8, 15), []Holiday{studiedag}, "2026-W43"},
		// 23:30 UTC on Sunday is Monday 00:30 in Amsterdam (winter).
		{"utc sunday, amsterdam monday", time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC), nil, "2026-W48"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReportWeek(sc, tt.at, tt.holidays); got != tt.want {
				t.Errorf("ReportWeek(%s) = %s; want %s", tt.at.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}

func TestPlanTick(t *testing.T) {
	sc := testSchool(t)
	tests := []struct {
		name    string
		at      time.Time
		closed  bool
		holiday string
	}{
		{"a school friday", at(2026, 12, 18, 16, 0), false, ""},
		{"first saturday of Christmas", at(2026, 12, 19, 9, 0), true, "Kerstvakantie"},
		{"monday in Christmas", at(2026, 12, 21, 8, 15), true, "Kerstvakantie"},
		{"new year's friday", at(2027, 1, 1, 16, 0), true, "Kerstvakantie"},
		{"last day of Christmas, late", at(2027, 1, 3, 23, 59), true, "Kerstvakantie"},
		{"back at school", at(2027, 1, 4, 8, 15), false, ""},
		{"studiedag", at(2026, 10, 12, 8, 15), true, ""},
		{"day after the studiedag", at(2026, 10, 13, 8, 15), false, ""},
		{"autumn holiday friday", at(2026, 10, 23, 16, 0), true, "Herfstvakantie"},
		// The autumn holiday ends the night winter time starts: 25 October.
		{"last sunday of October, 02:30 the second time", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), true, "Herfstvakantie"},
		// 22:30 UTC on 18 December is already 19 December in Amsterdam.
		{"utc evening, amsterdam holiday", time.Date(2026, 12, 18, 23, 30, 0, 0, time.UTC), true, "Kerstvakantie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanTick(sc, JobDigest, tt.at, testClosed)
			if got.Closed != tt.closed || got.Holiday.Name != tt.holiday {
				t.Errorf("PlanTick(%s): closed %v by %q; want %v by %q", tt.at.Format(time.RFC3339), got.Closed, got.Holiday.Name, tt.closed, tt.holiday)
			}
			if got.Job != JobDigest || !got.At.Equal(tt.at) || got.Week != ReportWeek(sc, tt.at, testClosed) {
				t.Errorf("PlanTick = %+v; want the job, time and report week", got)
			}
		})
	}
}

func TestTickKey(t *testing.T) {
	// 02:30 happens twice on 25 October 2026: 00:30 and 01:30 UTC.
	first := Tick{Job: JobReminder, At: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)}
	second := Tick{Job: JobReminder, At: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)}
	if a, b := first.Key(amsterdam), second.Key(amsterdam); a != b || a != "kernteam.reminder@2026-10-25T02:30:00" {
		t.Errorf("keys of the repeated 02:30 = %q and %q; want both kernteam.reminder@2026-10-25T02:30:00", a, b)
	}
	digest := Tick{Job: JobDigest, At: at(2026, 12, 4, 16, 0)}
	if got := digest.Key(amsterdam); got != "digest@2026-12-04T16:00:00" {
		t.Errorf("Key = %q; want digest@2026-12-04T16:00:00", got)
	}
	if digest.Key(amsterdam) == (Tick{Job: JobSuccesses, At: digest.At}).Key(amsterdam) {
		t.Error("two jobs at one time share a key")
	}
}

func TestJobSpec(t *testing.T) {
	type want struct {
		spec string
		ok   bool
	}
	tests := []struct {
		name   string
		change func(*School)
		want   map[Job]want
	}{
		{"nothing configured: successes with the default time in the fallback channel", func(*School) {}, map[Job]want{
			JobReminder: {"", false}, JobDigest: {"", false}, JobSuccesses: {DefaultSuccessesCron, true}}},
		{"all configured", func(s *School) {
			s.Kernteam = Kernteam{Channel: "kernteam", Reminder: "15 8 * * MON", Meeting: "do 14:00"}
			s.Digest = Digest{Cron: "0 16 * * FRI", Channel: "coordinatie"}
		}, map[Job]want{JobReminder: {"15 8 * * MON", true}, JobDigest: {"0 16 * * FRI", true}, JobSuccesses: {"0 16 * * FRI", true}}},
		{"reminder without a channel", func(s *School) { s.Kernteam = Kernteam{Reminder: "15 8 * * MON"} }, map[Job]want{
			JobReminder: {"15 8 * * MON", false}}},
		{"digest to nobody", func(s *School) { s.Digest = Digest{Cron: "0 16 * * FRI"} }, map[Job]want{
			JobDigest: {"0 16 * * FRI", false}}},
		{"digest to coordinators", func(s *School) {
			s.Digest = Digest{Cron: "0 16 * * FRI"}
			s.Coordinators = []Coordinator{{Name: "Sanne", Accounts: Accounts{{Platform: shell, Handle: "sanne"}}}}
		}, map[Job]want{JobDigest: {"0 16 * * FRI", true}}},
		{"no channel at all: no success post", func(s *School) { s.FallbackChannel = "" }, map[Job]want{
			JobSuccesses: {DefaultSuccessesCron, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testSchool(t)
			tt.change(sc)
			for j, w := range tt.want {
				if spec, ok := sc.JobSpec(j); spec != w.spec || ok != w.ok {
					t.Errorf("JobSpec(%s) = %q, %v; want %q, %v", j, spec, ok, w.spec, w.ok)
				}
			}
		})
	}
}

func TestJobRecipients(t *testing.T) {
	all := []Platform{mattermost, slack, shell}
	coordinators := []Coordinator{
		{Name: "Sanne", Accounts: Accounts{{Platform: mattermost, Handle: "ib.sanne"}, {Platform: slack, Handle: "U0SANNE001"}, {Platform: shell, Handle: "ib.sanne"}}},
		{Name: "Dirk", Accounts: Accounts{{Platform: slack, Handle: "U0DIRK0001"}}},
		{Name: "Eva"}, // no account: no digest
	}
	tests := []struct {
		name      string
		change    func(*School)
		job       Job
		platforms []Platform
		want      []string
	}{
		{"reminder in the kernteam channel on each linked platform and the terminal", func(s *School) {
			s.Teams, s.Kernteam.Channel = []TeamLink{{Platform: mattermost, Team: "de-vaart"}, {Platform: shell}}, "kernteam-overleg"
		}, JobReminder, all, []string{"mattermost:#kernteam-overleg", "shell:#kernteam-overleg"}},
		{"successes in the fallback channel without a kernteam", func(s *School) { s.Teams = []TeamLink{{Platform: slack, Team: "T0DEVAART1"}, {Platform: shell}} },
			JobSuccesses, all, []string{"slack:#kernteam", "shell:#kernteam"}},
		{"digest in its channel", func(s *School) {
			s.Teams, s.Digest.Channel = []TeamLink{{Platform: mattermost, Team: "de-vaart"}, {Platform: slack, Team: "T0DEVAART1"}}, "coordinatie"
		}, JobDigest, []Platform{mattermost, slack}, []string{"mattermost:#coordinatie", "slack:#coordinatie"}},
		{"digest without a channel: each coordinator once, first platform first", func(s *School) {
			s.Teams, s.Coordinators = []TeamLink{{Platform: mattermost, Team: "de-vaart"}, {Platform: slack, Team: "T0DEVAART1"}}, coordinators
		}, JobDigest, []Platform{mattermost, slack}, []string{"mattermost:ib.sanne#", "slack:U0DIRK0001#"}},
		{"a platform the school is not linked to gets nothing", func(s *School) { s.Coordinators = coordinators },
			JobDigest, []Platform{mattermost, slack}, nil},
		{"no platforms", func(*School) {}, JobReminder, nil, nil},
		{"unknown job", func(*School) {}, Job("monthly"), all, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testSchool(t)
			tt.change(sc)
			var got []string
			for _, r := range sc.JobRecipients(tt.job, tt.platforms) {
				if r.Channel != "" {
					got = append(got, string(r.Platform)+":#"+r.Channel)
				} else {
					got = append(got, r.String()+"#")
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("JobRecipients(%s) = %v; want %v", tt.job, got, tt.want)
			}
		})
	}
}

func TestCalendar(t *testing.T) {
	sc := testSchool(t)
	sc.Holidays = []Holiday{studiedag}
	sc.HolidayRegion = "Midden"
	noordHerfst := Holiday{First: date(2026, 10, 10), Last: date(2026, 10, 18), Name: "Herfstvakantie"}
	c := NewCalendar()
	c.Set(map[string][]Holiday{"midden": {herfst}, "noord": {noordHerfst}, "heel Nederland": {kerst}})

	got := c.Holidays(sc)
	if len(got) != 3 || got[0] != studiedag || got[1] != herfst || got[2] != kerst {
		t.Errorf("Holidays = %v; want the studiedag, midden's autumn holiday and Christmas", got)
	}
	sc.HolidayRegion = ""
	if got := c.Holidays(sc); len(got) != 2 || got[1] != kerst {
		t.Errorf("Holidays without a region = %v; want the studiedag and Christmas", got)
	}
	var none *Calendar
	if got := none.Holidays(sc); len(got) != 1 || got[0] != studiedag {
		t.Errorf("nil calendar: Holidays = %v; want the school's own", got)
	}
	// Set replaces.
	c.Set(nil)
	if got := c.Holidays(sc); len(got) != 1 {
		t.Errorf("after Set(nil): Holidays = %v; want the school's own", got)
	}
}

func TestHolidayCovers(t *testing.T) {
	tests := []struct {
		at   time.Time
		want bool
	}{
		{at(2026, 12, 18, 23, 59), false},
		{at(2026, 12, 19, 0, 0), true},
		{at(2027, 1, 3, 23, 59), true},
		{at(2027, 1, 4, 0, 0), false},
		{time.Date(2026, 12, 18, 23, 30, 0, 0, time.UTC).In(amsterdam), true},
	}
	for _, tt := range tests {
		if got := kerst.Covers(tt.at); got != tt.want {
			t.Errorf("Covers(%s) = %v; want %v", tt.at.Format(time.RFC3339), got, tt.want)
		}
	}
}

func TestWeekClosed(t *testing.T) {
	if !WeekClosed(date(2026, 10, 19), testClosed) {
		t.Error("week 43 (autumn holiday) is not closed")
	}
	if WeekClosed(date(2026, 10, 12), testClosed) {
		t.Error("week 42 with one studiedag is closed")
	}
	// A holiday that covers only the weekend does not close the week.
	weekend := []Holiday{{First: date(2026, 12, 5), Last: date(2026, 12, 6)}}
	if WeekClosed(date(2026, 11, 30), weekend) {
		t.Error("a week with only its weekend off is closed")
	}
}
