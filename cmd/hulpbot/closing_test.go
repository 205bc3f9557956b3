package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters"
	"github.com/hulpbot/hulpbot/adapters/outbox"
	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/shell"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
)

// TestClosingInTheShell closes requests in the terminal chat, wired as main
// wires it, and taps what help was given: the answers are counted once, in
// the month of the request, and a tap on an old message counts nothing.
func TestClosingInTheShell(t *testing.T) {
	dir, err := config.Demo().Directory()
	if err != nil {
		t.Fatal(err)
	}
	sc := dir.Schools()[0]
	quiet := slog.New(slog.DiscardHandler)
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	store := redisstore.New(rdb, prefix, quiet)
	now := time.Date(2026, 12, 3, 10, 30, 0, 0, sc.Location)
	clock := func() time.Time { return now }

	var out strings.Builder
	chat := shell.New(sc, &out, true, quiet)
	box := outbox.New(rdb, prefix, []string{sc.ID}, adapters.Senders{shell.Platform: chat}, clock, outbox.Options{Sync: true}, quiet)
	store.SetCourier(box)
	svc := bot.NewService(store, nil, quiet)
	box.SetRenderer(catalog.NewNoticeRenderer(dir, svc))
	cmds := handlers.New(svc, clock, quiet, handlers.WithWeekly(newWeekly(store, quiet), box), handlers.WithClosing(bot.NewClosings(store, quiet)))

	run := func(lines ...string) string {
		t.Helper()
		out.Reset()
		if err := chat.Run(context.Background(), strings.NewReader(strings.Join(lines, "\n")+"\n"), cmds); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	// Buttons are numbered in order: [1] Ik kom eraan, [2] Kan nu niet;
	// after klaar the seven kinds of support [3]–[9], [10] Overslaan, [11]
	// the kernteam.
	first := run(
		"/hulp groep 5 onrust na gym",
		"/als anne",
		"/knop 1",
		"/hulp klaar",
	)
	inOrder(t, first,
		"Dank je! De hulpvraag voor groep 5 is afgesloten.",
		"Wat voor hulp heb je gegeven?",
		"[3] Kort gesprek   [4] Even naar buiten / wandeling",
		"[10] Overslaan   [11] 📌 Bespreken in kernteam",
	)
	second := run("/knop 3")
	inOrder(t, second,
		"[bericht aan anne bijgewerkt] Kort gesprek. En hoe ging het verder?",
		"Kon in de groep blijven", "Vervolg: speciaal onderwijs", "📌 Bespreken in kernteam",
	)
	third := run("/knop " + button(t, second, "Kon in de groep blijven"))
	inOrder(t, third, "[bericht aan anne bijgewerkt] Dank je, genoteerd: Kon in de groep blijven.")

	// A second request: both helpers say no, it lands in the channel and
	// Bram takes it there ("Ik pak dit op"), closes it and skips nothing.
	esc := run("/als juf.marie", "/hulp groep 6 ruzie", "/als anne")
	esc = run("/knop " + button(t, esc, "Kan nu niet"))
	if strings.Contains(esc, "Kan nu niet") {
		esc = run("/als bram", "/knop "+button(t, esc, "Kan nu niet"))
	}
	picked := run("/als bram", "/knop "+button(t, esc, "Ik pak dit op"), "/hulp klaar")
	inOrder(t, picked, "Wat voor hulp heb je gegeven?")
	out2 := run("/knop " + button(t, picked, "Tips voor de leerkracht"))
	run("/knop " + button(t, out2, "Vervolg: CJG"))

	// A third, skipped.
	third3 := run("/als juf.marie", "/hulp groep 7", "/als anne")
	closed := run("/knop "+button(t, third3, "Ik kom eraan"), "/hulp klaar")
	inOrder(t, run("/knop "+button(t, closed, "Overslaan")), "Oké, overgeslagen.")

	y, err := store.YearFigures(context.Background(), sc.ID, bot.SchoolYear{Start: 2026})
	if err != nil {
		t.Fatal(err)
	}
	dec := y.Months[4]
	if dec.Month != "2026-12" {
		t.Fatalf("month 4 is %s", dec.Month)
	}
	if dec.Requests != 3 || dec.Resolved != 3 || dec.Support["gesprek"] != 1 || dec.Support["tips"] != 1 ||
		dec.Outcome["in_groep"] != 1 || dec.Outcome["vervolg_cjg"] != 1 || len(dec.Support) != 2 || len(dec.Outcome) != 2 {
		t.Errorf("December = requests %d, resolved %d, support %v, outcome %v", dec.Requests, dec.Resolved, dec.Support, dec.Outcome)
	}
}

// button is the number of the last button labelled label in a transcript.
func button(t *testing.T, transcript, label string) string {
	t.Helper()
	m := regexp.MustCompile(`\[(\d+)\] `+regexp.QuoteMeta(label)).FindAllStringSubmatch(transcript, -1)
	if len(m) == 0 {
		t.Fatalf("no button %q in:\n%s", label, transcript)
	}
	return m[len(m)-1][1]
}

// TestSlackClosing taps what help was given on Slack, against the real
// server with signed requests: the reply to "/hulp klaar" carries the
// kinds of support, a tap rewrites it to ask the outcome, a second tap on
// the old message is told so and counts nothing.
func TestSlackClosing(t *testing.T) {
	s := startSlack(t)
	s.hulp("U0MARIE001", "juf.marie", "groep 5")
	offer := s.posts("D0ANNE0001", 1)[0]
	s.press("U0ANNE0001", "anne", offer, 0, "anne-accept")
	s.response("anne-accept")

	s.n++
	status, body, _ := s.post("/slack/command", slackfake.Command{TeamID: "T0DEVAART1", ChannelID: "D0ANNE0001", UserID: "U0ANNE0001", UserName: "anne",
		Text: "klaar", TriggerID: "e2e-klaar", ResponseURL: s.fake.ResponseURL("klaar")}.Form())
	if status != http.StatusOK {
		t.Fatalf("/hulp klaar = %d %s", status, body)
	}
	var ans slackfake.Response
	if err := json.Unmarshal(body, &ans); err != nil {
		t.Fatal(err)
	}
	reply := asCall(t, ans)
	bs := slackfake.Buttons(t, reply)
	if len(bs) != 9 || bs[0].Text.Text != "Kort gesprek" || bs[7].Text.Text != "Overslaan" || bs[8].Text.Text != "📌 Bespreken in kernteam" {
		t.Fatalf("klaar's buttons: %+v", bs)
	}
	s.press("U0ANNE0001", "anne", reply, 0, "support")
	upd := s.response("support")
	if upd.ReplaceOriginal == nil || !*upd.ReplaceOriginal || !strings.Contains(upd.Text, "Kort gesprek. En hoe ging het verder?") {
		t.Fatalf("after the tap: %+v", upd)
	}
	// The old message, tapped again (a second device): counts nothing.
	s.press("U0ANNE0001", "anne", reply, 1, "support-again")
	if again := s.response("support-again"); !strings.Contains(again.Text, "al genoteerd") || (again.ReplaceOriginal != nil && *again.ReplaceOriginal) {
		t.Errorf("a second tap: %+v", again)
	}
	// Someone else cannot answer for Anne.
	s.press("U0BRAM0001", "bram", reply, 2, "support-bram")
	if other := s.response("support-bram"); strings.Contains(other.Text, "En hoe ging") {
		t.Errorf("Bram's tap: %+v", other)
	}
	outcome := asCall(t, upd)
	ob := slackfake.Buttons(t, outcome)
	if len(ob) != 7 || ob[1].Text.Text != "Even uit de groep" {
		t.Fatalf("outcome buttons: %+v", ob)
	}
	s.press("U0ANNE0001", "anne", outcome, 1, "outcome")
	if done := s.response("outcome"); !strings.Contains(done.Text, "Dank je, genoteerd: Even uit de groep.") {
		t.Errorf("after the outcome: %+v", done)
	}
	s.settled()

	y, err := s.store.YearFigures(context.Background(), "de-vaart", bot.SchoolYearOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var support, outcomes map[string]int
	for _, m := range y.Months {
		if len(m.Support) > 0 || len(m.Outcome) > 0 {
			support, outcomes = m.Support, m.Outcome
		}
	}
	if len(support) != 1 || support["gesprek"] != 1 || len(outcomes) != 1 || outcomes["uit_groep"] != 1 {
		t.Errorf("counted support %v, outcome %v; want gesprek 1, uit_groep 1", support, outcomes)
	}
}

// asCall makes a response's blocks readable as a posted message's.
func asCall(t *testing.T, r slackfake.Response) slackfake.Call {
	t.Helper()
	b, err := json.Marshal(r.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	return slackfake.Call{Method: "response", Form: url.Values{"blocks": {string(b)}}}
}
