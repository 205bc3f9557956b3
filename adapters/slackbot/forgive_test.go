package slackbot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
)

// TestGroupQuestionClick: "/hulp groep 2" at a school with 1-2 answers
// "Bedoel je groep 1-2?" with the group as a button; Slack's signed click
// on it asks for help as if typed, and a second click asks nothing again.
func TestGroupQuestionClick(t *testing.T) {
	s := newStack(t)
	a, _ := s.command(marieID, "juf.marie", "groep 2")
	if !strings.Contains(a.Text, "Bedoel je groep 1-2?") {
		t.Fatalf("answer = %q; want the question", a.Text)
	}
	var b slackfake.Button
	for _, raw := range a.Blocks {
		var blk struct {
			Type     string             `json:"type"`
			Elements []slackfake.Button `json:"elements"`
		}
		if err := json.Unmarshal(raw, &blk); err != nil {
			t.Fatal(err)
		}
		if blk.Type == "actions" && len(blk.Elements) == 1 {
			b = blk.Elements[0]
		}
	}
	if b.Text.Text != "Ja, groep 1-2" {
		t.Fatalf("answer blocks %s; want one button Ja, groep 1-2", a.Blocks)
	}
	if len(s.requestKeys()) != 0 {
		t.Fatalf("the question made a request: %v", s.requestKeys())
	}
	id := requestOf(t, b)
	m := slackfake.Call{Channel: "C0GROEP5A1", TS: "1764150000.000100"}
	s.click(marieID, "juf.marie", m, b, "ask-1")
	s.fake.Wait(t, "the click's answer", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("ask-1")) == 1 })
	if got := s.fake.Responses("ask-1")[0].Text; !strings.Contains(got, "Je hulpvraag voor groep 1-2") {
		t.Errorf("click answer = %q; want where the request went", got)
	}
	r := s.request(id)
	if r.Group != "1-2" || r.Requester != (bot.Address{Platform: Platform, Handle: marieID}) {
		t.Errorf("request = %+v; want group 1-2 asked by Marie", r)
	}
	s.click(marieID, "juf.marie", m, b, "ask-2")
	s.fake.Wait(t, "the second click's answer", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("ask-2")) == 1 })
	if n := len(s.requestKeys()); n != 1 {
		t.Errorf("two clicks made %d requests; want 1", n)
	}
}
