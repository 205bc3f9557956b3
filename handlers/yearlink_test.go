package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
)

// fakeYearLinks gives coordinator a link to the school's overview.
type fakeYearLinks struct {
	err   error
	asked []bot.Address
}

func (f *fakeYearLinks) Links(_ context.Context, now time.Time, sc *bot.School, who bot.Address) ([]YearLink, error) {
	f.asked = append(f.asked, who)
	if f.err != nil || !sc.IsCoordinator(who) {
		return nil, f.err
	}
	return []YearLink{{Name: sc.Name, URL: "https://hulpbot.example/overzicht/open?t=abc", Expires: now.Add(15 * time.Minute)}}, nil
}

func TestYearLink(t *testing.T) {
	ctx := context.Background()
	now := testNow(t)
	for _, tc := range []struct {
		name     string
		from     bot.Actor
		links    *fakeYearLinks
		sendErr  error
		want     string
		wantSent bool
	}{
		{"coordinator gets a link by DM", coordinator, &fakeYearLinks{}, nil,
			"Ik heb je een persoonlijke link naar het jaaroverzicht gestuurd (privébericht). Hij is 15 minuten geldig.", true},
		{"teacher is refused", teacher, &fakeYearLinks{}, nil,
			"Het overzicht is alleen voor de IB'er en andere coördinatoren van Kindcentrum De Vaart.", false},
		{"undelivered", coordinator, &fakeYearLinks{}, errors.New("down"),
			"De link kon nu niet worden verstuurd. Probeer het zo nog eens.", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			send := &fakeSender{err: tc.sendErr}
			h := New(&fakeService{}, func() time.Time { return now }, nil, WithYearLinks(tc.links, send))
			got := h.Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: tc.from, Text: "overzicht web"})
			if got.Text != tc.want {
				t.Errorf("reply = %q; want %q", got.Text, tc.want)
			}
			if strings.Contains(got.Text, "http") {
				t.Error("the link is in the reply")
			}
			if (len(send.sent) == 1) != tc.wantSent {
				t.Fatalf("sent %d", len(send.sent))
			}
			if tc.wantSent {
				dm := send.sent[0]
				if dm.To.Address != tc.from.Address || !strings.Contains(dm.Text, "https://hulpbot.example/overzicht/open?t=abc") || !strings.Contains(dm.Text, "Kindcentrum De Vaart") {
					t.Errorf("dm = %+v", dm)
				}
			}
		})
	}
	t.Run("not set up", func(t *testing.T) {
		h := New(&fakeService{}, func() time.Time { return now }, nil)
		got := h.Command(ctx, Command{School: testSchool(t, catalog.LangEN), From: coordinator, Text: "summary web"})
		if got.Text != "The year overview in the browser is not set up." {
			t.Errorf("reply = %q", got.Text)
		}
	})
}
