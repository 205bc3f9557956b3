package mmbot

import (
	"strings"
	"testing"

	"github.com/hulpbot/hulpbot/bot"
)

// TestConsultOverHTTP: a calm question asked by slash command reaches the
// CJG coach as a direct message with the answers as signed buttons, no
// offer clock; Mattermost's click on "Deze week" answers it, for the
// coach only, and the teacher hears the answer with "Afgerond" to close it.
func TestConsultOverHTTP(t *testing.T) {
	s := newStack(t)
	r := s.command("juf.anna", "meedenken groep 5 hoe betrek ik een stil kind bij de kring?")
	if !strings.Contains(r.Text, "meedenkvraag over groep 5 is naar Bram") {
		t.Fatalf("answer = %q; want it sent to Bram, the CJG coach", r.Text)
	}
	q := s.offerPost("bram")
	var names []string
	for _, a := range actions(q) {
		names = append(names, a.Id+"="+a.Name)
	}
	if got, want := strings.Join(names, " "), "consulttoday=Vandaag consultweek=Deze week consultcall=Bel me even"; got != want {
		t.Fatalf("buttons = %s; want %s", got, want)
	}
	if strings.Contains(q.Message, "Reageer vóór") {
		t.Errorf("the consult has an offer clock: %q", q.Message)
	}
	id, _ := requestOf(t, q)

	// Anne may not answer Bram's question: the button is signed for him.
	if other := s.click("anne", q, "consultweek", ""); other.Update != nil {
		t.Errorf("anne's click = %+v; want refused", other)
	}
	resp := s.click("bram", q, "consultweek", "")
	if resp.Update == nil || !strings.Contains(resp.Update.Message, "Je antwoord: deze week") {
		t.Fatalf("click answer = %+v; want the question replaced by the answer", resp)
	}
	if got := s.request("de-vaart", id); got.State != bot.StateAnswered || got.Answer != bot.AnswerThisWeek {
		t.Errorf("consult = %s %s; want answered this week", got.State, got.Answer)
	}
	answer := s.offerPost("juf.anna")
	if !strings.Contains(answer.Message, "Bram denkt deze week met je mee over groep 5") {
		t.Errorf("the teacher's message = %q", answer.Message)
	}
	if done := s.click("juf.anna", answer, "consultdone", ""); done.Update == nil || !strings.Contains(done.Update.Message, "afgerond") {
		t.Errorf("Afgerond = %+v", done)
	}
	if got := s.request("de-vaart", id); got.State != bot.StateResolved {
		t.Errorf("consult after Afgerond: %s; want resolved", got.State)
	}
}
