package shell

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

// echoDispatcher answers commands with what it got and sends the helper a
// message with buttons while the command runs, as the core would.
type echoDispatcher struct {
	chat   *Chat
	clicks []handlers.Click
}

func (d *echoDispatcher) Command(ctx context.Context, c handlers.Command) handlers.Reply {
	if c.Text == "groep 5" {
		_ = d.chat.Send(ctx, message.Message{
			To:   bot.Recipient{Address: bot.Address{Platform: Platform, Handle: "anne"}},
			Text: "Kun je even helpen?",
			Buttons: []message.Button{
				{Label: "Ik kom eraan", Action: message.ActionAccept, RequestID: "r1", OfferNo: 1},
				{Label: "Kan nu niet", Action: message.ActionDecline, RequestID: "r1", OfferNo: 1},
			},
		})
	}
	return handlers.Reply{Text: "ok: " + c.From.Handle + " " + c.Text}
}

func (d *echoDispatcher) Click(_ context.Context, c handlers.Click) handlers.ClickReply {
	d.clicks = append(d.clicks, c)
	return handlers.ClickReply{Update: &message.Message{Text: "✅ " + c.From.Name + " komt eraan"}}
}

func TestChat(t *testing.T) {
	always, _ := bot.ParseSchedule([]string{"altijd"}, bot.DefaultDayParts())
	sc := &bot.School{ID: "demo", Name: "Demoschool", Location: time.UTC, Groups: []bot.Group{{ID: "5"}},
		Helpers: []bot.Helper{{ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener, Accounts: bot.Accounts{{Platform: Platform, Handle: "anne"}}, Schedule: always}}}
	var out bytes.Buffer
	chat := New(sc, &out, true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d := &echoDispatcher{chat: chat}
	script := strings.Join([]string{
		"/hulp groep 5",
		"/knop 1",   // Marie cannot press Anne's button
		"/knop 9",   // no such button
		"/als Anne", // names are case-insensitive
		"/knop 1",
		"/knop 2", // the message was updated: its buttons are gone
		"hallo",
		"/als twee woorden",
		"Hulp groep 6", // no slash, as in a chat window
		"help",
		"/stop",
		"/hulp na de stop",
	}, "\n")
	if err := chat.Run(context.Background(), strings.NewReader(script), d); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"juf.marie> /hulp groep 5\n[→ juf.marie] ok: juf.marie groep 5\n[→ anne] Kun je even helpen?\n    [1] Ik kom eraan   [2] Kan nu niet",
		"[hulpbot] Knop 1 staat in een bericht aan anne; alleen anne ziet die. Typ eerst /als anne.",
		`[hulpbot] Er is geen knop "9".`,
		"[hulpbot] Je bent nu anne (Anne, jeugdhulpverlener).",
		"anne> /knop 1\n[bericht aan anne bijgewerkt] ✅ Anne komt eraan",
		"[hulpbot] Knop 2 is al gebruikt",
		"[hulpbot] Dat begrijp ik niet.",
		"[hulpbot] Typ /als gevolgd door één naam",
		"anne> Hulp groep 6\n[→ anne] ok: anne groep 6",
		"anne> help\n[hulpbot] Typ /hulp gevolgd door een commando",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "na de stop") {
		t.Error("input after /stop was handled")
	}
	if len(d.clicks) != 1 || d.clicks[0].From.Handle != "anne" || d.clicks[0].RequestID != "r1" || d.clicks[0].Action != message.ActionAccept {
		t.Errorf("clicks = %+v, want one accept of r1 by anne", d.clicks)
	}
}

// TestChatInEnglish: at a school that speaks English the terminal's own
// lines are English too; commands in either language work.
func TestChatInEnglish(t *testing.T) {
	sc := &bot.School{ID: "demo", Name: "Demo School", Language: "en", Location: time.UTC, Groups: []bot.Group{{ID: "5"}},
		Helpers:      []bot.Helper{{ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener, Accounts: bot.Accounts{{Platform: Platform, Handle: "anne"}}}},
		Coordinators: []bot.Coordinator{{Name: "Sanne", Accounts: bot.Accounts{{Platform: Platform, Handle: "ib.sanne"}}}}}
	var out bytes.Buffer
	chat := New(sc, &out, true, slog.New(slog.DiscardHandler))
	d := &echoDispatcher{chat: chat}
	script := "/hulp groep 5\n/button 1\n/button 7\n/as anne\n/knop 1\n/button 2\n/people\nhello\n/help\n/as ib.sanne\n/stop\n"
	if err := chat.Run(context.Background(), strings.NewReader(script), d); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"hulpbot — terminal chat for Demo School.",
		"You are juf.marie. Type /hulp groep 5",
		"[1] Ik kom eraan   [2] Kan nu niet   (press with /button N)",
		"[hulpbot] Button 1 is in a message to anne; only anne sees it. Type /as anne first.",
		`[hulpbot] There is no button "7".`,
		"[hulpbot] You are now anne (Anne, jeugdhulpverlener).",
		"[message to anne updated] ✅ Anne komt eraan",
		"[hulpbot] Button 2 was used already",
		"[hulpbot] Who is here:\n    anne — Anne (jeugdhulpverlener)\n    ib.sanne — Sanne (coordinator)\n    anyone else",
		"[hulpbot] I don't understand that. Start with /hulp",
		"[hulpbot] Type /hulp and a command",
		"[hulpbot] You are now ib.sanne (coordinator).",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	for _, dutch := range []string{"Je bent", "Knop ", "druk met", "bijgewerkt", "Dat begrijp"} {
		if strings.Contains(got, dutch) {
			t.Errorf("English transcript has Dutch %q:\n%s", dutch, got)
		}
	}
}

// TestTextsComplete: every terminal line is there in both languages, with
// the same placeholders.
func TestTextsComplete(t *testing.T) {
	for key, nl := range texts["nl"] {
		en, ok := texts["en"][key]
		if !ok {
			t.Errorf("%s: no English", key)
			continue
		}
		if verbs(nl) != verbs(en) {
			t.Errorf("%s: placeholders %q in Dutch, %q in English", key, verbs(nl), verbs(en))
		}
	}
	if len(texts["en"]) != len(texts["nl"]) {
		t.Errorf("%d English lines, %d Dutch", len(texts["en"]), len(texts["nl"]))
	}
}

func verbs(s string) string {
	var b strings.Builder
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' {
			b.WriteByte(s[i+1])
		}
	}
	return b.String()
}

func TestSendRefusesOtherPlatforms(t *testing.T) {
	chat := New(&bot.School{Name: "x"}, io.Discard, true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := chat.Send(context.Background(), message.Message{To: bot.Recipient{Address: bot.Address{Platform: bot.Platform("slack"), Handle: "U1"}}})
	if err == nil {
		t.Error("the terminal chat accepted a Slack message")
	}
}
