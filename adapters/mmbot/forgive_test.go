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
	p := &model.Post{Id: "ephemeralpost00000000000", ChannelId: "chan5a"}
	p.AddProp(model.PostPropsAttachments, r.Attachments)
	acts := actions(p)
	if len(acts) != 1 || acts[0].Name != "Ja, groep 5" {
		t.Fatalf("buttons %+v; want one: Ja, groep 5", acts)
	}
	// Another person cannot press it.
	other := s.click("kees", p, acts[0].Id, "")
	if other.Update != nil || other.EphemeralText == "" {
		t.Errorf("someone else's click = %+v; want refused", other)
	}
	resp := s.click("juf.anna", p, acts[0].Id, "")
	if resp.Update == nil || !strings.Contains(resp.Update.Message, "Je hulpvraag voor groep 5 is doorgezet naar Anne") {
		t.Fatalf("click answer = %+v; want the question replaced by where the request went", resp)
	}
	id, _ := requestOf(t, p)
	got := s.request("de-vaart", id)
	if got.Group != "5" || got.Requester.Handle != "juf.anna" || got.State != bot.StateOffered {
		t.Errorf("request = %+v; want group 5 asked by juf.anna, offered", got)
	}
}
