package bot

import (
	"testing"
	"time"
)

var amsterdam = mustLoc("Europe/Amsterdam")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at is a moment in Amsterdam: at(2026, 11, 23, 10, 30) is Monday morning.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, amsterdam)
}

func mustSchedule(t testing.TB, parts []DayPart, entries ...string) Schedule {
	t.Helper()
	sc, err := ParseSchedule(entries, parts)
	if err != nil {
		t.Fatalf("ParseSchedule(%q): %v", entries, err)
	}
	return sc
}

// testSchool: Anne (jeugdhulpverlener, groups 3-5) Monday and Tuesday
// mornings; Bram (CJG coach) Monday all day and Friday; Chris (another
// jeugdhulpverlener, no affinity) always; Dirk (gedragswetenschapper, a role
// not in the priority list) Monday.
func testSchool(t testing.TB) *School {
	t.Helper()
	parts := DefaultDayParts()
	return &School{
		ID: "de-vaart", Name: "De Vaart", Language: "nl", Location: amsterdam,
		Groups:        []Group{{ID: "1-2a"}, {ID: "3"}, {ID: "4"}, {ID: "5"}},
		RolesPriority: []Role{RoleJeugdhulpverlener, RoleCJGCoach},
		DayParts:      parts,
		OfferTimeout:  2 * time.Minute, Retention: 720 * time.Hour,
		FallbackChannel: "kernteam",
		Helpers: []Helper{
			{ID: "anne", Name: "Anne", Role: RoleJeugdhulpverlener, Accounts: Accounts{{Platform: mattermost, Handle: "anne"}, {Platform: shell, Handle: "anne"}},
				Schedule: mustSchedule(t, parts, "ma ochtend", "di ochtend"), Groups: []string{"3", "4", "5"}},
			{ID: "bram", Name: "Bram", Role: RoleCJGCoach, Accounts: Accounts{{Platform: slack, Handle: "U0BRAM0001"}},
				Schedule: mustSchedule(t, parts, "ma", "vr")},
			{ID: "chris", Name: "Chris", Role: RoleJeugdhulpverlener, Accounts: Accounts{{Platform: shell, Handle: "chris"}},
				Schedule: mustSchedule(t, parts, "altijd")},
			{ID: "dirk", Name: "Dirk", Role: "gedragswetenschapper", Accounts: Accounts{{Platform: shell, Handle: "dirk"}},
				Schedule: mustSchedule(t, parts, "ma")},
		},
	}
}
