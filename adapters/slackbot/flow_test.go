package slackbot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
)

// TestStory plays the story of one request (docs/architecture.md) on Slack through the adapter's endpoints:
// request, DM with buttons, accept, message replaced, teacher told, a
// second click refused; then a decline to the next helper and to the
// fallback channel.
func TestStory(t *testing.T) {
	s := newStack(t)
	ans, _ := s.command(marieID, "juf.marie", "groep 5 onrust na gym <!channel>")
	if ans.ResponseType != "ephemeral" || !strings.Contains(ans.Text, "doorgezet naar Anne") {
		t.Fatalf("answer = %+v", ans)
	}
	m := s.offer(anneID, 1)
	text := slackfake.BlockText(t, m)
	for _, want := range []string{"*Kun je even helpen? Hulpvraag voor groep 5", "Toelichting: onrust na gym &lt;!channel&gt;"} {
		if !strings.Contains(text, want) {
			t.Errorf("the DM lacks %q: %s", want, text)
		}
	}
	if strings.Contains(m.Form.Get("blocks"), "<!channel>") || strings.Contains(m.Form.Get("text"), "<!channel>") {
		t.Errorf("the note reached Slack unescaped: %s", m.Form)
	}
	bs := slackfake.Buttons(t, m)
	if len(bs) != 2 || bs[0].Text.Text != "Ik kom eraan" || bs[1].Text.Text != "Kan nu niet" || bs[0].Style != "primary" {
		t.Fatalf("buttons = %+v, want Ik kom eraan / Kan nu niet", bs)
	}
	id := requestOf(t, bs[0])

	// Anne comes: her message is replaced for everyone, Marie is told.
	s.click(anneID, "anne", m, bs[0], "anne-1")
	s.fake.Wait(t, "Anne's message replaced and Marie told", 5*time.Second, func([]slackfake.Call) bool {
		return len(s.fake.Responses("anne-1")) == 1 && len(s.fake.Posted("D0MARIE001")) == 1
	})
	upd := s.fake.Responses("anne-1")[0]
	if upd.ReplaceOriginal == nil || !*upd.ReplaceOriginal || !strings.Contains(upd.Text, "Anne komt eraan") {
		t.Errorf("update = %+v, want the original replaced with Anne komt eraan", upd)
	}
	for _, b := range upd.Blocks {
		if strings.Contains(string(b), `"actions"`) {
			t.Errorf("the replaced message still has buttons: %s", b)
		}
	}
	if got := s.fake.Posted("D0MARIE001")[0].Form.Get("text"); !strings.Contains(got, "Anne komt eraan voor groep 5") {
		t.Errorf("Marie got %q", got)
	}
	if r := s.request(id); r.State != bot.StateAccepted || r.HelperID != "anne" {
		t.Errorf("request is %s with %q, want accepted by anne", r.State, r.HelperID)
	}

	// A second press (a new interaction) changes nothing and says why.
	s.click(anneID, "anne", m, bs[0], "anne-2")
	s.fake.Wait(t, "the second click answered", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("anne-2")) == 1 })
	if r := s.fake.Responses("anne-2")[0]; r.ResponseType != "ephemeral" || r.ReplaceOriginal == nil || *r.ReplaceOriginal {
		t.Errorf("second click answer = %+v, want ephemeral, replacing nothing", r)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(s.fake.Posted("D0MARIE001")); n != 1 {
		t.Errorf("Marie got %d messages, want 1", n)
	}

	// Anne is busy now: the next request goes to Bram, who declines; with
	// nobody left the fallback channel gets it and Marie is told.
	s.command(marieID, "juf.marie", "groep 3")
	mb := s.offer(bramID, 1)
	bb := slackfake.Buttons(t, mb)
	id2 := requestOf(t, bb[1])
	s.click(bramID, "bram", mb, bb[1], "bram-1")
	s.fake.Wait(t, "the fallback channel and Marie told", 5*time.Second, func([]slackfake.Call) bool {
		return len(s.fake.Posted("C0KERNTEAM")) == 1 && len(s.fake.Posted("D0MARIE001")) == 2 && len(s.fake.Responses("bram-1")) == 1
	})
	if got := s.fake.Posted("C0KERNTEAM")[0]; !strings.Contains(slackfake.BlockText(t, got), "Hulpvraag voor groep 3") || slackfake.Buttons(t, got)[0].Value != "hb1:pickup:"+id2+":0" {
		t.Errorf("the fallback channel got %s", got.Form)
	}
	if got := s.fake.Posted("D0MARIE001")[1].Form.Get("text"); !strings.Contains(got, "niemand beschikbaar") {
		t.Errorf("Marie got %q, want that nobody is available", got)
	}
	if r := s.request(id2); r.State != bot.StateEscalated {
		t.Errorf("second request is %s, want escalated", r.State)
	}
	if n := len(s.fake.Calls("conversations.list")); n != 1 {
		t.Errorf("conversations.list called %d times, want 1", n)
	}
}

// TestDeclineToNextHelper: Anne declines, Bram is offered, Marie hears it;
// Anne's old button is stale now and Bram cannot press Anne's.
func TestDeclineToNextHelper(t *testing.T) {
	s := newStack(t)
	s.command(marieID, "juf.marie", "groep 5")
	m := s.offer(anneID, 1)
	bs := slackfake.Buttons(t, m)
	id := requestOf(t, bs[0])

	// Bram presses Anne's button (a forwarded message, say): refused.
	s.click(bramID, "bram", m, bs[0], "bram-on-anne")
	s.fake.Wait(t, "Bram refused", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("bram-on-anne")) == 1 })
	if r := s.fake.Responses("bram-on-anne")[0]; r.ResponseType != "ephemeral" {
		t.Errorf("Bram's click answer = %+v, want ephemeral", r)
	}
	if r := s.request(id); r.State != bot.StateOffered || r.HelperID != "anne" {
		t.Fatalf("after Bram's click the request is %s with %q", r.State, r.HelperID)
	}

	s.click(anneID, "anne", m, bs[1], "anne-decline")
	mb := s.offer(bramID, 1)
	s.fake.Wait(t, "Anne's message replaced, Marie told", 5*time.Second, func([]slackfake.Call) bool {
		return len(s.fake.Responses("anne-decline")) == 1 && len(s.fake.Posted("D0MARIE001")) == 1
	})
	if r := s.fake.Responses("anne-decline")[0]; r.ReplaceOriginal == nil || !*r.ReplaceOriginal || !strings.Contains(r.Text, "doorgegeven") {
		t.Errorf("Anne's message became %+v", r)
	}
	if got := s.fake.Posted("D0MARIE001")[0].Form.Get("text"); !strings.Contains(got, "Bram") {
		t.Errorf("Marie got %q, want the request went to Bram", got)
	}
	if r := s.request(id); r.State != bot.StateOffered || r.HelperID != "bram" || r.OfferNo != 2 {
		t.Errorf("request is %s with %q, offer %d; want offered to bram, offer 2", r.State, r.HelperID, r.OfferNo)
	}

	// Anne's accept from the first offer is stale now.
	s.click(anneID, "anne", m, bs[0], "anne-stale")
	s.fake.Wait(t, "the stale button answered", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("anne-stale")) == 1 })
	if r := s.fake.Responses("anne-stale")[0]; r.ResponseType != "ephemeral" || r.ReplaceOriginal == nil || *r.ReplaceOriginal {
		t.Errorf("stale click answer = %+v", r)
	}
	if r := s.request(id); r.HelperID != "bram" || r.State != bot.StateOffered {
		t.Errorf("a stale click changed the request: %s %q", r.State, r.HelperID)
	}
	if bb := slackfake.Buttons(t, mb); bb[0].Value != "hb1:accept:"+id+":2" {
		t.Errorf("Bram's button = %q", bb[0].Value)
	}
}

// TestOfferLapses: an offer nobody answers in time moves on to the next
// helper, and the first helper's offer message says so, without buttons:
// one message, updated, not a second DM.
func TestOfferLapses(t *testing.T) {
	s := newStack(t)
	s.command(marieID, "juf.marie", "groep 5")
	m := s.offer(anneID, 1)
	id := requestOf(t, slackfake.Buttons(t, m)[0])
	// The offer's delivery done with (the sender remembers the message
	// before it returns; the outbox then records it): only then can it
	// lapse, as a deadline minutes later would find it.
	offerKey := "n/" + id + "/offer/1/helper"
	for deadline := time.Now().Add(5 * time.Second); s.rdb.HExists(context.Background(), s.prefix+":{"+s.school.ID+"}:outbox:msg", offerKey).Val(); {
		if time.Now().After(deadline) {
			t.Fatalf("the offer's delivery was not recorded within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r := s.request(id)
	if _, err := s.svc.Timeout(context.Background(), r.Deadline.Add(time.Second), s.school, id, 1); err != nil {
		t.Fatalf("timeout: %v", err)
	}
	s.offer(bramID, 1)
	s.fake.Wait(t, "Anne's offer updated", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Calls("chat.update")) == 1 })
	time.Sleep(100 * time.Millisecond)
	if n := len(s.fake.Posted("D0ANNE0001")); n != 1 {
		t.Errorf("Anne got %d DMs, want only the offer", n)
	}
	msgs := s.fake.Messages("D0ANNE0001")
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "doorgegeven") || strings.Contains(string(msgs[0].Blocks), `"actions"`) {
		t.Errorf("Anne's DM holds %+v, want her offer saying it lapsed, without buttons", msgs)
	}
	if got := s.request(id); got.State != bot.StateOffered || got.HelperID != "bram" {
		t.Errorf("request is %s with %q, want offered to bram", got.State, got.HelperID)
	}
}

// TestRetriedCommand: Slack delivering one slash command again (a retry,
// or twice at once) gives the same answer and one request, one DM. The
// store's idempotency does it: the adapter keeps no record of a request
// for help.
func TestRetriedCommand(t *testing.T) {
	s := newStack(t)
	c := slackfake.Command{TeamID: team, ChannelID: "C0GROEP5A1", UserID: marieID, UserName: "juf.marie", Text: "groep 5",
		TriggerID: "13345224609.738474920.retried", ResponseURL: s.fake.ResponseURL("cmd")}
	first := s.commandWith(c, nil)
	h := http.Header{}
	body := []byte(c.Form().Encode())
	slackfake.Sign(h, secret, time.Now(), body)
	h.Set("X-Slack-Retry-Num", "1")
	h.Set("X-Slack-Retry-Reason", "http_timeout")
	again := s.commandWith(c, h)
	if again.Text != first.Text || first.Text == "" {
		t.Errorf("the retry answered %q, the first %q; want the same", again.Text, first.Text)
	}
	if !strings.Contains(first.Text, "doorgezet naar Anne") {
		t.Errorf("the first answer is %q, want passed on to Anne", first.Text)
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			status, ans, _ := s.post("/slack/command", body, nil)
			var p answer
			if status != http.StatusOK || json.Unmarshal(ans, &p) != nil || p.Text != first.Text {
				t.Errorf("double delivery = %d %s, want 200 and the first answer", status, ans)
			}
		})
	}
	wg.Wait()
	s.offer(anneID, 1)
	time.Sleep(200 * time.Millisecond)
	if n := len(s.requestKeys()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if n := len(s.fake.Posted("D0ANNE0001")); n != 1 {
		t.Errorf("Anne got %d DMs, want 1", n)
	}
	for _, k := range s.keys() {
		if strings.Contains(k, ":slack:cmd:") {
			t.Errorf("the adapter kept a record of a request for help: %s", k)
		}
	}
	if !strings.Contains(s.logs.String(), "request repeated") {
		t.Errorf("no log line for the repeat")
	}
}

// TestRetriedChange: a command that changes something each time it runs
// ("annuleer" withdraws the latest request) runs once however often Slack
// delivers it; the repeats get the first answer.
func TestRetriedChange(t *testing.T) {
	s := newStack(t)
	s.command(marieID, "juf.marie", "groep 5")
	s.command(marieID, "juf.marie", "groep 3")
	c := slackfake.Command{TeamID: team, ChannelID: "C0GROEP5A1", UserID: marieID, UserName: "juf.marie", Text: "annuleer",
		TriggerID: "13345224609.738474920.cancel", ResponseURL: s.fake.ResponseURL("cmd")}
	first := s.commandWith(c, nil)
	if !strings.Contains(first.Text, "ingetrokken") {
		t.Fatalf("answer = %q, want the request withdrawn", first.Text)
	}
	h := http.Header{}
	body := []byte(c.Form().Encode())
	slackfake.Sign(h, secret, time.Now(), body)
	h.Set("X-Slack-Retry-Num", "1")
	if again := s.commandWith(c, h); again.Text != first.Text {
		t.Errorf("the retry answered %q, the first %q; want the same", again.Text, first.Text)
	}
	active := 0
	for _, k := range s.requestKeys() {
		r := s.request(k[strings.LastIndex(k, ":")+1:])
		if r.State == bot.StateOffered || r.State == bot.StateEscalated {
			active++
		}
	}
	if active != 1 {
		t.Errorf("%d requests still active, want 1: one withdrawal, not two", active)
	}
}

// TestCommandRoundTrips counts the adapter's own Redis round trips for a
// slash command and its messages (the store's and the outbox's are theirs,
// counted where they live): none for a request for help, also when Slack
// delivers it again; its post in the fallback channel costs one, as an
// offer with buttons does (see TestSendRoundTrips): where it went, so a
// withdrawal can take its button off; a command that changes something
// each time costs the repeat check and the stored answer.
func TestCommandRoundTrips(t *testing.T) {
	s := newStack(t, func(c *stackConfig) { c.ownRedis = true })
	// A connection of the adapter's open.
	s.command(marieID, "juf.marie", "groep 5")
	s.offer(anneID, 1)
	s.command(anneID, "anne", "bezet")
	s.offer(bramID, 1) // the offer moved on, and its DM is out
	trips := redistest.Count(s.ardb)
	settle := func() []string {
		time.Sleep(200 * time.Millisecond) // anything the delivery still does shows
		got := trips.Trips()
		trips.Reset()
		return got
	}
	settle()

	c := slackfake.Command{TeamID: team, ChannelID: "C0GROEP5A1", UserID: marieID, UserName: "juf.marie", Text: "groep 3",
		TriggerID: "13345224609.738474920.counted", ResponseURL: s.fake.ResponseURL("cmd")}
	first := s.commandWith(c, nil)
	s.fake.Wait(t, "the post in the fallback channel", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Posted("C0KERNTEAM")) == 1 })
	if got := settle(); len(got) != 1 || got[0] != "multi hset expire exec" {
		t.Errorf("a request for help and its post: the adapter's round trips %q, want 1 (where the post went)", got)
	}
	if again := s.commandWith(c, nil); again.Text != first.Text {
		t.Errorf("the repeat answered %q, want %q", again.Text, first.Text)
	}
	if got := settle(); len(got) != 0 {
		t.Errorf("a repeated request for help: the adapter's round trips %q, want none", got)
	}
	s.command(anneID, "anne", "beschikbaar")
	if got := settle(); len(got) != 2 || got[0] != "set" || got[1] != "set" {
		t.Errorf("a status change: the adapter's round trips %q, want 2 (repeat check, stored answer)", got)
	}
}

// TestDoubleClick: the same click delivered twice, and two clicks at once,
// accept once and tell the teacher once.
func TestDoubleClick(t *testing.T) {
	s := newStack(t)
	s.command(marieID, "juf.marie", "groep 5")
	m := s.offer(anneID, 1)
	b := slackfake.Buttons(t, m)[0]
	c := slackfake.Click{TeamID: team, UserID: anneID, UserName: "anne", ChannelID: m.Channel, MessageTS: "1.1",
		ResponseURL: s.fake.ResponseURL("same"), TriggerID: "same-trigger", ActionTS: "1.2", Button: b}
	body := []byte(c.Form().Encode())
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			h := http.Header{}
			slackfake.Sign(h, secret, time.Now(), body)
			if i > 0 {
				h.Set("X-Slack-Retry-Num", "1")
			}
			if status, ans, _ := s.post("/slack/interactivity", body, h); status != http.StatusOK {
				t.Errorf("click = %d %s", status, ans)
			}
		})
	}
	wg.Wait()
	// And two different interactions at the same moment.
	for i := range 2 {
		twin := c
		twin.TriggerID, twin.ResponseURL = "twin-trigger-"+itoa(i), s.fake.ResponseURL("twin-"+itoa(i))
		tb := []byte(twin.Form().Encode())
		wg.Go(func() {
			if status, ans, _ := s.post("/slack/interactivity", tb, nil); status != http.StatusOK {
				t.Errorf("click = %d %s", status, ans)
			}
		})
	}
	wg.Wait()
	s.fake.Wait(t, "the clicks answered", 5*time.Second, func([]slackfake.Call) bool {
		return len(s.fake.Responses("same")) == 1 && len(s.fake.Responses("twin-0")) == 1 && len(s.fake.Responses("twin-1")) == 1
	})
	time.Sleep(200 * time.Millisecond)
	if n := len(s.fake.Responses("same")); n != 1 {
		t.Errorf("one interaction delivered 6 times was answered %d times", n)
	}
	if n := len(s.fake.Posted("D0MARIE001")); n != 1 {
		t.Errorf("Marie got %d messages, want 1", n)
	}
	for _, id := range []string{"twin-0", "twin-1"} {
		if r := s.fake.Responses(id)[0]; r.ResponseType != "ephemeral" {
			t.Errorf("%s after the accept = %+v, want a note that it is taken", id, r)
		}
	}
}
