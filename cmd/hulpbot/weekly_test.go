package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters"
	"github.com/hulpbot/hulpbot/adapters/outbox"
	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/shell"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
	"github.com/hulpbot/hulpbot/scheduler"
)

// weeklyPosts records what the weekly jobs post.
type weeklyPosts struct {
	mu   sync.Mutex
	msgs []message.Message
}

func (p *weeklyPosts) Send(_ context.Context, m message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
	return nil
}

func (p *weeklyPosts) all() []message.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]message.Message(nil), p.msgs...)
}

// TestStartWeeklyFastForward is the demo's "-now 2026-12-04T16:00": a clock
// that runs ahead to Friday 16:00 gets the digest and the success stories
// at once, in the terminal chat, once even with two processes.
func TestStartWeeklyFastForward(t *testing.T) {
	dir, err := config.Demo().Directory()
	if err != nil {
		t.Fatal(err)
	}
	sc := dir.Schools()[0]
	loc := sc.Location
	ahead := time.Date(2026, 12, 4, 16, 0, 0, 0, loc).Sub(time.Now())
	now := func() time.Time { return time.Now().Add(ahead) }
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	store := redisstore.New(rdb, prefix, slog.New(slog.DiscardHandler))
	if err := store.AddStory(context.Background(), sc.ID, "2026-W49", "samen de gymles rustig gekregen", time.Hour); err != nil {
		t.Fatal(err)
	}
	sent := &weeklyPosts{}
	var stops []func()
	for range 2 {
		stop, err := startWeekly(context.Background(), weeklyDeps{
			dir: dir, store: store, send: sent, platforms: []bot.Platform{shell.Platform}, now: now,
			log: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		stops = append(stops, stop)
	}
	// Stop waits for the ticks each process caught up at its start: what
	// they posted is all there is.
	for _, stop := range stops {
		stop()
		stop() // twice is fine
	}
	got := sent.all()
	var to []string
	for _, m := range got {
		to = append(to, m.To.String()+"#"+m.To.Channel)
	}
	// The demo has no digest channel: Sanne, the IB'er, gets it.
	if len(got) != 2 {
		t.Fatalf("posts to %v; want the digest to ib.sanne and the successes in #kernteam, once", to)
	}
	for _, m := range got {
		switch {
		case m.To.Channel == "kernteam":
			if !strings.HasPrefix(m.Text, "Successen van deze week 🎉") {
				t.Errorf("success post = %q", m.Text)
			}
		case m.To.Handle == "ib.sanne":
			if !strings.HasPrefix(m.Text, "📊 Weekoverzicht Demoschool De Vaart, week 49") || len(m.Attachments) != 1 {
				t.Errorf("digest = %q with %d attachments", m.Text, len(m.Attachments))
			}
		default:
			t.Errorf("post to %v", m.To)
		}
	}
}

func TestStartWeeklyHolidayFeeds(t *testing.T) {
	dir, err := config.Demo().Directory()
	if err != nil {
		t.Fatal(err)
	}
	store := redisstore.New(redistest.Client(t), redistest.Prefix(t), nil)
	feed, err := os.ReadFile(filepath.Join("..", "..", "scheduler", "testdata", "schoolvakanties-2026-2027.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vakanties.json")
	if err := os.WriteFile(path, feed, 0o644); err != nil {
		t.Fatal(err)
	}

	weekly := newWeekly(store, nil)
	stop, err := startWeekly(context.Background(), weeklyDeps{dir: dir, weekly: weekly, store: store, send: &weeklyPosts{},
		feeds: []string{path, "http://127.0.0.1:1/unreachable"}})
	if err != nil {
		t.Fatalf("a feed URL that does not answer stopped the start: %v", err)
	}
	stop()
	// The demo school has no region: the nationwide holidays hold.
	if _, closed := bot.ClosedOn(time.Date(2026, 12, 23, 12, 0, 0, 0, time.UTC), weekly.Holidays(dir.Schools()[0])); !closed {
		t.Error("the feed's Christmas holiday did not reach the calendar")
	}

	if _, err := startWeekly(context.Background(), weeklyDeps{dir: dir, store: store, send: &weeklyPosts{},
		feeds: []string{filepath.Join(t.TempDir(), "missing.json")}}); err == nil {
		t.Error("a missing feed file: no error")
	}
}

// TestWeeklyInTheShell plays the weekly rhythm in the terminal chat, wired
// as main wires it: a helper marks a request for the kernteam, the teacher
// answers "Hielp het?", a success is signed, the IB'er asks for the
// overview and its CSV, and a teacher is refused it.
func TestWeeklyInTheShell(t *testing.T) {
	dir, err := config.Demo().Directory()
	if err != nil {
		t.Fatal(err)
	}
	sc := dir.Schools()[0]
	quiet := slog.New(slog.DiscardHandler)
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	store := redisstore.New(rdb, prefix, quiet)
	now := time.Date(2026, 12, 3, 10, 30, 0, 0, sc.Location) // Thursday morning
	clock := func() time.Time { return now }

	var out strings.Builder // written by chat.Run on this goroutine only
	chat := shell.New(sc, &out, true, quiet)
	senders := adapters.Senders{shell.Platform: chat}
	weekly := newWeekly(store, quiet)
	// The demo's wiring: what a command causes is delivered in the call.
	box := outbox.New(rdb, prefix, []string{sc.ID}, senders, clock, outbox.Options{Sync: true}, quiet)
	store.SetCourier(box)
	svc := bot.NewService(store, nil, quiet)
	box.SetRenderer(catalog.NewNoticeRenderer(dir, svc))
	cmds := handlers.New(svc, clock, quiet, handlers.WithWeekly(weekly, box))

	script := strings.Join([]string{
		"/hulp groep 5 onrust na gym",
		"/als anne",
		"/knop 1",
		"/hulp klaar rustig gepraat #kernteam",
		"/als juf.marie",
		"/knop 5",
		"/knop 5",
		"/hulp succes de gymles ging goed #naam",
		"/hulp overzicht",
		"/als ib.sanne",
		"/hulp overzicht",
		"/hulp overzicht csv",
	}, "\n") + "\n"
	if err := chat.Run(context.Background(), strings.NewReader(script), cmds); err != nil {
		t.Fatal(err)
	}
	transcript := out.String()
	inOrder(t, transcript,
		"Dank je! De hulpvraag voor groep 5 is afgesloten.",
		"📌 Staat op de agenda van het kernteam.",
		"[→ juf.marie] Anne heeft je hulpvraag voor groep 5 afgesloten.",
		"Hielp het?",
		"[3] 👍   [4] 👎   [5] Dit kan ik de volgende keer zelf",
		"[bericht aan juf.marie bijgewerkt] Hielp het? Dit kan ik de volgende keer zelf — dank je voor je antwoord!",
		"Knop 5 is al gebruikt",
		"Dank je! Je succes komt in de weekpost, met je naam (juf.marie).",
		"Het overzicht is alleen voor de IB'er en andere coördinatoren van Demoschool De Vaart.",
		"[→ ib.sanne] 📊 Overzicht Demoschool De Vaart, week 49 tot nu toe (30 nov t/m 6 dec)",
		"Hulpvragen: 1",
		"Hielp het? 👍 0 · 👎 0 · kan ik de volgende keer zelf: 1",
		"Successen gedeeld: 1",
		"De grafiek staat in je privéberichten.",
		"[→ ib.sanne] Grafiek bij het overzicht van week 49.",
		"Weekcijfers van de laatste 13 weken (CSV, zonder namen):",
		"week;hulpvragen;keer aangeboden;geaccepteerd;",
		"2026-W49;1;1;1;1;0;0;0;0;0;0;1;0;",
		"toelichting;",
	)
	items, err := store.AgendaItems(context.Background(), sc.ID, now)
	if err != nil || len(items) != 1 || items[0].HelperID != "anne" {
		t.Errorf("agenda = %+v, %v; want the request, marked by anne", items, err)
	}

	// The morning post at eight shows who is there: Anne and Bram are
	// always on duty, but Bram is away for the day and left out; "/hulp
	// wie-is-wie" says what each offers.
	out.Reset()
	if err := chat.Run(context.Background(), strings.NewReader("/als bram\n/hulp afwezig tot morgen\n/hulp wie-is-wie\n"), cmds); err != nil {
		t.Fatal(err)
	}
	jobs := scheduler.NewWeeklyJobs(scheduler.WeeklyOptions{
		Schools: dir, UseCases: weekly, Leases: store, Send: box, Now: clock, Log: quiet,
		Posts: catalog.NewWeeklyPosts(weekly, []bot.Platform{shell.Platform}, store.Pseudonyms(), quiet).WithPresence(svc),
	})
	if got, err := jobs.RunTick(context.Background(), sc, bot.JobToday, now.Add(-150*time.Minute)); got != scheduler.Posted || err != nil {
		t.Fatalf("today: %s, %v; want posted", got, err)
	}
	if got, _ := jobs.RunTick(context.Background(), sc, bot.JobToday, now.Add(-150*time.Minute)); got != scheduler.Taken {
		t.Errorf("today again: %s; want taken (once per tick)", got)
	}
	transcript = out.String()
	inOrder(t, transcript,
		"bram> /hulp wie-is-wie",
		"Wie is wie bij Demoschool De Vaart:",
		"• Anne (jeugdhulpverlener): gesprekjes met kinderen, meedenken over een groep [altijd]",
		"• Bram (CJG-coach): ouders en thuis, de weg naar het CJG [altijd]",
		"[#kernteam] ☀️ Vandaag op school, donderdag 3 december:\n    Anne: hele dag\n    Wie doet wat? /hulp wie-is-wie",
	)
}
