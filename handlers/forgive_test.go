package handlers

import (
	"context"
	"slices"
	"testing"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/internal/golden"
	"github.com/hulpbot/hulpbot/message"
)

// TestGroupQuestion: a group the school does not have, but one it nearly
// has, is one short question with the likely group as a button; the press
// asks for help as if typed, under the id the question gave, once.
func TestGroupQuestion(t *testing.T) {
	tests := []struct {
		name, lang, text string
		groups           []bot.Group
		want             string
		labels           []string
		groupsAsked      []string // the group each button asks for
	}{
		{name: "groep 2 when the school has 1-2", lang: catalog.LangNL, text: "groep 2",
			groups: []bot.Group{{ID: "1-2"}, {ID: "3"}, {ID: "5"}},
			want:   "Bedoel je groep 1-2?", labels: []string{"Ja, groep 1-2"}, groupsAsked: []string{"1-2"}},
		{name: "Groep 5b when the school has 5", lang: catalog.LangNL, text: "Groep 5b onrust",
			groups: []bot.Group{{ID: "1-2"}, {ID: "3"}, {ID: "5"}},
			want:   "Bedoel je groep 5?\nJe toelichting gaat niet mee; vertel die ter plekke.", labels: []string{"Ja, groep 5"}, groupsAsked: []string{"5"}},
		{name: "group 2 in English", lang: catalog.LangEN, text: "group 2",
			groups: []bot.Group{{ID: "1-2"}, {ID: "3"}},
			want:   "Did you mean group 1-2?", labels: []string{"Yes, group 1-2"}, groupsAsked: []string{"1-2"}},
		{name: "5c when the school has 5a and 5b", lang: catalog.LangNL, text: "groep 5c",
			groups: []bot.Group{{ID: "5a"}, {ID: "5b"}},
			want:   "Bedoel je groep 5a of groep 5b?", labels: []string{"Groep 5a", "Groep 5b"}, groupsAsked: []string{"5a", "5b"}},
		{name: "ambiguous", lang: catalog.LangNL, text: "groep 5",
			groups: []bot.Group{{ID: "5a"}, {ID: "5b"}},
			want:   "Welke groep bedoel je: groep 5a of groep 5b?", labels: []string{"Groep 5a", "Groep 5b"}, groupsAsked: []string{"5a", "5b"}},
		{name: "a name with a typo", lang: catalog.LangNL, text: "dolfijen",
			want: "Bedoel je Dolfijnen?", labels: []string{"Ja, Dolfijnen"}, groupsAsked: []string{"Dolfijnen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testSchool(t, tt.lang)
			if tt.groups != nil {
				sc.Groups = tt.groups
			}
			svc := &fakeService{req: bot.Request{ID: "x", Group: "?", State: bot.StateOffered, HelperID: "anne", Requester: teacher.Address}}
			h := newTestHandler(t, svc)
			r := h.Command(context.Background(), Command{School: sc, From: teacher, Text: tt.text, ID: "trigger-1"})
			if r.Text != tt.want || len(svc.calls) != 0 {
				t.Fatalf("reply = %q, calls %+v; want %q and no call", r.Text, svc.calls, tt.want)
			}
			var labels []string
			for _, b := range r.Buttons {
				labels = append(labels, b.Label)
				if b.Action != message.ActionAsk || b.RequestID != requestID(sc, Command{From: teacher, ID: "trigger-1"}) {
					t.Errorf("button %+v; want action ask with the request id of the command", b)
				}
			}
			if !slices.Equal(labels, tt.labels) {
				t.Fatalf("buttons %q; want %q", labels, tt.labels)
			}
			for i, b := range r.Buttons {
				svc.req.Group = tt.groupsAsked[i]
				cr := h.Click(context.Background(), Click{School: sc, From: teacher, Action: b.Action, RequestID: b.RequestID, OfferNo: b.OfferNo})
				if cr.Update == nil {
					t.Fatalf("click on %q = %+v; want the question replaced", b.Label, cr)
				}
				last := svc.calls[len(svc.calls)-1]
				if last.Method != "RequestHelp" || last.Group != tt.groupsAsked[i] || last.From != teacher.Handle {
					t.Errorf("click on %q called %+v; want RequestHelp for %s by the teacher", b.Label, last, tt.groupsAsked[i])
				}
				if got := svc.ids[len(svc.ids)-1]; got != b.RequestID {
					t.Errorf("click asked under id %q; want the button's %q", got, b.RequestID)
				}
			}
		})
	}
}

// TestGroupQuestionGolden keeps the question's words.
func TestGroupQuestionGolden(t *testing.T) {
	for _, l := range []string{catalog.LangNL, catalog.LangEN} {
		sc := testSchool(t, l)
		sc.Groups = []bot.Group{{ID: "1-2"}, {ID: "3"}, {ID: "5"}}
		r := newTestHandler(t, &fakeService{}).Command(context.Background(), Command{School: sc, From: teacher, Text: "graag hulp in groep 2 onrust"})
		out := r.Text
		for _, b := range r.Buttons {
			out += "\n[" + b.Label + "]"
		}
		golden.Check(t, "group-question."+l, out)
	}
}

// TestAskClickRefused: a press that names no group of the school, or a
// request someone else asked, changes nothing the clicker may see.
func TestAskClickRefused(t *testing.T) {
	sc := testSchool(t, catalog.LangNL)
	tests := []struct {
		name  string
		click Click
		req   bot.Request
		calls int
	}{
		{name: "no group", click: Click{Action: message.ActionAsk, RequestID: "abcdefghijkl", OfferNo: 0}},
		{name: "group out of range", click: Click{Action: message.ActionAsk, RequestID: "abcdefghijkl", OfferNo: len(sc.Groups) + 1}},
		{name: "no request id", click: Click{Action: message.ActionAsk, OfferNo: 1}},
		{name: "someone else's request", click: Click{Action: message.ActionAsk, RequestID: "abcdefghijkl", OfferNo: 1},
			req: bot.Request{ID: "abcdefghijkl", Group: "1-2a", Requester: anne.Address, State: bot.StateOffered}, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &fakeService{req: tt.req}
			c := tt.click
			c.School, c.From = sc, teacher
			cr := newTestHandler(t, svc).Click(context.Background(), c)
			if cr.Update != nil || cr.Ephemeral == "" || len(svc.calls) != tt.calls {
				t.Errorf("click = %+v, calls %+v; want a note for the clicker and %d calls", cr, svc.calls, tt.calls)
			}
		})
	}
}

// TestUnknownCommandIsOneLine: input hulpbot cannot read gets one line
// and an example, not the usage.
func TestUnknownCommandIsOneLine(t *testing.T) {
	for _, tt := range []struct{ lang, text, want string }{
		{catalog.LangNL, "onrust na gym", "Dat begrijp ik niet. Bedoel je /hulp groep 6? Alles zien: /hulp help"},
		{catalog.LangNL, "beschikbr", "Dat begrijp ik niet. Bedoel je /hulp beschikbaar?"},
		{catalog.LangEN, "onrust na gym", "I don't understand that. Did you mean /hulp group 6? To see everything: /hulp help"},
	} {
		r := newTestHandler(t, &fakeService{}).Command(context.Background(), Command{School: testSchool(t, tt.lang), From: teacher, Text: tt.text})
		if r.Text != tt.want {
			t.Errorf("%s %q: reply %q; want %q", tt.lang, tt.text, r.Text, tt.want)
		}
	}
}
