package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
)

// TestSlackHeldNote plays a held note on Slack against the real hulpbot
// server, with signed requests: the answer to /hulp carries the three
// buttons and nobody is told anything; "Verstuur zonder toelichting" (a
// signed click) sends Anne the offer without the name; a second press
// hears "Al verstuurd".
func TestSlackHeldNote(t *testing.T) {
	s := startSlack(t)
	s.n++
	status, body, _ := s.post("/slack/command", slackfake.Command{TeamID: "T0DEVAART1", ChannelID: "C0GROEP5A1", UserID: "U0MARIE001", UserName: "juf.marie",
		Text: "groep 5 Daan slaat", TriggerID: fmt.Sprintf("e2e-trigger-%d", s.n), ResponseURL: s.fake.ResponseURL("cmd-held")}.Form())
	if status != http.StatusOK {
		t.Fatalf("/hulp = %d %s", status, body)
	}
	var ans slackfake.Response
	if err := json.Unmarshal(body, &ans); err != nil || ans.ResponseType != "ephemeral" || !strings.Contains(ans.Text, "nog niet verstuurd") {
		t.Fatalf("answer %s (%v)", body, err)
	}
	blocks, _ := json.Marshal(ans.Blocks)
	answer := slackfake.Call{Method: "response", Form: url.Values{"blocks": {string(blocks)}}, Channel: "C0GROEP5A1"}
	bs := slackfake.Buttons(t, answer)
	if len(bs) != 3 || bs[0].Text.Text != "Verstuur zonder toelichting" || bs[1].Text.Text != "Verstuur toch" || bs[2].Text.Text != "Annuleer" {
		t.Fatalf("buttons %+v", bs)
	}
	// Nothing is queued for anyone, so nothing can be on its way.
	if n, err := s.rdb.HLen(context.Background(), s.prefix+":{de-vaart}:outbox:msg").Result(); n != 0 || err != nil {
		t.Fatalf("%d messages queued before Marie chose (%v)", n, err)
	}
	if got := s.fake.Posted("D0ANNE0001"); len(got) != 0 {
		t.Fatalf("Anne was told before Marie chose: %v", got)
	}
	if r := s.request(answer); r.State != bot.StateHeld || r.Note != "Daan slaat" {
		t.Errorf("in Redis: %s %q, want held with its note", r.State, r.Note)
	}

	s.press("U0MARIE001", "juf.marie", answer, 0, "marie-without")
	if upd := s.response("marie-without"); !strings.Contains(upd.Text, "Verstuurd zonder toelichting") {
		t.Errorf("Marie's answer became %+v", upd)
	}
	offer := s.posts("D0ANNE0001", 1)[0]
	if txt := slackfake.BlockText(t, offer); !strings.Contains(txt, "Hulpvraag voor groep 5") || strings.Contains(txt, "Daan") || strings.Contains(txt, "Toelichting") {
		t.Errorf("Anne's DM: %q", txt)
	}
	if r := s.request(offer); r.State != bot.StateOffered || r.Note != "" {
		t.Errorf("in Redis: %s %q, want offered without a note", r.State, r.Note)
	}

	s.press("U0MARIE001", "juf.marie", answer, 1, "marie-again")
	if upd := s.response("marie-again"); !strings.Contains(upd.Text, "Al verstuurd") {
		t.Errorf("a second press became %+v", upd)
	}
	if got := s.posts("D0ANNE0001", 1); len(got) != 1 {
		t.Errorf("Anne got %d messages, want the one offer", len(got))
	}
}

// TestSlackHeldConsult plays a held meedenken question on Slack against
// the real hulpbot server: the answer carries Verstuur toch and Annuleer,
// Bram (the CJG coach) hears nothing; Annuleer drops it for good; a second
// held question sent anyway reaches Bram once, and a second press hears
// "Al verstuurd". The holds are counted in the week.
func TestSlackHeldConsult(t *testing.T) {
	s := startSlack(t)
	held := func(text string) slackfake.Call {
		t.Helper()
		got, answer := s.hulpAnswer("U0MARIE001", "juf.marie", text)
		if !strings.Contains(got, "meedenkvraag is nog niet verstuurd") {
			t.Fatalf("answer %q; want it held", got)
		}
		bs := slackfake.Buttons(t, answer)
		if len(bs) != 2 || bs[0].Text.Text != "Verstuur toch" || bs[1].Text.Text != "Annuleer" {
			t.Fatalf("buttons %+v", bs)
		}
		return answer
	}
	answer := held("meedenken groep 5 Daan is steeds zo stil")
	s.press("U0MARIE001", "juf.marie", answer, 1, "marie-drop")
	if upd := s.response("marie-drop"); !strings.Contains(upd.Text, "Niet verstuurd") {
		t.Errorf("Annuleer became %+v", upd)
	}
	s.press("U0MARIE001", "juf.marie", answer, 0, "marie-late")
	if upd := s.response("marie-late"); !strings.Contains(upd.Text, "Al geannuleerd") {
		t.Errorf("Verstuur toch after Annuleer became %+v", upd)
	}
	if got := s.fake.Posted("D0BRAM0001"); len(got) != 0 {
		t.Fatalf("Bram got a dropped question: %v", got)
	}

	answer = held("meedenken groep 5 een jongen met ADHD loopt steeds weg")
	s.press("U0MARIE001", "juf.marie", answer, 0, "marie-send")
	if upd := s.response("marie-send"); !strings.Contains(upd.Text, "meedenkvraag over groep 5 is naar Bram") {
		t.Errorf("Verstuur toch became %+v", upd)
	}
	q := s.posts("D0BRAM0001", 1)[0]
	if txt := slackfake.BlockText(t, q); !strings.Contains(txt, "een jongen met ADHD loopt steeds weg") {
		t.Errorf("Bram's DM: %q", txt)
	}
	s.press("U0MARIE001", "juf.marie", answer, 0, "marie-again")
	if upd := s.response("marie-again"); !strings.Contains(upd.Text, "Al verstuurd") {
		t.Errorf("a second press became %+v", upd)
	}
	s.settled()
	if got := s.fake.Posted("D0BRAM0001"); len(got) != 1 {
		t.Errorf("Bram got %d messages, want the one question", len(got))
	}
	ctx := context.Background()
	weeks := s.rdb.Keys(ctx, s.prefix+":{de-vaart}:week:*").Val()
	if len(weeks) != 1 {
		t.Fatalf("week counters %v", weeks)
	}
	c := s.rdb.HGetAll(ctx, weeks[0]).Val()
	if c["held_consult"] != "2" || c["held_consult_sent"] != "1" || c["held_consult_cancelled"] != "1" || c["consults"] != "1" {
		t.Errorf("week counters %v; want two held, one sent, one cancelled, one consult", c)
	}
}
