package slackbot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
)

// TestSocketMode: the same story over Socket Mode: a command envelope is
// acknowledged with the answer, a click envelope at once, its answer goes
// to the response_url; a repeated envelope changes nothing; the client
// stops when its context ends.
func TestSocketMode(t *testing.T) {
	s := newStack(t, func(c *stackConfig) { c.SigningSecret = "" })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.adapter.RunSocketMode(ctx, "xapp-1-test") }()
	s.fake.WaitSocket(t, 5*time.Second)

	cmd := slackfake.Command{TeamID: team, ChannelID: "C0GROEP5A1", UserID: marieID, UserName: "juf.marie", Text: "groep 5",
		TriggerID: "socket-trigger-1", ResponseURL: s.fake.ResponseURL("socket-cmd")}
	ack, took := s.fake.Envelope(t, "slash_commands", cmd.JSON(), 3*time.Second)
	if took > time.Second {
		t.Errorf("the command was acknowledged after %s", took)
	}
	var ans answer
	if err := json.Unmarshal(ack, &ans); err != nil || ans.ResponseType != "ephemeral" || !strings.Contains(ans.Text, "doorgezet naar Anne") {
		t.Fatalf("ack payload = %s (%v), want the ephemeral answer", ack, err)
	}
	// Slack retries an envelope it thinks was not acknowledged.
	again, _ := s.fake.Envelope(t, "slash_commands", cmd.JSON(), 3*time.Second)
	if string(again) != string(ack) {
		t.Errorf("the retried envelope got %s, want the same answer %s", again, ack)
	}

	m := s.offer(anneID, 1)
	b := slackfake.Buttons(t, m)[0]
	id := requestOf(t, b)
	click := slackfake.Click{TeamID: team, UserID: anneID, UserName: "anne", ChannelID: m.Channel, MessageTS: "1.1",
		ResponseURL: s.fake.ResponseURL("socket-click"), TriggerID: "socket-click-1", ActionTS: "1.2", Button: b}
	var payload map[string]any
	if err := json.Unmarshal(click.Payload(), &payload); err != nil {
		t.Fatal(err)
	}
	if _, took := s.fake.Envelope(t, "interactive", payload, 3*time.Second); took > time.Second {
		t.Errorf("the click was acknowledged after %s", took)
	}
	s.fake.Wait(t, "the clicked message replaced", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("socket-click")) == 1 })
	if r := s.request(id); r.State != bot.StateAccepted {
		t.Errorf("request is %s, want accepted", r.State)
	}
	if n := len(s.requestKeys()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Socket Mode did not stop within 10s of its context ending")
	}
}
