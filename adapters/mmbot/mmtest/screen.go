package mmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Screen is what a person's webapp is told over the WebSocket, for the
// posts the REST API cannot give back: ephemeral ones (a slash command's
// answer, a click's ephemeral_text), which Mattermost never stores and
// sends only as "ephemeral_message" events, with an encrypted cookie on
// each button instead of a stored action.
type Screen struct {
	ws *model.WebSocketClient

	mu   sync.Mutex
	eph  []*model.Post // ephemeral posts, in order of arrival; an edit replaces its post
	errs []string
}

// Watch opens c's WebSocket (c must be logged in) and records what it
// gets until the test ends.
func Watch(t testing.TB, url string, c *model.Client4) *Screen {
	t.Helper()
	ws, err := model.NewWebSocketClient4(strings.Replace(url, "http", "ws", 1), c.AuthToken)
	if err != nil {
		t.Fatalf("mmtest: WebSocket: %v", err)
	}
	s := &Screen{ws: ws}
	ws.Listen()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ws.EventChannel {
			s.event(ev)
		}
	}()
	t.Cleanup(func() {
		ws.Close()
		<-done
	})
	return s
}

func (s *Screen) event(ev *model.WebSocketEvent) {
	switch ev.EventType() {
	case model.WebsocketEventEphemeralMessage, model.WebsocketEventPostEdited:
	default:
		return
	}
	raw, _ := ev.GetData()["post"].(string) // a JSON string inside the JSON event
	var p model.Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		s.mu.Lock()
		s.errs = append(s.errs, fmt.Sprintf("%s: %v", ev.EventType(), err))
		s.mu.Unlock()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ev.EventType() == model.WebsocketEventEphemeralMessage {
		s.eph = append(s.eph, &p)
		return
	}
	// The webapp applies an edit to the post it shows with that id,
	// ephemeral or not.
	for i, old := range s.eph {
		if old.Id == p.Id {
			s.eph[i] = &p
		}
	}
}

// Ephemerals is every ephemeral post seen so far, oldest first, each as
// last edited.
func (s *Screen) Ephemerals() []*model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*model.Post, len(s.eph))
	copy(out, s.eph)
	return out
}

// Ephemeral returns the newest ephemeral post ok accepts, waiting up to
// 15 s for it.
func (s *Screen) Ephemeral(t testing.TB, what string, ok func(*model.Post) bool) *model.Post {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		all := s.Ephemerals()
		for i := len(all) - 1; i >= 0; i-- {
			if ok(all[i]) {
				return all[i]
			}
		}
		if time.Now().After(deadline) {
			var seen []string
			for _, p := range all {
				seen = append(seen, p.Message)
			}
			s.mu.Lock()
			errs := s.errs
			s.mu.Unlock()
			t.Fatalf("mmtest: no ephemeral post within 15s: %s; seen %q (decode errors %q)", what, seen, errs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Action is the button labelled name on p, or nil.
func Action(p *model.Post, name string) *model.PostAction {
	for _, a := range p.Attachments() {
		for _, act := range a.Actions {
			if act != nil && act.Name == name {
				return act
			}
		}
	}
	return nil
}

// Labels are the names of p's buttons, in order.
func Labels(p *model.Post) []string {
	var out []string
	for _, a := range p.Attachments() {
		for _, act := range a.Actions {
			if act != nil {
				out = append(out, act.Name)
			}
		}
	}
	return out
}

// Press presses the button labelled name on p as the webapp does: with
// the button's cookie when it has one (an ephemeral post, which Mattermost
// cannot look up), else by post and action id alone.
func Press(ctx context.Context, c *model.Client4, p *model.Post, name string) error {
	a := Action(p, name)
	if a == nil {
		return fmt.Errorf("no button %q on the post (buttons: %q)", name, Labels(p))
	}
	_, err := c.DoPostActionWithCookie(ctx, p.Id, a.Id, "", a.Cookie)
	return err
}
