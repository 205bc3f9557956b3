package catalog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/golden"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
)

// presence says who set what status.
type presence map[string]bot.Availability

func (p presence) WhoCanHelp(_ context.Context, _ time.Time, sc *bot.School) ([]bot.HelperView, error) {
	var out []bot.HelperView
	for i := range sc.Helpers {
		a := p[sc.Helpers[i].ID]
		out = append(out, bot.HelperView{Helper: &sc.Helpers[i], Status: a.Status, Until: a.Until})
	}
	return out, nil
}

// todaySchool has Anne in the morning, Bram in the afternoon, Cees all
// day on Thursdays, and Dina only on Mondays.
func todaySchool(t *testing.T, lang string) *bot.School {
	t.Helper()
	sc := testSchool(t, lang)
	sched := func(entries ...string) bot.Schedule {
		s, err := bot.ParseSchedule(entries, sc.DayParts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sc.Helpers = []bot.Helper{
		{ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener, Schedule: sched("ma-vr ochtend"), Offers: "gesprekjes met kinderen, meedenken over de groep"},
		{ID: "bram", Name: "Bram", Role: bot.RoleCJGCoach, Schedule: sched("do middag")},
		{ID: "cees", Name: "Cees", Role: bot.RoleCJGCoach, Schedule: sched("do")},
		{ID: "dina", Name: "Dina", Role: bot.RoleCJGCoach, Schedule: sched("ma")},
	}
	return sc
}

func TestRenderToday(t *testing.T) {
	for _, l := range []string{LangNL, LangEN} {
		t.Run(l, func(t *testing.T) {
			sc := todaySchool(t, l)
			at := time.Date(2026, 11, 26, 8, 0, 0, 0, sc.Location) // a Thursday
			posts, _, err := NewWeeklyPosts(&fakeFigures{}, []bot.Platform{mattermost}, pseudonym.WithKey([]byte("test-pseudonym-key-0123456789")), nil).Compose(context.Background(), sc, bot.Tick{Job: bot.JobToday, At: at})
			if err != nil || len(posts) != 1 {
				t.Fatalf("Compose = %d posts, %v; want one", len(posts), err)
			}
			if posts[0].To.Channel != sc.TodayChannel() {
				t.Errorf("posted to %+v; want the team channel %s", posts[0].To, sc.TodayChannel())
			}
			golden.Check(t, "today/today."+l, posts[0].Text)

			// Cees is away until tomorrow, Anne only until ten: Cees is left out.
			away := presence{"cees": {Status: bot.Away, Until: at.Add(16 * time.Hour)}, "anne": {Status: bot.Away, Until: at.Add(2 * time.Hour)}}
			posts, _, err = NewWeeklyPosts(&fakeFigures{}, []bot.Platform{mattermost}, pseudonym.WithKey([]byte("test-pseudonym-key-0123456789")), nil).WithPresence(away).Compose(context.Background(), sc, bot.Tick{Job: bot.JobToday, At: at})
			if err != nil || len(posts) != 1 {
				t.Fatalf("Compose = %d posts, %v", len(posts), err)
			}
			if strings.Contains(posts[0].Text, "Cees") || !strings.Contains(posts[0].Text, "Anne") {
				t.Errorf("with Cees away: %q; want Anne and no Cees", posts[0].Text)
			}

			sunday := RenderToday(sc, at.Add(72*time.Hour), sc.OnDay(at.Add(72*time.Hour), nil))
			golden.Check(t, "today/nobody."+l, sunday.Text)
			golden.Check(t, "today/whoiswho."+l, WhoIsWho(sc))
		})
	}
}

// TestCoordinatorTitle: a location that calls its coordinator otherwise
// reads that title wherever hulpbot names them.
func TestCoordinatorTitle(t *testing.T) {
	for _, l := range []string{LangNL, LangEN} {
		sc := testSchool(t, l)
		sc.CoordinatorTitle = "locatiemanager"
		sc.WhenDown = ""
		for _, got := range []string{Usage(sc), WhenDown(sc)} {
			if !strings.Contains(got, "locatiemanager") || strings.Contains(got, "IB'er") {
				t.Errorf("%s: %q; want the locatiemanager, no IB'er", l, got)
			}
		}
		if got := Text(l, "err.not_coordinator", "school", sc.Name, "coordinator", CoordinatorTitle(sc)); !strings.Contains(got, "locatiemanager") {
			t.Errorf("%s: %q", l, got)
		}
		sc.CoordinatorTitle = ""
		if got := WhenDown(sc); !strings.Contains(got, "IB'er") {
			t.Errorf("%s default: %q; want the IB'er", l, got)
		}
	}
}
