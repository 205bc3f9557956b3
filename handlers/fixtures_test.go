package handlers

import (
	"testing"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on any machine

	"github.com/hulpbot/hulpbot/bot"
)

// amsterdam is the time zone of the test school.
func amsterdam(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// testNow is Thursday 26 November 2026, 10:41 in Amsterdam.
func testNow(t testing.TB) time.Time {
	return time.Date(2026, 11, 26, 10, 41, 0, 0, amsterdam(t))
}

// testGroups are the groups of the test school: numbered groups with a
// combination group and a letter, and two childcare names.
func testGroups() []bot.Group {
	return []bot.Group{
		{ID: "1-2a", Aliases: []string{"kleuters"}},
		{ID: "3"}, {ID: "4"}, {ID: "5"}, {ID: "5b"}, {ID: "6"}, {ID: "7"}, {ID: "8"},
		{ID: "Dolfijnen", Aliases: []string{"de dolfijnen"}},
		{ID: "bso"},
	}
}

// testSchool is De Vaart in lang, with Anne (jeugdhulpverlener) and Bram
// (CJG coach) always on duty, and Sanne as coordinator.
func testSchool(t testing.TB, lang string) *bot.School {
	t.Helper()
	always, err := bot.ParseSchedule([]string{"altijd"}, bot.DefaultDayParts())
	if err != nil {
		t.Fatal(err)
	}
	sc := &bot.School{
		ID:       "de-vaart",
		Name:     "Kindcentrum De Vaart",
		Language: lang,
		Location: amsterdam(t),
		Groups:   testGroups(),
		Helpers: []bot.Helper{
			{ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener, Schedule: always, Groups: []string{"3", "4", "5"},
				Accounts: bot.Accounts{{Platform: mattermost, Handle: "anne"}, {Platform: slack, Handle: "U0ANNE0001"}}},
			{ID: "bram", Name: "Bram", Role: bot.RoleCJGCoach, Schedule: always,
				Accounts: bot.Accounts{{Platform: mattermost, Handle: "bram"}, {Platform: slack, Handle: "U0BRAM0001"}}},
		},
		Coordinators: []bot.Coordinator{
			{Name: "Sanne", Accounts: bot.Accounts{{Platform: mattermost, Handle: "ib.sanne"}}},
		},
		RolesPriority:   []bot.Role{bot.RoleJeugdhulpverlener, bot.RoleCJGCoach},
		DayParts:        bot.DefaultDayParts(),
		FallbackChannel: "kernteam",
		OfferTimeout:    2 * time.Minute,
		Retention:       720 * time.Hour,
		Teams:           []bot.TeamLink{{Platform: mattermost, Team: "de-vaart"}},
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

var (
	teacher     = bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "marie"}, Name: "Marie"}
	anne        = bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "anne"}, Name: "Anne"}
	coordinator = bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "ib.sanne"}, Name: "Sanne"}
)
