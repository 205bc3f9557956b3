// Package testschool is the school the tests of the command layer and the
// catalogue play at: De Vaart in Amsterdam on Thursday 26 November 2026,
// with Anne and Bram as helpers, and a week of figures. It is imported by
// tests only; one fixture keeps the golden files of both packages telling
// the same story.
package testschool

import (
	"testing"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on any machine

	"github.com/hulpbot/hulpbot/bot"
)

// The platforms the tests put people and schools on, named as their
// adapters name them.
const (
	Mattermost bot.Platform = "mattermost"
	Slack      bot.Platform = "slack"
	Shell      bot.Platform = "shell"
)

// Amsterdam is the time zone of the test school.
func Amsterdam(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Now is Thursday 26 November 2026, 10:41 in Amsterdam.
func Now(t testing.TB) time.Time {
	return time.Date(2026, 11, 26, 10, 41, 0, 0, Amsterdam(t))
}

// Groups are the groups of the test school: numbered groups with a
// combination group and a letter, and two childcare names.
func Groups() []bot.Group {
	return []bot.Group{
		{ID: "1-2a", Aliases: []string{"kleuters"}},
		{ID: "3"}, {ID: "4"}, {ID: "5"}, {ID: "5b"}, {ID: "6"}, {ID: "7"}, {ID: "8"},
		{ID: "Dolfijnen", Aliases: []string{"de dolfijnen"}},
		{ID: "bso"},
	}
}

// School is De Vaart in lang, with Anne (jeugdhulpverlener) and Bram (CJG
// coach) always on duty and Sanne as coordinator, on its Mattermost team
// and on the platforms of more.
func School(t testing.TB, lang string, more ...bot.TeamLink) *bot.School {
	t.Helper()
	always, err := bot.ParseSchedule([]string{"altijd"}, bot.DefaultDayParts())
	if err != nil {
		t.Fatal(err)
	}
	sc := &bot.School{
		ID:       "de-vaart",
		Name:     "Kindcentrum De Vaart",
		Language: lang,
		Location: Amsterdam(t),
		Groups:   Groups(),
		Helpers: []bot.Helper{
			{ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener, Schedule: always, Groups: []string{"3", "4", "5"},
				Accounts: bot.Accounts{{Platform: Mattermost, Handle: "anne"}, {Platform: Slack, Handle: "U0ANNE0001"}}},
			{ID: "bram", Name: "Bram", Role: bot.RoleCJGCoach, Schedule: always,
				Accounts: bot.Accounts{{Platform: Mattermost, Handle: "bram"}, {Platform: Slack, Handle: "U0BRAM0001"}}},
		},
		Coordinators: []bot.Coordinator{
			{Name: "Sanne", Accounts: bot.Accounts{{Platform: Mattermost, Handle: "ib.sanne"}}},
		},
		RolesPriority:   []bot.Role{bot.RoleJeugdhulpverlener, bot.RoleCJGCoach},
		DayParts:        bot.DefaultDayParts(),
		FallbackChannel: "kernteam",
		OfferTimeout:    2 * time.Minute,
		Retention:       720 * time.Hour,
		Teams:           append([]bot.TeamLink{{Platform: Mattermost, Team: "de-vaart"}}, more...),
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

// Secs is durations of whole seconds.
func Secs(s ...int) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, x := range s {
		out[i] = time.Duration(x) * time.Second
	}
	return out
}

// Report is week 49 of 2026 at De Vaart, with four school weeks before it
// and the six weeks of the chart.
func Report() bot.WeekReport {
	w := bot.WeekFigures{
		Week: "2026-W49", Requests: 12, Offers: 15, Declines: 3, Timeouts: 2,
		Accepted: 10, AcceptedFirst: 7, PickedUp: 1, Escalated: 2, Cancelled: 1, Resolved: 9, NoCover: 1, Unpicked: 1,
		ByGroup:   map[string]int{"5": 4, "3": 3, "1-2a": 3, "Dolfijnen": 2},
		ByDayPart: map[string]int{"ochtend": 7, "middag": 4, "buiten": 1},
		// Median (120 + 150) / 2 = 135 s; p90 the 9th of 10: 240 s.
		Waits: Secs(40, 65, 80, 95, 120, 150, 185, 200, 240, 610),
		Pulse: bot.Pulse{Up: 5, Down: 1, Self: 2}, Stories: 3,
		Consults: 3, ConsultsAnswered: 2, ConsultsToAgenda: 1,
	}
	prev := []bot.WeekFigures{
		{Week: "2026-W48", Requests: 10, Waits: Secs(60, 100), ByDayPart: map[string]int{"ochtend": 6, "middag": 4}},
		{Week: "2026-W47", Requests: 8, Waits: Secs(90), ByDayPart: map[string]int{"ochtend": 5, "middag": 3}},
		{Week: "2026-W46", Requests: 9, Waits: Secs(30, 200), ByDayPart: map[string]int{"ochtend": 9}},
		{Week: "2026-W45", Requests: 11, Waits: Secs(300), ByDayPart: map[string]int{"middag": 10, "buiten": 1}},
	}
	chartWeeks := []bot.WeekFigures{{Week: "2026-W44", ByDayPart: map[string]int{}}, prev[3], prev[2], prev[1], prev[0], w}
	return bot.WeekReport{Week: w, From: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC),
		Previous: prev, Chart: chartWeeks}
}
