package mmbot

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
)

// TestClosingOverHTTP: on Mattermost the reply to "/hulp klaar" carries the
// kinds of support as signed buttons; the reply is ephemeral, so a tap is
// answered through the command's response URL with a new ephemeral post
// that asks the outcome; the same tap again (the old message) counts
// nothing, a tap by someone else is refused by the signature's person, and
// the outcome is counted.
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
	reply := replyPost(r, s.mm.dmOf("anne"))
	names := mmLabels(reply)
	if len(names) != 8 || names[0] != "Kort gesprek" || names[7] != "Overslaan" {
		t.Fatalf("buttons = %q", names)
	}
	if other := s.click("bram", reply, actions(reply)[1].Id, ""); other.Update != nil || other.EphemeralText == "" {
		t.Errorf("Bram pressed Anne's button: %+v", other)
	}
	text, outcome := s.tapReply("anne", reply, actions(reply)[1].Id, "")
	if outcome == nil || !strings.Contains(text, "Even naar buiten / wandeling. En hoe ging het verder?") || len(actions(outcome)) == 0 {
		t.Fatalf("after the tap: %q, next post %+v", text, outcome)
	}
	before := s.snapshot()
	if again, _ := s.tapReply("anne", reply, actions(reply)[0].Id, ""); !strings.Contains(again, "al genoteerd") {
		t.Errorf("the old message tapped again: %q", again)
	}
	if after := s.snapshot(); after != before {
		t.Errorf("a second tap changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if done, _ := s.tapReply("anne", outcome, actions(outcome)[0].Id, ""); !strings.Contains(done, "Kon in de groep blijven") {
		t.Errorf("after the outcome: %q", done)
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

// mmLabels are the names of p's buttons.
func mmLabels(p *model.Post) []string {
	var names []string
	for _, a := range actions(p) {
		names = append(names, a.Name)
	}
	return names
}
