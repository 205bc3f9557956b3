package handlers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

// fakeConsults records the consult use cases the handler calls.
type fakeConsults struct {
	calls []string
	err   error
}

func (f *fakeConsults) Consult(_ context.Context, _ time.Time, _ *bot.School, in bot.HelpRequest) (bot.Request, error) {
	f.calls = append(f.calls, "Consult "+in.Group+": "+in.Note)
	return bot.Request{ID: "c1", Kind: bot.KindConsult, Group: in.Group, HelperID: "anne", State: bot.StateAsked}, f.err
}

func (f *fakeConsults) AnswerConsult(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, id string, a bot.ConsultAnswer, moment string) (bot.Request, error) {
	f.calls = append(f.calls, fmt.Sprintf("Answer %s %q %s %q", by.Handle, id, a, moment))
	return bot.Request{ID: "c1", RequesterName: "Marie"}, f.err
}

func (f *fakeConsults) CloseConsult(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, id string) (bot.Request, error) {
	f.calls = append(f.calls, "Close "+by.Handle+" "+id)
	return bot.Request{ID: id}, f.err
}

var _ ConsultUseCases = (*fakeConsults)(nil)

func consultHandler(t testing.TB, c ConsultUseCases) *Handler {
	now := testNow(t)
	return New(&fakeService{}, func() time.Time { return now }, nil, WithConsults(c))
}

func TestConsultCommand(t *testing.T) {
	tests := []struct {
		name  string
		lang  string
		from  bot.Actor
		text  string
		err   error
		calls []string
		reply string
	}{
		{name: "asked", from: teacher, text: "meedenken groep 5 hoe help ik een stil kind mee te doen?",
			calls: []string{"Consult 5: hoe help ik een stil kind mee te doen?"},
			reply: "🤔 Je meedenkvraag over groep 5 is naar Anne (jeugdhulpverlener). Geen haast: je hoort het als er antwoord is."},
		{name: "asked in English", lang: catalog.LangEN, from: teacher, text: "consult group 5 how do I include a quiet child?",
			calls: []string{"Consult 5: how do I include a quiet child?"},
			reply: "🤔 Your consultation question about group 5 has gone to Anne (youth care worker). No hurry: you'll hear when there's an answer."},
		{name: "a name is refused", from: teacher, text: "overleg groep 5 Daan is steeds zo stil",
			reply: "Je vraag lijkt een naam of iets medisch te bevatten. Stel hem zonder namen; de rest bespreek je samen."},
		{name: "no question", from: teacher, text: "meedenken groep 5",
			reply: "Zet je vraag erbij: /hulp meedenken groep 5 <vraag>. Zonder namen."},
		{name: "nobody takes consults", from: teacher, text: "meedenken groep 5 sfeer", err: bot.ErrNoConsultHelper,
			calls: []string{"Consult 5: sfeer"}, reply: "Bij Kindcentrum De Vaart is niemand ingesteld om mee te denken. Vraag het de IB'er."},
		{name: "moment", from: anne, text: "moment do 14:00", calls: []string{`Answer anne "" moment "do 14:00"`},
			reply: "✅ Je antwoord: do 14:00. Marie krijgt bericht."},
		{name: "moment without a consult", from: anne, text: "moment morgen 9:00", err: bot.ErrNoActiveRequest,
			calls: []string{`Answer anne "" moment "morgen 9:00"`}, reply: "Je hebt geen meedenkvraag openstaan om te beantwoorden."},
		{name: "moment without the time", from: anne, text: "moment", reply: "Schrijf het moment erbij, bijvoorbeeld /hulp moment do 14:00."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeConsults{err: tt.err}
			got := consultHandler(t, f).Command(context.Background(), Command{School: testSchool(t, cmp.Or(tt.lang, catalog.LangNL)), From: tt.from, Text: tt.text})
			if got.Text != tt.reply {
				t.Errorf("reply = %q; want %q", got.Text, tt.reply)
			}
			if !slices.Equal(f.calls, tt.calls) {
				t.Errorf("calls = %v; want %v", f.calls, tt.calls)
			}
		})
	}
}

func TestConsultClick(t *testing.T) {
	tests := []struct {
		name      string
		from      bot.Actor
		action    message.Action
		err       error
		call      string
		update    string
		ephemeral string
	}{
		{name: "today", from: anne, action: message.ActionConsultToday, call: `Answer anne "c1" vandaag ""`, update: "✅ Je antwoord: vandaag. Marie krijgt bericht."},
		{name: "this week", from: anne, action: message.ActionConsultWeek, call: `Answer anne "c1" deze-week ""`, update: "✅ Je antwoord: deze week. Marie krijgt bericht."},
		{name: "call me", from: anne, action: message.ActionConsultCall, call: `Answer anne "c1" bel-me ""`, update: "✅ Je antwoord: bel me even. Marie krijgt bericht."},
		{name: "answered already", from: anne, action: message.ActionConsultToday, err: bot.ErrClosed, call: `Answer anne "c1" vandaag ""`,
			ephemeral: "Deze meedenkvraag is al beantwoord of afgerond."},
		{name: "someone else's", from: anne, action: message.ActionConsultCall, err: bot.ErrNotYours, call: `Answer anne "c1" bel-me ""`,
			ephemeral: "Deze meedenkvraag is niet van jou of niet aan jou gesteld."},
		{name: "done", from: teacher, action: message.ActionConsultDone, call: "Close marie c1", update: "✔️ Meedenkvraag afgerond."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeConsults{err: tt.err}
			got := consultHandler(t, f).Click(context.Background(), Click{School: testSchool(t, catalog.LangNL), From: tt.from, Action: tt.action, RequestID: "c1"})
			if !slices.Equal(f.calls, []string{tt.call}) {
				t.Errorf("calls = %v; want %s", f.calls, tt.call)
			}
			var update string
			if got.Update != nil {
				update = got.Update.Text
			}
			if update != tt.update || got.Ephemeral != tt.ephemeral {
				t.Errorf("click = update %q, ephemeral %q; want %q, %q", update, got.Ephemeral, tt.update, tt.ephemeral)
			}
		})
	}
	// Without consults wired, the buttons are unknown.
	got := New(&fakeService{}, nil, nil).Click(context.Background(), Click{School: testSchool(t, catalog.LangNL), From: anne, Action: message.ActionConsultToday, RequestID: "c1"})
	if got.Update != nil || got.Ephemeral != "Deze knop ken ik niet." {
		t.Errorf("unwired click = %+v", got)
	}
}
