package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/shell"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

// TestSurveysOnceWithThreeReplicas: two teachers asked for help in
// November; three processes run the surveys job on the first Friday of
// December and send the pulse about November to each teacher once; a week
// later three others send nothing of it again, but the quarter's
// collaboration surveys, to the teachers and the helpers, once. The
// answers, tapped through the command layer, count once per person.
func TestSurveysOnceWithThreeReplicas(t *testing.T) {
	cfg := config.Demo()
	cfg.Schools[0].Surveys.Cron = "0 15 * * FRI"
	dir, err := cfg.Directory()
	if err != nil {
		t.Fatal(err)
	}
	sc := dir.Schools()[0]
	loc := sc.Location
	quiet := slog.New(slog.DiscardHandler)
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	store := redisstore.New(rdb, prefix, quiet)
	svc := bot.NewService(store, nil, quiet)
	ctx := context.Background()
	marie := bot.Actor{Address: bot.Address{Platform: shell.Platform, Handle: "juf.marie"}, Name: "juf.marie"}
	kees := bot.Actor{Address: bot.Address{Platform: shell.Platform, Handle: "meester.kees"}, Name: "meester.kees"}
	for i, who := range []bot.Actor{marie, kees, marie} {
		at := time.Date(2026, 11, 10+i, 10, 0, 0, 0, loc)
		if _, err := svc.RequestHelp(ctx, at, sc, bot.HelpRequest{From: who, Group: "5"}); err != nil {
			t.Fatal(err)
		}
	}

	runAt := func(at time.Time) []message.Message {
		t.Helper()
		ahead := at.Sub(time.Now())
		now := func() time.Time { return time.Now().Add(ahead) }
		sent := &weeklyPosts{}
		var stops []func()
		for range 3 {
			stop, err := startWeekly(ctx, weeklyDeps{dir: dir, store: store, send: sent, platforms: []bot.Platform{shell.Platform}, now: now, log: quiet})
			if err != nil {
				t.Fatal(err)
			}
			stops = append(stops, stop)
		}
		for _, stop := range stops {
			stop()
		}
		var out []message.Message
		for _, m := range sent.all() {
			if strings.HasPrefix(m.Key, "survey/") {
				out = append(out, m)
			}
		}
		return out
	}
	keysOf := func(ms []message.Message) []string {
		var ks []string
		for _, m := range ms {
			ks = append(ks, m.Key)
		}
		slices.Sort(ks)
		return ks
	}

	first := runAt(time.Date(2026, 12, 4, 15, 0, 0, 0, loc))
	if len(first) != 4 {
		t.Fatalf("%d survey messages, want the pulse's 2 questions to 2 teachers once: %v", len(first), keysOf(first))
	}
	to := map[string]int{}
	for _, m := range first {
		to[m.To.Handle]++
		if !strings.Contains(m.Text, "Korte peiling over nov 2026") || len(m.Buttons) != 5 {
			t.Errorf("pulse message %q with %d buttons", m.Text, len(m.Buttons))
		}
	}
	if to["juf.marie"] != 2 || to["meester.kees"] != 2 {
		t.Errorf("sent to %v", to)
	}
	if ks := keysOf(first); len(slices.Compact(ks)) != 4 {
		t.Errorf("keys not unique: %v", ks)
	}

	second := runAt(time.Date(2026, 12, 11, 15, 0, 0, 0, loc))
	var pulse, staff, helpers int
	for _, m := range second {
		switch {
		case strings.Contains(m.Key, "/pulse/"):
			pulse++
		case strings.Contains(m.Key, "/collab.staff/2026-Q4/"):
			staff++
		case strings.Contains(m.Key, "/collab.helpers/2026-Q4/"):
			helpers++
		}
	}
	if pulse != 0 || staff != 4 || helpers != 4 {
		t.Errorf("a week later: pulse %d, staff %d, helpers %d messages; want 0, 4 (2 teachers × 2), 4 (anne and bram × 2): %v", pulse, staff, helpers, keysOf(second))
	}
	if third := runAt(time.Date(2026, 12, 18, 15, 0, 0, 0, loc)); len(third) != 0 {
		t.Errorf("a third Friday sent %v again", keysOf(third))
	}

	// Marie answers the pulse's first question, twice; Kees too.
	h := handlers.New(svc, func() time.Time { return time.Date(2026, 12, 4, 16, 0, 0, 0, loc) }, quiet, handlers.WithSurveys(bot.NewSurveyRuns(store, quiet)))
	var q1 message.Message
	for _, m := range first {
		if m.To.Handle == "juf.marie" && strings.Contains(m.Text, "gesteund") {
			q1 = m
		}
	}
	press := func(by bot.Actor, b message.Button) handlers.ClickReply {
		return h.Click(ctx, handlers.Click{School: sc, From: by, Action: b.Action, RequestID: b.RequestID, OfferNo: b.OfferNo})
	}
	if r := press(marie, q1.Buttons[3]); r.Update == nil || r.Update.Text != "Dank je! Je antwoord (4) telt anoniem mee." {
		t.Errorf("first tap: %+v", r)
	}
	if r := press(marie, q1.Buttons[0]); r.Update != nil || !strings.Contains(r.Ephemeral, "al beantwoord") {
		t.Errorf("second tap: %+v", r)
	}
	press(kees, q1.Buttons[4])
	y, err := store.YearFigures(ctx, sc.ID, bot.SchoolYear{Start: 2026})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range y.Surveys {
		if f.Survey == bot.SurveyPulse && f.Period == "2026-11" && f.Question == "supported" {
			if f.Answers != [5]int{0, 0, 0, 1, 1} {
				t.Errorf("answers = %v, want one 4 and one 5", f.Answers)
			}
			if _, ok := f.Mean(); ok {
				t.Error("a mean is shown for 2 answers: too few to show")
			}
		}
	}
}
