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

// TestWithdrawnTakesPickupOff: a request in the fallback channel that its
// teacher withdraws has its post there updated (chat.update), without "Ik
// pak dit op" and saying it was withdrawn; no second post.
func TestWithdrawnTakesPickupOff(t *testing.T) {
	s := newStack(t)
	s.command(marieID, "juf.marie", "groep 5")
	m := s.offer(anneID, 1)
	s.click(anneID, "anne", m, slackfake.Buttons(t, m)[1], "anne-decline")
	mb := s.offer(bramID, 1)
	s.click(bramID, "bram", mb, slackfake.Buttons(t, mb)[1], "bram-decline")
	s.fake.Wait(t, "the post in the fallback channel", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Posted("C0KERNTEAM")) == 1 })
	post := s.fake.Posted("C0KERNTEAM")[0]
	if bs := slackfake.Buttons(t, post); len(bs) != 1 {
		t.Fatalf("fallback post buttons %+v; want Ik pak dit op", bs)
	}
	before := len(s.fake.Calls("chat.update"))
	s.command(marieID, "juf.marie", "annuleer")
	var upd slackfake.Call
	s.fake.Wait(t, "the fallback post updated", 5*time.Second, func(cs []slackfake.Call) bool {
		ups := s.fake.Calls("chat.update")
		if len(ups) > before {
			upd = ups[len(ups)-1]
			return true
		}
		return false
	})
	if upd.Form.Get("ts") != post.TS || upd.Form.Get("channel") != post.Channel {
		t.Errorf("updated %s/%s; want the fallback post %s/%s", upd.Form.Get("channel"), upd.Form.Get("ts"), post.Channel, post.TS)
	}
	if got := upd.Form.Get("text"); !strings.Contains(got, "ingetrokken") {
		t.Errorf("updated text %q; want that it is withdrawn", got)
	}
	if strings.Contains(upd.Form.Get("blocks"), `"actions"`) {
		t.Errorf("updated post still has buttons: %s", upd.Form.Get("blocks"))
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(s.fake.Posted("C0KERNTEAM")); n != 1 {
		t.Errorf("%d posts in the fallback channel; want the one, updated", n)
	}
}
