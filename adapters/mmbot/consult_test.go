package mmbot

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

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

// TestHeldConsultOverHTTP: a question that seems to name a child is held:
// the slash command's answer carries Verstuur toch and Annuleer as signed
// buttons for the teacher only, and the coach hears nothing. Annuleer, as
// Mattermost posts it, drops it; a second held question sent anyway
// reaches the coach, once.
func TestHeldConsultOverHTTP(t *testing.T) {
	s := newStack(t)
	held := func(text string) *model.Post {
		t.Helper()
		r := s.command("juf.anna", text)
		if !strings.Contains(r.Text, "meedenkvraag is nog niet verstuurd") {
			t.Fatalf("answer = %q; want it held", r.Text)
		}
		p := replyPost(r, "chan5a")
		var names []string
		for _, a := range actions(p) {
			names = append(names, a.Id+"="+a.Name)
		}
		if got, want := strings.Join(names, " "), "consultsend=Verstuur toch consultdrop=Annuleer"; got != want {
			t.Fatalf("buttons = %s; want %s", got, want)
		}
		return p
	}
	p := held("meedenken groep 5 Daan is steeds zo stil")
	if other := s.click("kees", p, "consultsend", ""); other.Update != nil {
		t.Errorf("someone else's click = %+v; want refused", other)
	}
	if text, _ := s.tapReply("juf.anna", p, "consultdrop", ""); !strings.Contains(text, "Niet verstuurd") {
		t.Fatalf("Annuleer = %q", text)
	}
	if text, _ := s.tapReply("juf.anna", p, "consultsend", ""); !strings.Contains(text, "Al geannuleerd") {
		t.Errorf("Verstuur toch after Annuleer = %q", text)
	}
	if posts := s.mm.allPosts(); len(posts) != 0 {
		t.Fatalf("a dropped question was posted: %v", posts)
	}

	p = held("meedenken groep 5 een jongen met ADHD loopt steeds weg")
	if text, _ := s.tapReply("juf.anna", p, "consultsend", ""); !strings.Contains(text, "meedenkvraag over groep 5 is naar Bram") {
		t.Fatalf("Verstuur toch = %q", text)
	}
	q := s.offerPost("bram")
	if !strings.Contains(q.Message, "een jongen met ADHD loopt steeds weg") {
		t.Errorf("Bram's question reads %q", q.Message)
	}
	if text, _ := s.tapReply("juf.anna", p, "consultsend", ""); !strings.Contains(text, "Al verstuurd") {
		t.Errorf("a second Verstuur toch = %q; want how it stands", text)
	}
	if n := len(s.mm.allPosts()); n != 1 {
		t.Errorf("%d posts; want the one question to Bram", n)
	}
}
