package bot

import (
	"slices"
	"testing"
	"time"
)

func TestMonthInTheSchoolsTimeZone(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	sc := &School{Location: ams}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2027-01"}, // already new year's day in Amsterdam
		{time.Date(2026, 7, 31, 21, 59, 0, 0, time.UTC), "2026-07"},
		{time.Date(2026, 7, 31, 22, 0, 0, 0, time.UTC), "2026-08"}, // the new school year, in summer time
	} {
		if got := sc.Month(tc.at); got != tc.want {
			t.Errorf("Month(%v) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestQuartersAndYears(t *testing.T) {
	if got, want := (SchoolYear{2026}).Quarters(), []string{"2026-Q3", "2026-Q4", "2027-Q1", "2027-Q2"}; !slices.Equal(got, want) {
		t.Errorf("Quarters = %v, want %v", got, want)
	}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-Q1"},
		{time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), "2026-Q3"},
		{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), "2026-Q4"},
	} {
		if got := QuarterOf(tc.at); got != tc.want {
			t.Errorf("QuarterOf(%v) = %s, want %s", tc.at, got, tc.want)
		}
	}
	got := YearsOfMonths([]string{"2026-09", "2025-07", "garbage", "2026-08", "2027-07", "2027-08"})
	if want := []SchoolYear{{2027}, {2026}, {2024}}; !slices.Equal(got, want) {
		t.Errorf("YearsOfMonths = %v, want %v", got, want)
	}
	if _, err := ParseMonth("2026-13"); err == nil {
		t.Error("ParseMonth(2026-13) did not fail")
	}
}

func TestMonthFiguresFrom(t *testing.T) {
	f := MonthFiguresFrom("2026-09", map[string]int64{
		CountRequests: 4, CountConsults: 2, CountAcceptedInTime: 3, CountEscalated: 2, CountUnpicked: 1, PrefixSupport + "gesprek": 2,
		PrefixOutcome + "in_groep": 1, PrefixGroup + "5": 4, PrefixPulse + "up": 1,
	}, []time.Duration{time.Minute}, 1)
	if f.Requests != 4 || f.Consults != 2 || f.AcceptedInTime != 3 || f.Escalated != 2 || f.Unpicked != 1 || f.Support["gesprek"] != 2 ||
		f.Outcome["in_groep"] != 1 || f.ByGroup["5"] != 4 || f.Pulse.Up != 1 || len(f.Waits) != 1 || f.Stories != 1 {
		t.Errorf("MonthFiguresFrom = %+v", f)
	}
}

func TestSurveysDue(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	sc := &School{Location: ams}
	for _, tc := range []struct {
		at   time.Time
		want []string
	}{
		{time.Date(2026, 12, 4, 15, 0, 0, 0, ams), []string{"pulse 2026-11"}},
		{time.Date(2026, 12, 11, 15, 0, 0, 0, ams), []string{"pulse 2026-11", "collab.staff 2026-Q4", "collab.helpers 2026-Q4"}},
		{time.Date(2026, 12, 22, 15, 0, 0, 0, ams), []string{"collab.staff 2026-Q4", "collab.helpers 2026-Q4"}},
		{time.Date(2027, 1, 8, 15, 0, 0, 0, ams), []string{"pulse 2026-12"}},
		{time.Date(2026, 11, 27, 15, 0, 0, 0, ams), nil},
		{time.Date(2026, 7, 31, 23, 30, 0, 0, time.UTC), []string{"pulse 2026-07"}}, // 1 August in Amsterdam
	} {
		var got []string
		for _, d := range SurveysDue(sc, tc.at) {
			got = append(got, d.Survey+" "+d.Period)
			if d.Survey == SurveyCollabStaff && !slices.Equal(d.AskedIn, []string{"2026-10", "2026-11", "2026-12"}) {
				t.Errorf("collab staff asked in %v", d.AskedIn)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("SurveysDue(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	for _, tc := range []struct {
		survey, period string
		ok             bool
	}{
		{SurveyPulse, "2026-11", true}, {SurveyPulse, "2026-Q4", false}, {SurveyCollabStaff, "2026-Q4", true},
		{SurveyCollabHelpers, "2026-Q5", false}, {SurveyCollabStaff, "2026-11", false}, {"other", "2026-Q1", false},
	} {
		if got := ValidSurveyPeriod(tc.survey, tc.period); got != tc.ok {
			t.Errorf("ValidSurveyPeriod(%s, %s) = %v", tc.survey, tc.period, got)
		}
	}
}
