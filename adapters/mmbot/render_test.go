package mmbot

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// golden compares got, as indented JSON, with testdata/render/<name>.golden.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	path := filepath.Join("testdata", "render", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", name, path, b, want)
	}
}

// testButtons are signed for Anne, rendered at 10:41 on 1 December 2026
// (Amsterdam): buttons without an end of their own work for a day.
var testButtons = Buttons{ActionURL: "http://hulpbot:8080" + ActionPath, Signer: NewSigner([]byte(testSecret)), SchoolID: "de-vaart",
	For: ForUser("useranne000000000000000000"), Now: time.Date(2026, 12, 1, 9, 41, 0, 0, time.UTC)}

// offerButtons are an offer's buttons, with its deadline at 10:43.
func offerButtons(offer int) []message.Button {
	deadline := time.Date(2026, 12, 1, 9, 43, 0, 0, time.UTC)
	return []message.Button{
		{Label: "Ik kom eraan", Action: message.ActionAccept, RequestID: "req000000001", OfferNo: offer, Primary: true, Until: deadline},
		{Label: "Kan nu niet", Action: message.ActionDecline, RequestID: "req000000001", OfferNo: offer, Until: deadline},
	}
}

func TestRenderPost(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    message.Message
	}{
		{"offer", message.Message{
			To:       bot.Recipient{Address: bot.Address{Platform: Platform, Handle: "anne"}},
			SchoolID: "de-vaart",
			Text:     "Kun je even helpen? Hulpvraag voor groep 5, 10:41.\nGevraagd door juf.anna.\nToelichting: onrust na gym, @all [kijk](http://x)\nReageer vóór 10:43, anders gaat de vraag naar de volgende.",
			Buttons:  offerButtons(1),
			Key:      "de-vaart/req000000001/offer/1/mattermost:anne#", RequestID: "req000000001",
		}},
		{"accepted", message.Message{
			To:       bot.Recipient{Address: bot.Address{Platform: Platform, Handle: "juf.anna"}},
			SchoolID: "de-vaart",
			Text:     "✅ Anne komt eraan voor groep 5.",
			Key:      "de-vaart/req000000001/accepted/1/mattermost:juf.anna#", RequestID: "req000000001",
		}},
		{"escalated", message.Message{
			To:       bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: "kernteam"},
			SchoolID: "de-vaart",
			Text:     "📣 Hulpvraag voor groep 5, 10:41: er is nu geen hulpverlener beschikbaar. Kan iemand van jullie helpen?\nGevraagd door juf.anna.",
			Buttons: []message.Button{{Label: "Ik pak dit op", Action: message.ActionPickup, RequestID: "req000000001", Primary: true,
				Until: time.Date(2026, 12, 31, 9, 41, 0, 0, time.UTC)}},
			Key: "de-vaart/req000000001/escalated/3/mattermost:#kernteam", RequestID: "req000000001",
		}},
		{"odd-actions", message.Message{
			To:       bot.Recipient{Address: bot.Address{Platform: Platform, Handle: "anne"}},
			SchoolID: "de-vaart",
			Text:     "Hoe ging het?",
			Buttons: []message.Button{
				{Label: "👍", Action: "pulse:up", RequestID: "req000000001"},
				{Label: "👎", Action: "pulse:down", RequestID: "req000000001"},
				{Label: "?", Action: "pulse:up", RequestID: "req000000001"},
				{Label: "!", Action: "💥", RequestID: "req000000001"},
			},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rb := testButtons
			if tc.m.To.Channel != "" {
				rb.For = ForChannel("channelid00000000000000000")
			}
			golden(t, "post-"+tc.name, RenderPost(tc.m, "channelid00000000000000000", rb))
		})
	}
}

func TestRenderCommandResponse(t *testing.T) {
	golden(t, "command-offered", RenderCommandResponse(handlers.Reply{
		Text: "Je hulpvraag voor groep 5 is doorgezet naar Anne (jeugdhulpverlener).\nJe krijgt bericht zodra er iemand komt. Toch niet nodig? Typ /hulp annuleer.",
	}, testButtons))
	golden(t, "command-usage", RenderCommandResponse(handlers.Reply{
		Text: "Zo gebruik je /hulp:\n• /hulp groep 5 [toelichting]: vraag hulp voor een groep\n• /hulp succes <verhaal>: deel een succes",
	}, testButtons))
	golden(t, "command-buttons", RenderCommandResponse(handlers.Reply{Text: "Kies:", Buttons: offerButtons(2)}, testButtons))
}

func TestRenderClickResponse(t *testing.T) {
	golden(t, "click-accepted", RenderClickResponse(handlers.ClickReply{
		Update: &message.Message{Text: "✅ Anne komt eraan (groep 5) — 10:42", RequestID: "req000000001"},
	}, testButtons))
	golden(t, "click-declined", RenderClickResponse(handlers.ClickReply{
		Update: &message.Message{Text: "Je hebt de hulpvraag voor groep 5 doorgegeven.", RequestID: "req000000001"},
	}, testButtons))
	golden(t, "click-stale", RenderClickResponse(handlers.ClickReply{
		Ephemeral: "Deze knop hoort bij een eerdere vraag: de hulpvraag is inmiddels verder gegaan.",
	}, testButtons))
	golden(t, "click-update-with-buttons", RenderClickResponse(handlers.ClickReply{
		Update: &message.Message{Text: "Nog een vraag:", Buttons: offerButtons(3)},
	}, testButtons))
}
