package slackbot

import (
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
)

// TestConsultOverSlack: a calm question by signed slash command reaches
// the CJG coach as a DM with the answers as buttons and no offer clock;
// Slack's signed click on "Bel me even" answers it — once — and the teacher
// hears the answer, with "Afgerond" to close it.
func TestConsultOverSlack(t *testing.T) {
	s := newStack(t)
	ans, _ := s.command(marieID, "juf.marie", "overleg groep 5 zorgen over de sfeer na de pauze")
	if !strings.Contains(ans.Text, "meedenkvraag over groep 5 is naar Bram") {
		t.Fatalf("answer = %+v; want it sent to Bram", ans)
	}
	m := s.offer(bramID, 1)
	if text := slackfake.BlockText(t, m); !strings.Contains(text, "Wil je meedenken?") || strings.Contains(text, "Reageer vóór") {
		t.Errorf("the DM reads %s; want a question without a clock", text)
	}
	bs := slackfake.Buttons(t, m)
	if len(bs) != 3 || bs[0].Text.Text != "Vandaag" || bs[1].Text.Text != "Deze week" || bs[2].Text.Text != "Bel me even" {
		t.Fatalf("buttons = %+v; want Vandaag / Deze week / Bel me even", bs)
	}
	id := requestOf(t, bs[2])
	s.click(bramID, "bram", m, bs[2], "bram-1")
	s.fake.Wait(t, "Bram's message replaced and Marie told", 5*time.Second, func([]slackfake.Call) bool {
		return len(s.fake.Responses("bram-1")) == 1 && len(s.fake.Posted("D0MARIE001")) == 1
	})
	if upd := s.fake.Responses("bram-1")[0]; upd.ReplaceOriginal == nil || !*upd.ReplaceOriginal || !strings.Contains(upd.Text, "Je antwoord: bel me even") {
		t.Errorf("update = %+v; want the question replaced by the answer", upd)
	}
	teacher := s.fake.Posted("D0MARIE001")[0]
	if got := teacher.Form.Get("text"); !strings.Contains(got, "Bram vraagt je even te bellen over groep 5") {
		t.Errorf("Marie got %q", got)
	}
	if r := s.request(id); r.State != bot.StateAnswered || r.Answer != bot.AnswerCall {
		t.Errorf("consult = %s %s; want answered: call me", r.State, r.Answer)
	}
	// Pressed again: told so, nothing changes, Marie hears nothing more.
	s.click(bramID, "bram", m, bs[0], "bram-2")
	s.fake.Wait(t, "the second click answered", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("bram-2")) == 1 })
	if r := s.fake.Responses("bram-2")[0]; r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "al beantwoord") {
		t.Errorf("second click answer = %+v", r)
	}
	done := slackfake.Buttons(t, teacher)
	if len(done) != 1 || done[0].Text.Text != "Afgerond" {
		t.Fatalf("the teacher's buttons = %+v; want Afgerond", done)
	}
	s.click(marieID, "juf.marie", teacher, done[0], "marie-1")
	s.fake.Wait(t, "Afgerond answered", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("marie-1")) == 1 })
	if r := s.request(id); r.State != bot.StateResolved {
		t.Errorf("consult after Afgerond: %s; want resolved", r.State)
	}
	if n := len(s.fake.Posted("D0MARIE001")); n != 1 {
		t.Errorf("Marie got %d messages; want 1", n)
	}
}
