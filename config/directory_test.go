package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

func amsterdam(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDemo(t *testing.T) {
	c := Demo()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.RedisURL != "" {
		t.Errorf("got redis_url %q, want empty (the embedded Redis)", c.RedisURL)
	}
	d, err := c.Directory()
	if err != nil {
		t.Fatalf("Directory: %v", err)
	}
	s, ok := d.School("demo")
	if !ok {
		t.Fatalf("got schools %v, want demo", d.Schools())
	}
	ams := amsterdam(t)
	sunday := time.Date(2026, 11, 29, 22, 0, 0, 0, ams) // outside every day part

	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"name", s.Name, "Demoschool De Vaart"},
		{"language", s.Language, "nl"},
		{"location", s.Location.String(), "Europe/Amsterdam"},
		{"groups", groupIDs(s.Groups), []string{"1-2", "3", "4", "5", "6", "7", "8"}},
		{"kleuters", s.Groups[0].Aliases, []string{"kleuters"}},
		{"fallback", s.FallbackChannel, "kernteam"},
		{"when down", s.WhenDown, "loop even binnen bij de IB'er of de directie"},
		{"offer timeout", s.OfferTimeout, 2 * time.Minute},
		{"retention", s.Retention, 720 * time.Hour},
		{"roles", s.RolesPriority, []bot.Role{bot.RoleJeugdhulpverlener, bot.RoleCJGCoach}},
		{"anne", helperSummary(s, "anne"), "Anne jeugdhulpverlener [3 4 5]"},
		{"bram", helperSummary(s, "bram"), "Bram cjg-coach []"},
		{"anne in the shell", actorHelper(s, PlatformShell, "anne"), "anne"},
		{"anne in mattermost", actorHelper(s, PlatformMattermost, "anne"), "anne"},
		{"bram in the shell", actorHelper(s, PlatformShell, "bram"), "bram"},
		{"juf.marie is no helper", actorHelper(s, PlatformShell, "juf.marie"), ""},
		{"sanne coordinates", s.IsCoordinator(bot.Address{Platform: PlatformShell, Handle: "ib.sanne"}), true},
		{"juf.marie does not", s.IsCoordinator(bot.Address{Platform: PlatformShell, Handle: "juf.marie"}), false},
		{"always on duty", onDuty(s, sunday), []string{"anne", "bram"}},
		{"anne first for groep 5", firstCandidate(s, "5", sunday), "anne"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
}

func groupIDs(gs []bot.Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}

func helperSummary(s *bot.School, id string) string {
	h, ok := s.HelperByID(id)
	if !ok {
		return "(no helper " + id + ")"
	}
	return h.Name + " " + string(h.Role) + " [" + strings.Join(h.Groups, " ") + "]"
}

func actorHelper(s *bot.School, p bot.Platform, handle string) string {
	if h, ok := s.Helper(bot.Address{Platform: p, Handle: handle}); ok {
		return h.ID
	}
	return ""
}

func onDuty(s *bot.School, now time.Time) []string {
	var ids []string
	for _, h := range s.Helpers {
		if h.Schedule.OnDuty(s, now) {
			ids = append(ids, h.ID)
		}
	}
	return ids
}

func firstCandidate(s *bot.School, group string, now time.Time) string {
	cands := bot.Candidates(s, group, now)
	if len(cands) == 0 {
		return ""
	}
	return cands[0].HelperID
}

// school is a configuration exercising every default and override.
const school = `
language: nl
timezone: Europe/Amsterdam
offer_timeout: 90s
retention: 14d
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    mattermost_team: De-Vaart
    slack_team: T0DEVAART1
    groups: [{id: "1-2", aliases: [kleuters, "1/2"]}, "3", "4", "5"]
    helpers:
      - name: Anne
        role: jeugdhulpverlener
        mattermost: Anne
        schedule: ["ma ochtend", "wo", "vr middag"]
        groups: ["5", kleuters, "1-2"]
      - name: Jan-Willem de Boer
        role: cjg-coach
        slack: U0JW000001
        schedule: ["ma-vr middag"]
      - name: Zoë
        id: zoe-g
        role: gedragswetenschapper
        slack: U0ZOE00001
        shell: zoe
        schedule: [altijd]
    roles_priority: [cjg-coach, jeugdhulpverlener]
    day_parts: {middag: "13:00-15:00", ochtend: "08:30-12:00", avond: "18:00-20:00"}
    coordinators:
      - {name: Sanne, mattermost: IB.Sanne}
      - {name: Zoë de Wit, slack: U0ZDW00001}
    kernteam: {channel: kernteam, reminder: "15 8 * * MON"}
  - id: london
    name: Little Dolphins
    language: en
    timezone: Europe/London
    offer_timeout: 5m
    groups: [Dolphins]
    fallback_channel: team
    when_down: ask at the office
    helpers:
      - {name: Sam, role: cjg-coach, shell: sam, schedule: [always]}
`

func TestDirectory(t *testing.T) {
	c := mustParse(t, school, nil)
	d, err := c.Directory()
	if err != nil {
		t.Fatalf("Directory: %v", err)
	}
	vaart, _ := d.School("de-vaart")
	london, _ := d.School("london")
	if vaart == nil || london == nil {
		t.Fatalf("got schools %v, want de-vaart and london", d.Schools())
	}
	ams := amsterdam(t)
	monday := func(h, m int) time.Time { return time.Date(2026, 11, 30, h, m, 0, 0, ams) }
	wednesday := func(h, m int) time.Time { return time.Date(2026, 12, 2, h, m, 0, 0, ams) }
	friday := func(h, m int) time.Time { return time.Date(2026, 12, 4, h, m, 0, 0, ams) }
	anne, _ := vaart.HelperByID("anne")
	jw, _ := vaart.HelperByID("jan-willem-de-boer")
	zoe, _ := vaart.HelperByID("zoe-g")
	if anne == nil || jw == nil || zoe == nil {
		t.Fatalf("got helpers %+v, want anne, jan-willem-de-boer and zoe-g", vaart.Helpers)
	}

	for _, tc := range []struct {
		name      string
		got, want any
	}{
		// school defaults and overrides
		{"language from the top", vaart.Language, "nl"},
		{"language override", london.Language, "en"},
		{"time zone override", london.Location.String(), "Europe/London"},
		{"offer timeout from the top", vaart.OfferTimeout, 90 * time.Second},
		{"offer timeout override", london.OfferTimeout, 5 * time.Minute},
		{"retention in days", vaart.Retention, 14 * 24 * time.Hour},
		{"retention for every school", london.Retention, 14 * 24 * time.Hour},
		{"fallback is the kernteam channel", vaart.FallbackChannel, "kernteam"},
		{"fallback as set", london.FallbackChannel, "team"},
		{"when down default", vaart.WhenDown, "loop even binnen bij de IB'er of de directie"},
		{"when down as set", london.WhenDown, "ask at the office"},
		{"team links, and the terminal chat", vaart.Teams, []bot.TeamLink{{Platform: PlatformMattermost, Team: "De-Vaart"}, {Platform: PlatformSlack, Team: "T0DEVAART1"}, {Platform: PlatformShell}}},
		{"found by team, any case", teamSchool(d, PlatformMattermost, "de-vaart"), "de-vaart"},
		{"roles priority as set", vaart.RolesPriority, []bot.Role{bot.RoleCJGCoach, bot.RoleJeugdhulpverlener}},
		{"roles priority default", london.RolesPriority, []bot.Role{bot.RoleJeugdhulpverlener, bot.RoleCJGCoach}},

		// day parts: sorted by start, default when none
		{"day parts sorted", vaart.DayParts, []bot.DayPart{
			{Name: "ochtend", Start: 8*60 + 30, End: 12 * 60},
			{Name: "middag", Start: 13 * 60, End: 15 * 60},
			{Name: "avond", Start: 18 * 60, End: 20 * 60},
		}},
		{"day parts default", london.DayParts, bot.DefaultDayParts()},

		// schedules against the school's day parts
		{"monday 09:00", onDuty(vaart, monday(9, 0)), []string{"anne", "zoe-g"}},
		{"monday 08:15, before the first day part", onDuty(vaart, monday(8, 15)), []string{"zoe-g"}},
		{"monday 12:30, between day parts", onDuty(vaart, monday(12, 30)), []string{"zoe-g"}},
		{"monday 13:00", onDuty(vaart, monday(13, 0)), []string{"jan-willem-de-boer", "zoe-g"}},
		{"wednesday evening, a whole day", onDuty(vaart, wednesday(19, 0)), []string{"anne", "zoe-g"}},
		{"friday 14:59", onDuty(vaart, friday(14, 59)), []string{"anne", "jan-willem-de-boer", "zoe-g"}},
		{"friday 09:00", onDuty(vaart, friday(9, 0)), []string{"zoe-g"}},
		{"anne's slots", anne.Schedule.Slots(), []string{"ma ochtend", "wo ochtend", "wo middag", "wo avond", "vr middag"}},

		// affinity: aliases resolve to ids, once each
		{"affinity", anne.Groups, []string{"5", "1-2"}},
		{"no affinity", jw.Groups, []string(nil)},
		{"role before affinity", firstCandidate(vaart, "1-2", friday(14, 0)), "jan-willem-de-boer"},
		{"affinity within a role", bot.Candidates(vaart, "1-2", monday(9, 0)), []bot.Candidate{{HelperID: "anne", Rank: 2}, {HelperID: "zoe-g", Rank: 5}}},

		// accounts and shell defaults
		{"mattermost lower case, shell from it", anne.Accounts, bot.Accounts{{Platform: PlatformMattermost, Handle: "anne"}, {Platform: PlatformShell, Handle: "anne"}}},
		{"slack only, shell from the id", jw.Accounts, bot.Accounts{{Platform: PlatformSlack, Handle: "U0JW000001"}, {Platform: PlatformShell, Handle: "jan-willem-de-boer"}}},
		{"shell as set", zoe.Accounts, bot.Accounts{{Platform: PlatformSlack, Handle: "U0ZOE00001"}, {Platform: PlatformShell, Handle: "zoe"}}},
		{"coordinator shell from mattermost", vaart.Coordinators[0].Accounts, bot.Accounts{{Platform: PlatformMattermost, Handle: "ib.sanne"}, {Platform: PlatformShell, Handle: "ib.sanne"}}},
		{"coordinator shell from the name", vaart.Coordinators[1].Accounts, bot.Accounts{{Platform: PlatformSlack, Handle: "U0ZDW00001"}, {Platform: PlatformShell, Handle: "zoe-de-wit"}}},
		{"helper found by mattermost, any case", actorHelper(vaart, PlatformMattermost, "ANNE"), "anne"},
		{"coordinator found by shell", vaart.IsCoordinator(bot.Address{Platform: PlatformShell, Handle: "zoe-de-wit"}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}

	t.Run("helper ids are unique", func(t *testing.T) {
		for _, s := range d.Schools() {
			var ids []string
			for _, h := range s.Helpers {
				ids = append(ids, h.ID)
			}
			slices.Sort(ids)
			if got := slices.Compact(slices.Clone(ids)); len(got) != len(ids) {
				t.Errorf("school %s: got ids %v, want each once", s.ID, ids)
			}
		}
	})
	t.Run("the config is not changed", func(t *testing.T) {
		if !reflect.DeepEqual(c, mustParse(t, school, nil)) {
			t.Errorf("Directory changed the Config")
		}
	})
}

func teamSchool(d *bot.Directory, p bot.Platform, team string) string {
	if s, ok := d.ByTeam(p, team); ok {
		return s.ID
	}
	return ""
}

func TestDirectoryInvalid(t *testing.T) {
	c := Demo()
	c.Schools[0].Helpers[0].Schedule = []string{"zo avond"}
	d, err := c.Directory()
	if d != nil {
		t.Errorf("got a directory, want none")
	}
	got := problemsOf(t, err)
	want := []Problem{{"schools[0].helpers[0].schedule", `"zo avond" is not a day part: "avond" is not one of ochtend, middag`}}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", lines(got), lines(want))
	}
}

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Anne", "anne"},
		{"Jan-Willem de Boer", "jan-willem-de-boer"},
		{"Zoë", "zoe"},
		{"  Ed  van  Dijk ", "ed-van-dijk"},
		{"Noël & Ilse", "noel-ilse"},
		{"Anne (CJG)", "anne-cjg"},
		{"李", ""},
		{strings.Repeat("a", 63) + " bc", strings.Repeat("a", 63)},
		{strings.Repeat("a", 62) + " bc", strings.Repeat("a", 62) + "-b"},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := slug(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
