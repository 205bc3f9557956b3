package mmbot

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
)

// TestGroupQuestionClick: "/hulp Groep 5b" at a school with a 5 but no 5b
// answers "Bedoel je groep 5?" with the group as a signed button; the
// click, as Mattermost posts it, asks for help as if typed, only for the
// teacher who typed.
func TestGroupQuestionClick(t *testing.T) {
	s := newStack(t)
	r := s.command("juf.anna", "Groep 5b")
	if r.Text != "Bedoel je groep 5?" {
		t.Fatalf("answer = %q; want the question", r.Text)
	}
	p := replyPost(r, "chan5a")
	acts := actions(p)
	if len(acts) != 1 || acts[0].Name != "Ja, groep 5" {
		t.Fatalf("buttons %+v; want one: Ja, groep 5", acts)
	}
	// Another person cannot press it.
	other := s.click("kees", p, acts[0].Id, "")
	if other.Update != nil || other.EphemeralText == "" {
		t.Errorf("someone else's click = %+v; want refused", other)
	}
	if text, _ := s.tapReply("juf.anna", p, acts[0].Id, ""); !strings.Contains(text, "Je hulpvraag voor groep 5 is doorgezet naar Anne") {
		t.Fatalf("click answer = %q; want where the request went", text)
	}
	id, _ := requestOf(t, p)
	got := s.request("de-vaart", id)
	if got.Group != "5" || got.Requester.Handle != "juf.anna" || got.State != bot.StateOffered {
		t.Errorf("request = %+v; want group 5 asked by juf.anna, offered", got)
	}
}

// TestWithdrawnTakesPickupOff: a request in the fallback channel that its
// teacher withdraws has its post there updated in place, as Mattermost
// does it: the text says so and "Ik pak dit op" is gone. No second post.
func TestWithdrawnTakesPickupOff(t *testing.T) {
	s := newStack(t)
	kern := s.mm.addChannel(payloadTeamID, "kernteam", true, true)
	s.command("juf.anna", "groep 5")
	s.click("anne", s.offerPost("anne"), "decline", "")
	s.click("bram", s.offerPost("bram"), "decline", "")
	posts := s.mm.postsTo(kern)
	if len(posts) != 1 || len(actions(posts[0])) != 1 {
		t.Fatalf("kernteam posts = %v; want the escalated request with its button", posts)
	}
	if r := s.command("juf.anna", "annuleer"); !strings.Contains(r.Text, "ingetrokken") {
		t.Fatalf("annuleer answer = %q", r.Text)
	}
	if n := len(s.mm.postsTo(kern)); n != 1 {
		t.Errorf("kernteam has %d posts; want the one, updated", n)
	}
	var found bool
	for _, p := range s.mm.patchList() {
		if p.PostID != posts[0].Id {
			continue
		}
		found = true
		if p.Message == nil || !strings.Contains(*p.Message, "ingetrokken") {
			t.Errorf("patch of the channel post = %+v; want the text that it is withdrawn", p)
		}
		if p.Props == nil || p.Props[model.PostPropsAttachments] != nil {
			t.Errorf("patch props = %v; want set and without buttons", p.Props)
		}
	}
	if !found {
		t.Errorf("the channel post was not patched: %+v", s.mm.patchList())
	}
}
