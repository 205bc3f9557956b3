package slackbot

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, as indented JSON, with testdata/golden/name.golden.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s: got\n%s\nwant\n%s", path, buf.Bytes(), want)
	}
}

var (
	toAnne    = bot.Recipient{Address: bot.Address{Platform: Platform, Handle: anneID}}
	toMarie   = bot.Recipient{Address: bot.Address{Platform: Platform, Handle: marieID}}
	toChannel = bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: "kernteam"}
)

// TestRenderGolden: every kind of Block Kit message hulpbot sends on Slack,
// as Slack receives it. The texts are fixed here, so the goldens show
// rendering only; TestRenderNotices covers the catalogue's texts.
// offerMessage is the offer to a helper as the core renders it.
func offerMessage() message.Message {
	return message.Message{To: toAnne, Key: "k", RequestID: "req000000001",
		Text: "Kun je even helpen? Hulpvraag voor groep 5, 10:41.\nGevraagd door Marie.\nToelichting: onrust na gym\nReageer vóór 10:43, anders gaat de vraag naar de volgende.",
		Buttons: []message.Button{
			{Label: "Ik kom eraan", Action: message.ActionAccept, RequestID: "req000000001", OfferNo: 1, Primary: true},
			{Label: "Kan nu niet", Action: message.ActionDecline, RequestID: "req000000001", OfferNo: 1},
		}}
}

func TestRenderGolden(t *testing.T) {
	offer := offerMessage()
	escalated := message.Message{To: toChannel, RequestID: "req000000001",
		Text:    "📣 Hulpvraag voor groep 5, 10:41: er is nu geen hulpverlener beschikbaar. Kan iemand van jullie helpen?\nGevraagd door Marie.\nToelichting: onrust na gym",
		Buttons: []message.Button{{Label: "Ik pak dit op", Action: "pickup", RequestID: "req000000001", Primary: true}}}
	messages := []struct {
		name string
		m    message.Message
	}{
		{"message-offer", offer},
		{"message-escalated", escalated},
		{"message-accepted", message.Message{To: toMarie, Text: "✅ Anne komt eraan voor groep 5."}},
		{"message-nobody", message.Message{To: toMarie, Text: "Er is nu niemand beschikbaar voor je hulpvraag voor groep 5. Ik heb het kernteam-kanaal ingeseind."}},
		{"message-escaped", message.Message{To: toChannel,
			Text: "📣 Hulpvraag voor groep 5\nToelichting: <!channel> kom allemaal & <@U0BRAM0001> <https://evil.example|klik> *vet* _schuin_"}},
		{"message-title-with-markup", message.Message{To: toMarie, Text: "Weekoverzicht *week 48*\n3 hulpvragen"}},
		{"message-long", message.Message{To: toChannel, Text: "Weekoverzicht\n" + strings.Repeat("Een regel van het overzicht met <tekens> & meer.\n", 150)}},
	}
	for _, tc := range messages {
		t.Run(tc.name, func(t *testing.T) {
			p, err := MessagePayload(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			checkLimits(t, p)
			golden(t, tc.name, p)
		})
	}
	replies := []struct {
		name string
		r    handlers.Reply
	}{
		{"reply-request", handlers.Reply{Text: "Je hulpvraag voor groep 5 is doorgezet naar Anne (jeugdhulpverlener).\nJe hoort het zodra iemand eraan komt."}},
		{"reply-unlinked", handlers.Reply{Text: "Dit team is niet aan een school gekoppeld. Vraag de beheerder van hulpbot om het in te stellen."}},
		{"reply-buttons", handlers.Reply{Text: "Je hebt een hulpvraag openstaan voor groep 5.", Buttons: offer.Buttons}},
	}
	for _, tc := range replies {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CommandPayload(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			checkLimits(t, p)
			golden(t, tc.name, p)
		})
	}
	clicks := []struct {
		name string
		r    handlers.ClickReply
	}{
		{"click-accepted", handlers.ClickReply{Update: &message.Message{Text: "✅ Anne komt eraan (groep 5) — 10:42", RequestID: "req000000001"}}},
		{"click-declined", handlers.ClickReply{Update: &message.Message{Text: "Je hebt de hulpvraag voor groep 5 doorgegeven.", RequestID: "req000000001"}}},
		{"click-refused", handlers.ClickReply{Ephemeral: "Deze hulpvraag is al aangenomen."}},
	}
	for _, tc := range clicks {
		t.Run(tc.name, func(t *testing.T) {
			upd, eph, err := ClickPayloads(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []*Payload{upd, eph} {
				if p != nil {
					checkLimits(t, *p)
				}
			}
			golden(t, tc.name, map[string]*Payload{"update": upd, "ephemeral": eph})
		})
	}
}

// checkLimits holds a payload to Block Kit's limits and to the escaping
// rule: no raw "<" reaches Slack.
func checkLimits(t *testing.T, p Payload) {
	t.Helper()
	if len(p.Blocks) > maxBlocks {
		t.Errorf("%d blocks, Slack takes %d", len(p.Blocks), maxBlocks)
	}
	if n := utf8.RuneCountInString(p.Text); n > maxFallback+10*maxFallback/4 {
		t.Errorf("top-level text of %d characters", n)
	}
	if strings.ContainsAny(p.Text, "<>") {
		t.Errorf("unescaped text %q", p.Text)
	}
	b, err := json.Marshal(p.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Type, Text string
			Verbatim   bool
		} `json:"text"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Text     struct{ Text string }
		} `json:"elements"`
	}
	if err := json.Unmarshal(b, &blocks); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, bl := range blocks {
		if bl.Text != nil {
			if n := utf8.RuneCountInString(bl.Text.Text); n > maxSectionText || n == 0 {
				t.Errorf("section text of %d characters", n)
			}
			if strings.ContainsAny(bl.Text.Text, "<>") {
				t.Errorf("unescaped section text %q", bl.Text.Text)
			}
			// mrkdwn is verbatim and formats nothing but a bold title;
			// what would format goes as plain_text.
			switch inner := strings.TrimSuffix(strings.TrimPrefix(bl.Text.Text, "*"), "*"); bl.Text.Type {
			case "mrkdwn":
				if !bl.Text.Verbatim || formats(inner) {
					t.Errorf("mrkdwn section %q: verbatim %v, formats %v", bl.Text.Text, bl.Text.Verbatim, formats(inner))
				}
			case "plain_text":
			default:
				t.Errorf("section %q of type %q", bl.Text.Text, bl.Text.Type)
			}
		}
		for _, e := range bl.Elements {
			if ids[e.ActionID] {
				t.Errorf("action_id %q twice in one message", e.ActionID)
			}
			ids[e.ActionID] = true
			if utf8.RuneCountInString(e.Text.Text) > maxButtonLabel || len(e.Value) > 2000 || len(e.ActionID) > 255 {
				t.Errorf("button %+v over Slack's limits", e)
			}
			if _, _, _, err := decodeButton(e.ActionID, e.Value); err != nil {
				t.Errorf("button %+v does not decode: %v", e, err)
			}
		}
	}
}

// TestRenderNotices: every notice the core sends, put in words by the
// handlers in both languages, renders within Slack's limits, with buttons
// that decode to what they were made from.
func TestRenderNotices(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		cfg, err := config.Load("testdata/hulpbot.yaml", func(k string) string { return map[string]string{"SIGNING_SECRET": secret}[k] })
		if err != nil {
			t.Fatal(err)
		}
		cfg.Language = lang
		dir, err := cfg.Directory()
		if err != nil {
			t.Fatal(err)
		}
		sc, _ := dir.School("de-vaart")
		created := time.Date(2026, 11, 26, 10, 41, 0, 0, sc.Location)
		r := bot.Request{ID: "req000000001", SchoolID: sc.ID, Group: "5", Note: "onrust na gym <!channel>", Requester: toMarie.Address,
			RequesterName: "juf.marie", State: bot.StateOffered, HelperID: "anne", OfferNo: 1, CreatedAt: created, Deadline: created.Add(2 * time.Minute)}
		anne := bot.HelperRef{ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener}
		for _, n := range []bot.Notice{
			{Kind: bot.NoticeOffer, To: toAnne, Request: r, Helper: anne},
			{Kind: bot.NoticeAccepted, To: toMarie, Request: r, Helper: anne},
			{Kind: bot.NoticeMovedOn, To: toMarie, Request: r, Helper: anne},
			{Kind: bot.NoticeOfferLapsed, To: toAnne, Request: r, Helper: anne},
			{Kind: bot.NoticeEscalated, To: toChannel, Request: r},
			{Kind: bot.NoticeNobody, To: toMarie, Request: r},
			{Kind: bot.NoticeCancelled, To: toAnne, Request: r, Helper: anne},
			{Kind: bot.NoticeCancelled, To: toChannel, Request: r},
			{Kind: bot.NoticeResolved, To: toMarie, Request: r, Helper: anne},
			{Kind: bot.NoticeFollowUp, To: toMarie, Request: r, Helper: anne},
		} {
			n.SchoolID = sc.ID
			m := catalog.Render(n, sc)
			p, err := MessagePayload(m)
			if err != nil {
				t.Errorf("%s %s: %v", lang, n.Kind, err)
				continue
			}
			t.Run(lang+"/"+string(n.Kind), func(t *testing.T) {
				checkLimits(t, p)
				if strings.Contains(m.Text, "<!channel>") && !strings.Contains(p.Text, "&lt;!channel&gt;") {
					t.Errorf("the note was not escaped: %s", p.Text)
				}
				for i, b := range m.Buttons {
					id, v, err := encodeButton(i, b)
					if err != nil {
						t.Fatal(err)
					}
					a, req, offer, err := decodeButton(id, v)
					if err != nil || a != b.Action || req != b.RequestID || offer != b.OfferNo {
						t.Errorf("button %+v decodes to %s %s %d %v", b, a, req, offer, err)
					}
				}
			})
		}
	}
}

// TestRenderRefuses: a button hulpbot cannot encode is an error, not a
// button that would decode to something else.
func TestRenderRefuses(t *testing.T) {
	for _, b := range []message.Button{
		{Label: "x", Action: "accept:evil", RequestID: "req1", OfferNo: 1},
		{Label: "x", Action: "accept", RequestID: "req:1", OfferNo: 1},
		{Label: "x", Action: "accept", RequestID: "", OfferNo: 1},
		{Label: "x", Action: "accept", RequestID: "req1", OfferNo: -1},
		{Label: "x", Action: "", RequestID: "req1", OfferNo: 1},
	} {
		if _, err := MessagePayload(message.Message{Text: "x", Buttons: []message.Button{b}}); !errors.Is(err, ErrRender) {
			t.Errorf("button %+v: err = %v, want ErrRender", b, err)
		}
	}
}

// TestChunks: long text is split at line ends into sections Slack takes,
// and nothing is lost.
func TestChunks(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		max  int
	}{
		{"short", "a\nb", 10},
		{"lines", "aaaa\nbbbb\ncccc", 9},
		{"long line", strings.Repeat("x", 25), 10},
		{"escapes count", strings.Repeat("<&>", 10), 10},
		{"multibyte", strings.Repeat("é✅", 20), 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := chunks(tc.text, tc.max)
			var joined []string
			for _, c := range cs {
				if n := utf8.RuneCountInString(escape(c)); n > tc.max {
					t.Errorf("chunk %q is %d escaped characters, max %d", c, n, tc.max)
				}
				joined = append(joined, c)
			}
			strip := func(s string) string { return strings.NewReplacer("\n", "", " ", "").Replace(s) }
			if strip(strings.Join(joined, "")) != strip(tc.text) {
				t.Errorf("chunks %q lose text of %q", cs, tc.text)
			}
		})
	}
}

// BenchmarkMessagePayload renders an offer as Slack gets it: text, Block
// Kit blocks and the buttons' values.
func BenchmarkMessagePayload(b *testing.B) {
	offer := offerMessage()
	for b.Loop() {
		p, err := MessagePayload(offer)
		if err != nil || len(p.Blocks) == 0 {
			b.Fatalf("MessagePayload = %d blocks, %v", len(p.Blocks), err)
		}
	}
}

// TestTextShownAsWritten: what people type shows in Slack as they typed
// it. Where Slack's mrkdwn would format it (*bold*, _italic_, ~struck~,
// `code`, a > at the start of a line), the section goes as plain_text;
// &, < and > are escaped either way; other text stays mrkdwn.
func TestTextShownAsWritten(t *testing.T) {
	tests := []struct {
		name, text string
		wantType   string
		wantText   string
	}{
		{"plain words", "onrust na gym", "mrkdwn", "onrust na gym"},
		{"bold", "Toelichting: *heel* boos", "plain_text", "Toelichting: *heel* boos"},
		{"italic", "Toelichting: _even_ kijken", "plain_text", "Toelichting: _even_ kijken"},
		{"strike-through", "Toelichting: ~niet~ wel", "plain_text", "Toelichting: ~niet~ wel"},
		{"code", "Toelichting: `rm -rf`", "plain_text", "Toelichting: `rm -rf`"},
		{"quote at the start of a line", "Hulpvraag\nregel een\n> geciteerd", "plain_text", "regel een\n&gt; geciteerd"},
		{"quote after spaces", "  > geciteerd", "plain_text", "&gt; geciteerd"},
		{"> inside a line", "groep 5 > groep 4", "mrkdwn", "groep 5 &gt; groep 4"},
		{"mentions and links", "<!channel> & <@U0BRAM0001> <https://evil.example|klik>", "mrkdwn",
			"&lt;!channel&gt; &amp; &lt;@U0BRAM0001&gt; &lt;https://evil.example|klik&gt;"},
		{"mentions with formatting", "<!here> *nu*", "plain_text", "&lt;!here&gt; *nu*"},
		{"emoji", "😀👍🏽 hulp", "mrkdwn", "😀👍🏽 hulp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := MessagePayload(message.Message{Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			checkLimits(t, p)
			obj := p.Blocks[len(p.Blocks)-1].(*slack.SectionBlock).Text // after a title, if any
			if obj.Type != tt.wantType || obj.Text != tt.wantText {
				t.Errorf("section %s %q; want %s %q", obj.Type, obj.Text, tt.wantType, tt.wantText)
			}
		})
	}
}
