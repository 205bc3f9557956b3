package mmbot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
)

// TestHeldRequestOverHTTP: a held request's buttons are on the slash
// command's ephemeral answer, which Mattermost never stores: "Verstuur
// zonder toelichting" is answered through the command's response URL (an
// update would fail the click on the real server), Anne gets the offer
// without the note, and a second press says it went already. Annuleer on
// a second one sends nothing.
func TestHeldRequestOverHTTP(t *testing.T) {
	s := newStack(t)
	r := s.command("juf.anna", "groep 5 Daan slaat")
	if !strings.Contains(r.Text, "nog niet verstuurd") {
		t.Fatalf("answer = %q; want it held", r.Text)
	}
	held := replyPost(r, "chan5a")
	if got := strings.Join(mmLabels(held), "|"); got != "Verstuur zonder toelichting|Verstuur toch|Annuleer" {
		t.Fatalf("buttons = %s", got)
	}
	if n := len(s.mm.allPosts()); n != 0 {
		t.Fatalf("%d posts before the teacher chose", n)
	}
	text, next := s.tapReply("juf.anna", held, actions(held)[0].Id, payloadTeamID)
	if !strings.Contains(text, "Verstuurd zonder toelichting.") || next == nil || len(actions(next)) != 0 {
		t.Fatalf("after Verstuur zonder toelichting: %q, %+v", text, next)
	}
	offer := s.offerPost("anne")
	if strings.Contains(offer.Message, "Daan") || !strings.Contains(offer.Message, "groep 5") {
		t.Errorf("Anne's offer = %q; want group 5 without the note", offer.Message)
	}
	if again, _ := s.tapReply("juf.anna", held, actions(held)[1].Id, payloadTeamID); !strings.Contains(again, "Al verstuurd") {
		t.Errorf("the old buttons pressed again: %q", again)
	}

	posts := len(s.mm.allPosts())
	r = s.command("juf.anna", "groep 4 Daan slaat")
	held = replyPost(r, "chan5a")
	if text, _ := s.tapReply("juf.anna", held, actions(held)[2].Id, payloadTeamID); !strings.Contains(text, "geannuleerd") {
		t.Errorf("Annuleer = %q", text)
	}
	if n := len(s.mm.allPosts()); n != posts {
		t.Errorf("Annuleer posted %d messages", n-posts)
	}
}

// TestReplyURLUsedUp: a response URL takes 5 posts and lives 30 minutes;
// when it refuses, the answer's text comes as the click's ephemeral_text.
func TestReplyURLUsedUp(t *testing.T) {
	s := newStack(t)
	r := s.command("juf.anna", "groep 5 Daan slaat")
	held := replyPost(r, "chan5a")
	id, _ := actions(held)[0].Integration.Context[ctxReply].(string)
	if !model.IsValidId(id) {
		t.Fatalf("the buttons carry no response URL id: %v", actions(held)[0].Integration.Context)
	}
	s.mm.mu.Lock()
	for range 5 {
		s.mm.replies = append(s.mm.replies, hookReply{ID: id})
	}
	s.mm.mu.Unlock()
	text, next := s.tapReply("juf.anna", held, actions(held)[0].Id, payloadTeamID)
	if next != nil || !strings.Contains(text, "Verstuurd zonder toelichting.") {
		t.Errorf("with the response URL used up: %q, %+v; want the text as ephemeral_text", text, next)
	}
}

// TestFreshDMStaleMemberships: Mattermost may answer 403 to the first post
// in a direct channel just opened (its cache of the bot's memberships
// missed it, see Sender.refresh); the bot renews that cache and the offer
// goes out, once.
func TestFreshDMStaleMemberships(t *testing.T) {
	s := newStack(t)
	s.mm.mu.Lock()
	s.mm.staleDMs = true
	s.mm.mu.Unlock()
	s.command("juf.anna", "groep 5")
	offer := s.offerPost("anne")
	id, _ := requestOf(t, offer)
	if r := s.request("de-vaart", id); r.State != bot.StateOffered || r.HelperID != "anne" {
		t.Errorf("request %s to %q", r.State, r.HelperID)
	}
	if n := s.mm.count("PUT /api/v4/channels/" + s.mm.dmOf("anne") + "/members/" + s.mm.botID + "/notify_props"); n != 1 {
		t.Errorf("memberships renewed %d times; want once", n)
	}
	if n := len(s.mm.postsTo(s.mm.dmOf("anne"))); n != 1 {
		t.Errorf("%d posts to Anne; want the offer once", n)
	}
}

// TestContextReply: the response URL's id is signed with the rest; a
// context without it is the one made before it existed.
func TestContextReply(t *testing.T) {
	s := NewSigner([]byte(testSecret))
	ref := ButtonRef{SchoolID: "de-vaart", Action: "held-cancel", RequestID: "abcdefghijk2", For: ForUser("useranne000000000000000000"), Expires: testExpiry, Reply: "3nnxmc5gfp8698pqsmnahwhijh"}
	c := s.Context(ref)
	b, _ := json.Marshal(c)
	var back map[string]any
	_ = json.Unmarshal(b, &back)
	if got, err := s.Verify(back); err != nil || got != ref {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	for name, change := range map[string]func(map[string]any){
		"removed":  func(c map[string]any) { delete(c, ctxReply) },
		"replaced": func(c map[string]any) { c[ctxReply] = "aaaaaaaaaaaaaaaaaaaaaaaaaa" },
		"empty":    func(c map[string]any) { c[ctxReply] = "" },
		"number":   func(c map[string]any) { c[ctxReply] = 1.0 },
	} {
		bad := map[string]any{}
		for k, v := range back {
			bad[k] = v
		}
		change(bad)
		if _, err := s.Verify(bad); err == nil {
			t.Errorf("%s: a context with its reply id %s verified", name, name)
		}
	}
	if _, err := s.Verify(func() map[string]any {
		c := s.Context(ButtonRef{SchoolID: "x", Action: "accept", For: ForUser("u"), Expires: testExpiry})
		c[ctxReply] = "3nnxmc5gfp8698pqsmnahwhijh"
		return c
	}()); err == nil {
		t.Error("a reply id added to a context signed without one verified")
	}
}

func TestReplyID(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8065/hooks/commands/3nnxmc5gfp8698pqsmnahwhijh":       "3nnxmc5gfp8698pqsmnahwhijh",
		"https://chat.example.nl/mm/hooks/commands/3nnxmc5gfp8698pqsmnahwhijh":  "3nnxmc5gfp8698pqsmnahwhijh",
		"http://127.0.0.1:8065/hooks/commands/short":                            "",
		"http://127.0.0.1:8065/hooks/incoming/3nnxmc5gfp8698pqsmnahwhijh":       "",
		"http://127.0.0.1:8065/hooks/commands/3nnxmc5gfp8698pqsmnahwhijh/extra": "",
		"":   "",
		"::": "",
	} {
		if got := replyID(in); got != want {
			t.Errorf("replyID(%q) = %q, want %q", in, got, want)
		}
	}
}
