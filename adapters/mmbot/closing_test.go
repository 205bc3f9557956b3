package mmbot

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
)

// TestClosingOverHTTP: on Mattermost the reply to "/hulp klaar" carries the
// kinds of support as signed buttons; a tap rewrites it to ask the outcome,
// the same tap again (the old message) counts nothing, a tap by someone
// else is refused by the signature's person, and the outcome is counted.
func TestClosingOverHTTP(t *testing.T) {
	s := newStack(t, func(_ *Options, su *stackSetup) { su.closing = true })
	s.command("juf.anna", "groep 5")
	offer := s.offerPost("anne")
	reqID, _ := requestOf(t, offer)
	s.click("anne", offer, "accept", "")
	r := s.command("anne", "klaar")
	if !strings.Contains(r.Text, "Wat voor hulp heb je gegeven?") {
		t.Fatalf("klaar answer = %q", r.Text)
	}
	// The reply is ephemeral: Mattermost shows it as a post of its own.
	reply := &model.Post{Id: "ephemeralpost0000000000001", ChannelId: s.mm.dmOf("anne")}
	reply.AddProp(model.PostPropsAttachments, r.Attachments)
	var names []string
	for _, a := range actions(reply) {
		names = append(names, a.Name)
	}
	if len(names) != 8 || names[0] != "Kort gesprek" || names[7] != "Overslaan" {
		t.Fatalf("buttons = %q", names)
	}
	tap := func(user string, p *model.Post, i int) *model.PostActionIntegrationResponse {
		t.Helper()
		a := actions(p)[i]
		return s.clickWith(clickReq{user: user, userID: s.mm.idOf(user), post: p.Id, channel: p.ChannelId, context: a.Integration.Context})
	}
	if other := tap("bram", reply, 1); other.Update != nil || other.EphemeralText == "" {
		t.Errorf("Bram pressed Anne's button: %+v", other)
	}
	first := tap("anne", reply, 1)
	if first.Update == nil || !strings.Contains(first.Update.Message, "Even naar buiten / wandeling. En hoe ging het verder?") {
		t.Fatalf("after the tap: %+v", first)
	}
	before := s.snapshot()
	if again := tap("anne", reply, 0); again.Update != nil || !strings.Contains(again.EphemeralText, "al genoteerd") {
		t.Errorf("the old message tapped again: %+v", again)
	}
	if after := s.snapshot(); after != before {
		t.Errorf("a second tap changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	outcome := &model.Post{Id: reply.Id, ChannelId: reply.ChannelId, Props: first.Update.Props}
	if done := tap("anne", outcome, 0); done.Update == nil || !strings.Contains(done.Update.Message, "Kon in de groep blijven") {
		t.Errorf("after the outcome: %+v", done)
	}
	rec := s.request("de-vaart", reqID)
	if rec.State != bot.StateResolved {
		t.Errorf("request %s", rec.State)
	}
	y, err := s.store.YearFigures(t.Context(), "de-vaart", bot.SchoolYearOf(rec.CreatedAt.In(s.dir.Schools()[0].Location)))
	if err != nil {
		t.Fatal(err)
	}
	var support, outcomes map[string]int
	for _, m := range y.Months {
		if len(m.Support) > 0 {
			support, outcomes = m.Support, m.Outcome
		}
	}
	if len(support) != 1 || support["wandeling"] != 1 || len(outcomes) != 1 || outcomes["in_groep"] != 1 {
		t.Errorf("counted support %v, outcome %v", support, outcomes)
	}
}
