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

func TestSendRefusesOtherPlatforms(t *testing.T) {
	chat := New(&bot.School{Name: "x"}, io.Discard, true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := chat.Send(context.Background(), message.Message{To: bot.Recipient{Address: bot.Address{Platform: bot.Platform("slack"), Handle: "U1"}}})
	if err == nil {
		t.Error("the terminal chat accepted a Slack message")
	}
}
