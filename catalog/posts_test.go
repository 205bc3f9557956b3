package catalog

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
)

// fakeFigures answers the weekly posts' reads with what it holds.
type fakeFigures struct {
	agenda  bot.Agenda
	stories []bot.Story
	report  bot.WeekReport
	err     error
	posted  []bot.Agenda
}

func (f *fakeFigures) Agenda(context.Context, *bot.School, bot.Tick) (bot.Agenda, error) {
	return f.agenda, f.err
}

func (f *fakeFigures) AgendaPosted(_ context.Context, _ *bot.School, a bot.Agenda) error {
	f.posted = append(f.posted, a)
	return nil
}

func (f *fakeFigures) Successes(context.Context, *bot.School, string) ([]bot.Story, error) {
	return f.stories, f.err
}

func (f *fakeFigures) Report(context.Context, *bot.School, string) (bot.WeekReport, error) {
	return f.report, f.err
}

// TestWeeklyPosts: each weekly post, worded and addressed; a person is named
// in a post's key by pseudonym, never by handle.
func TestWeeklyPosts(t *testing.T) {
	ctx := context.Background()
	names := pseudonym.WithKey([]byte("test-pseudonym-key-0123456789"))
	sanne, _ := names.Of(ctx, "mattermost:ib.sanne")
	at := time.Date(2026, 11, 30, 8, 15, 0, 0, amsterdam(t))
	agenda := bot.Agenda{Week: bot.WeekFigures{Week: "2026-W48"},
		Items: []bot.AgendaItem{{RequestID: "r1", Group: "5", HelperID: "anne", CreatedAt: at.AddDate(0, 0, -6)}}}
	tests := []struct {
		name      string
		job       bot.Job
		figures   fakeFigures
		platforms []bot.Platform
		change    func(*bot.School)
		want      []string // recipient and key of each post
		text      string   // the first line every post starts with
		done      bool
	}{
		{name: "reminder in the kernteam channel", job: bot.JobReminder, figures: fakeFigures{agenda: agenda},
			platforms: []bot.Platform{mattermost, slack, shell},
			want: []string{"mattermost: #kernteam weekly/de-vaart/kernteam.reminder@2026-11-30T08:15:00/mattermost:#kernteam",
				"shell: #kernteam weekly/de-vaart/kernteam.reminder@2026-11-30T08:15:00/shell:#kernteam"},
			text: "🗓️ Kernteam Kindcentrum De Vaart: het overleg is donderdag 14:00.", done: true},
		{name: "no stories, no post", job: bot.JobSuccesses, platforms: []bot.Platform{mattermost}},
		{name: "stories in the kernteam channel", job: bot.JobSuccesses, figures: fakeFigures{stories: []bot.Story{{Text: "rustige gymles"}}},
			platforms: []bot.Platform{mattermost},
			want:      []string{"mattermost: #kernteam weekly/de-vaart/successes@2026-11-30T08:15:00/mattermost:#kernteam"},
			text:      "Successen van deze week 🎉"},
		{name: "stories in the team's channel", job: bot.JobSuccesses, figures: fakeFigures{stories: []bot.Story{{Text: "rustige gymles"}}},
			platforms: []bot.Platform{mattermost}, change: func(sc *bot.School) { sc.Successes.Channel = "team" },
			want: []string{"mattermost: #team weekly/de-vaart/successes@2026-11-30T08:15:00/mattermost:#team"},
			text: "Successen van deze week 🎉"},
		{name: "nudge in the team's channel, in a week without stories", job: bot.JobNudge,
			platforms: []bot.Platform{mattermost}, change: func(sc *bot.School) { sc.Successes.Channel = "team" },
			want: []string{"mattermost: #team weekly/de-vaart/successes.nudge@2026-11-30T08:15:00/mattermost:#team"},
			text: "🌱 Wat ging er goed deze week?"},
		{name: "digest to each coordinator", job: bot.JobDigest, figures: fakeFigures{report: testReport()},
			platforms: []bot.Platform{mattermost, slack}, change: func(sc *bot.School) { sc.Teams = append(sc.Teams, bot.TeamLink{Platform: slack, Team: "T0DEVAART1"}) },
			want: []string{"mattermost:ib.sanne # weekly/de-vaart/digest@2026-11-30T08:15:00/mattermost:" + sanne},
			text: "📊 Weekoverzicht Kindcentrum De Vaart, week 49 (30 nov t/m 6 dec)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testSchool(t, LangNL)
			sc.Kernteam = bot.Kernteam{Channel: "kernteam", Reminder: "15 8 * * MON", Meeting: "donderdag 14:00"}
			if tt.change != nil {
				tt.change(sc)
			}
			figures := tt.figures
			posts, done, err := NewWeeklyPosts(&figures, tt.platforms, names, nil).Compose(ctx, sc, bot.Tick{Job: tt.job, At: at, Week: "2026-W48"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range posts {
				got = append(got, m.To.String()+" #"+m.To.Channel+" "+m.Key)
				if m.SchoolID != sc.ID || !strings.HasPrefix(m.Text, tt.text+"\n") {
					t.Errorf("post for school %q reads %q; want %q first", m.SchoolID, m.Text, tt.text)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("posts = %q; want %q", got, tt.want)
			}
			if (done != nil) != tt.done {
				t.Fatalf("done set: %v; want %v", done != nil, tt.done)
			}
			if done != nil {
				if err := done(ctx); err != nil || len(figures.posted) != 1 || figures.posted[0].Items[0].RequestID != "r1" {
					t.Errorf("done = %v, posted %+v; want the listed agenda taken off", err, figures.posted)
				}
			}
		})
	}
	t.Run("figures unavailable", func(t *testing.T) {
		sc := testSchool(t, LangNL)
		figures := &fakeFigures{err: bot.ErrUnavailable}
		for _, job := range bot.Jobs {
			if job == bot.JobSurveys || job == bot.JobNudge {
				continue // not drawn from the figures
			}
			wp := NewWeeklyPosts(figures, []bot.Platform{mattermost}, names, nil).WithPresence(downPresence{})
			if posts, _, err := wp.Compose(ctx, sc, bot.Tick{Job: job, At: at}); !errors.Is(err, bot.ErrUnavailable) || len(posts) != 0 {
				t.Errorf("%s: %d posts, %v; want unavailable", job, len(posts), err)
			}
		}
	})
	t.Run("unknown job", func(t *testing.T) {
		if _, _, err := NewWeeklyPosts(&fakeFigures{}, nil, names, nil).Compose(ctx, testSchool(t, LangNL), bot.Tick{Job: "monthly", At: at}); err == nil {
			t.Error("composed a post for an unknown job")
		}
	})
}

type fakeSurveys struct {
	err  error
	to   []bot.SurveyRecipient
	sent []string
}

func (f *fakeSurveys) Recipients(_ context.Context, _ *bot.School, due bot.SurveyDue, _ []bot.Platform, _ func(context.Context, string) (string, error)) ([]bot.SurveyRecipient, error) {
	return f.to, f.err
}

func (f *fakeSurveys) Sent(_ context.Context, _ *bot.School, due bot.SurveyDue, to []bot.SurveyRecipient) error {
	for _, r := range to {
		f.sent = append(f.sent, due.Survey+" "+due.Period+" "+r.Pseudonym)
	}
	return f.err
}

func TestSurveyPosts(t *testing.T) {
	ctx := context.Background()
	sc := testSchool(t, LangNL)
	names := pseudonym.WithKey([]byte("test-pseudonym-key-0123456789"))
	at := time.Date(2026, 12, 4, 15, 0, 0, 0, sc.Location) // the pulse about November is due
	marie := bot.SurveyRecipient{Pseudonym: "p-marie", Address: bot.Address{Platform: mattermost, Handle: "juf.marie"}}
	src := &fakeSurveys{to: []bot.SurveyRecipient{marie}}
	posts, done, err := NewWeeklyPosts(&fakeFigures{}, []bot.Platform{mattermost}, names, nil).WithSurveys(src).Compose(ctx, sc, bot.Tick{Job: bot.JobSurveys, At: at})
	if err != nil || len(posts) != 2 || done == nil {
		t.Fatalf("%d posts, done %v, %v; want the pulse's two questions", len(posts), done != nil, err)
	}
	for i, want := range []string{"Ik voel me gesteund bij lastige situaties in mijn groep.", "Ik heb er vertrouwen in dat ik dit kind in mijn groep verder kan begeleiden."} {
		m := posts[i]
		if !strings.Contains(m.Text, want) || !strings.Contains(m.Text, "nov 2026") || m.To.Handle != "juf.marie" || len(m.Buttons) != 5 || m.Buttons[4].Label != "5" {
			t.Errorf("post %d = %+v", i, m)
		}
		if strings.Contains(m.Key, "juf.marie") || !strings.Contains(m.Key, "p-marie") {
			t.Errorf("key %q: want the pseudonym, not the handle", m.Key)
		}
	}
	if err := done(ctx); err != nil || !slices.Equal(src.sent, []string{"pulse 2026-11 p-marie"}) {
		t.Errorf("done: %v, sent %v", err, src.sent)
	}
	// Nobody left to send to: nothing, and nothing to note.
	if posts, done, err := NewWeeklyPosts(&fakeFigures{}, nil, names, nil).WithSurveys(&fakeSurveys{}).Compose(ctx, sc, bot.Tick{Job: bot.JobSurveys, At: at}); len(posts) != 0 || done != nil || err != nil {
		t.Errorf("nobody: %d posts, %v", len(posts), err)
	}
	if _, _, err := NewWeeklyPosts(&fakeFigures{}, nil, names, nil).WithSurveys(&fakeSurveys{err: bot.ErrUnavailable}).Compose(ctx, sc, bot.Tick{Job: bot.JobSurveys, At: at}); !errors.Is(err, bot.ErrUnavailable) {
		t.Errorf("store down: %v", err)
	}
}

// downPresence is a store that cannot say who is away.
type downPresence struct{}

func (downPresence) WhoCanHelp(context.Context, time.Time, *bot.School) ([]bot.HelperView, error) {
	return nil, bot.ErrUnavailable
}
