package catalog

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/golden"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
)

// knownLangs is a kept language per identity ("mattermost:juf.marie").
type knownLangs map[string]string

func (k knownLangs) Known(_ context.Context, who string) (string, bool) {
	l, ok := k[who]
	return l, ok
}

// bilingual is the test school in lang that allows the other language too.
func bilingual(t testing.TB, lang string) *bot.School {
	sc := testSchool(t, lang)
	for _, l := range []string{LangNL, LangEN} {
		sc.AllowLanguage(l, "")
	}
	return sc
}

func TestReaderSchool(t *testing.T) {
	ctx := context.Background()
	marie := bot.Recipient{Address: bot.Address{Platform: mattermost, Handle: "Juf.Marie"}}
	langs := knownLangs{"mattermost:juf.marie": LangEN, "mattermost:meester.joost": LangNL}
	tests := []struct {
		name  string
		sc    *bot.School
		langs PersonLanguages
		to    bot.Recipient
		want  string
	}{
		{"a person whose language is kept", bilingual(t, LangNL), langs, marie, LangEN},
		{"kept in the school's own language", bilingual(t, LangEN), langs,
			bot.Recipient{Address: bot.Address{Platform: mattermost, Handle: "meester.joost"}}, LangNL},
		{"a person whose language is not kept", bilingual(t, LangNL), langs,
			bot.Recipient{Address: bot.Address{Platform: mattermost, Handle: "anne"}}, LangNL},
		{"a school with one language", testSchool(t, LangNL), langs, marie, LangNL},
		{"a channel", bilingual(t, LangNL), knownLangs{"mattermost:": LangEN},
			bot.Recipient{Address: bot.Address{Platform: mattermost}, Channel: "kernteam"}, LangNL},
		{"no languages kept at all", bilingual(t, LangNL), nil, marie, LangNL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReaderSchool(ctx, tt.langs, tt.sc, tt.to).Language; got != tt.want {
				t.Errorf("ReaderSchool(%v).Language = %q; want %q", tt.to, got, tt.want)
			}
		})
	}
}

// TestSurveyPostsInReadersLanguage: each person gets the survey in the
// language kept for them; the school's language otherwise. The words are
// golden files, every question of every survey in both languages.
func TestSurveyPostsInReadersLanguage(t *testing.T) {
	ctx := context.Background()
	names := pseudonym.WithKey([]byte("test-pseudonym-key-0123456789"))
	sc := bilingual(t, LangNL)
	at := time.Date(2026, 12, 10, 15, 0, 0, 0, sc.Location) // the pulse about November and the fourth quarter's surveys
	marie := bot.SurveyRecipient{Pseudonym: "p-marie", Address: bot.Address{Platform: mattermost, Handle: "juf.marie"}}
	joost := bot.SurveyRecipient{Pseudonym: "p-joost", Address: bot.Address{Platform: mattermost, Handle: "meester.joost"}}
	langs := knownLangs{"mattermost:juf.marie": LangEN}
	posts, _, err := NewWeeklyPosts(&fakeFigures{}, []bot.Platform{mattermost}, names, nil).
		WithSurveys(&fakeSurveys{to: []bot.SurveyRecipient{marie, joost}}).WithLanguages(langs).
		Compose(ctx, sc, bot.Tick{Job: bot.JobSurveys, At: at})
	if err != nil {
		t.Fatal(err)
	}
	// Three surveys of two questions, to two people.
	if len(posts) != 12 {
		t.Fatalf("%d posts; want 12", len(posts))
	}
	seen := map[string]bool{}
	for _, m := range posts {
		l := LangNL
		if m.To.Handle == "juf.marie" {
			l = LangEN
		}
		// survey/<school>/<survey>/<period>/<question>/<who>
		parts := strings.Split(m.Key, "/")
		name := "surveys/" + parts[2] + "-" + parts[4] + "." + l
		if strings.ContainsAny(m.Text, "{}") {
			t.Errorf("%s: a placeholder left in %q", name, m.Text)
		}
		seen[name] = true
		golden.Check(t, name, dump(m))
	}
	if len(seen) != 12 {
		t.Errorf("%d different survey messages; want each of 6 questions in both languages", len(seen))
	}
}

// TestDigestToCoordinatorsInTheirLanguage: a digest by direct message is in
// each coordinator's language; the same digest in a channel stays in the
// school's.
func TestDigestToCoordinatorsInTheirLanguage(t *testing.T) {
	ctx := context.Background()
	names := pseudonym.WithKey([]byte("test-pseudonym-key-0123456789"))
	at := time.Date(2026, 11, 30, 16, 0, 0, 0, amsterdam(t))
	langs := knownLangs{"mattermost:ib.sanne": LangEN}
	for _, tt := range []struct {
		name    string
		channel string
		want    map[string]string // recipient → the first line
	}{
		{"by direct message", "", map[string]string{
			"mattermost:ib.sanne": "📊 Weekly overview Kindcentrum De Vaart, week 49 (30 Nov to 6 Dec)",
			"mattermost:ib.karim": "📊 Weekoverzicht Kindcentrum De Vaart, week 49 (30 nov t/m 6 dec)",
		}},
		{"in a channel", "coordinatie", map[string]string{
			"mattermost: #coordinatie": "📊 Weekoverzicht Kindcentrum De Vaart, week 49 (30 nov t/m 6 dec)",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc := bilingual(t, LangNL)
			sc.Coordinators = append(sc.Coordinators, bot.Coordinator{Name: "Karim", Accounts: bot.Accounts{{Platform: mattermost, Handle: "ib.karim"}}})
			sc.Digest.Channel = tt.channel
			posts, _, err := NewWeeklyPosts(&fakeFigures{report: testReport()}, []bot.Platform{mattermost}, names, nil).WithLanguages(langs).
				Compose(ctx, sc, bot.Tick{Job: bot.JobDigest, At: at, Week: "2026-W49"})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, m := range posts {
				to := m.To.String()
				if m.To.Channel != "" {
					to += " #" + m.To.Channel
				}
				got[to], _, _ = strings.Cut(m.Text, "\n")
				if len(m.Attachments) != 1 {
					t.Errorf("%s: %d attachments; want the chart", to, len(m.Attachments))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("first lines = %q; want %q", got, tt.want)
			}
		})
	}
}
