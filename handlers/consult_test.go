package handlers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
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
	done  string // what DecideConsult says was decided
}

func (f *fakeConsults) HoldConsult(_ context.Context, _ time.Time, _ *bot.School, in bot.HelpRequest) (string, error) {
	f.calls = append(f.calls, "Hold "+in.Group+": "+in.Note)
	return "c1", f.err
}

func (f *fakeConsults) DecideConsult(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, id string, send bool) (bot.Request, string, error) {
	f.calls = append(f.calls, fmt.Sprintf("Decide %s %s send=%v", by.Handle, id, send))
	return bot.Request{ID: id, Kind: bot.KindConsult, Group: "5", HelperID: "anne", State: bot.StateAsked}, f.done, f.err
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
		done      string
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
		{name: "held: send anyway", from: teacher, action: message.ActionConsultSend, call: "Decide marie c1 send=true",
			update: "🤔 Je meedenkvraag over groep 5 is naar Anne (jeugdhulpverlener). Geen haast: je hoort het als er antwoord is."},
		{name: "held: cancel", from: teacher, action: message.ActionConsultDrop, call: "Decide marie c1 send=false",
			update: "Niet verstuurd: je vraag is weggegooid."},
		{name: "held: sent before", from: teacher, action: message.ActionConsultDrop, err: bot.ErrNotHeld, done: "sent", call: "Decide marie c1 send=false",
			update: "Al verstuurd."},
		{name: "held: cancelled before", from: teacher, action: message.ActionConsultSend, err: bot.ErrNotHeld, done: "cancelled", call: "Decide marie c1 send=true",
			update: "Al geannuleerd: deze vraag is niet verstuurd."},
		{name: "held: too late", from: teacher, action: message.ActionConsultSend, err: bot.ErrNotFound, call: "Decide marie c1 send=true",
			update: "Niet verstuurd: er is niet binnen 2 minuten gekozen, dus de vraag is weggegooid. Typ haar opnieuw als je haar wilt stellen."},
		{name: "held: someone else's", from: anne, action: message.ActionConsultSend, err: bot.ErrNotYours, call: "Decide anne c1 send=true",
			ephemeral: "Deze meedenkvraag is niet van jou of niet aan jou gesteld."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeConsults{err: tt.err, done: tt.done}
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

// TestConsultHeld: a question that seems to name a child or hold health
// data is held, not asked: the teacher may send it anyway or cancel it and
// type it again; there is no "without the note", the question being the
// consult.
func TestConsultHeld(t *testing.T) {
	for _, tt := range []struct {
		lang, text, want string
		buttons          []string
	}{
		{catalog.LangNL, "overleg groep 5 Daan is steeds zo stil", "⏸ Je meedenkvraag is nog niet verstuurd", []string{"Verstuur toch", "Annuleer"}},
		{catalog.LangEN, "consult group 5 a boy with ADHD keeps walking off", "⏸ Your consult question has not been sent yet", []string{"Send anyway", "Cancel"}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			f := &fakeConsults{}
			got := consultHandler(t, f).Command(context.Background(), Command{School: testSchool(t, tt.lang), From: teacher, Text: tt.text})
			if !strings.HasPrefix(got.Text, tt.want) || len(f.calls) != 1 || !strings.HasPrefix(f.calls[0], "Hold 5: ") {
				t.Fatalf("reply %q, calls %v; want it held", got.Text, f.calls)
			}
			var labels []string
			for _, b := range got.Buttons {
				labels = append(labels, b.Label)
				if b.RequestID != "c1" || b.Until.IsZero() {
					t.Errorf("button %+v: want the hold's id and its deadline", b)
				}
			}
			if !slices.Equal(labels, tt.buttons) || got.Buttons[0].Action != message.ActionConsultSend || got.Buttons[1].Action != message.ActionConsultDrop {
				t.Errorf("buttons %+v; want %v", got.Buttons, tt.buttons)
			}
		})
	}
}
