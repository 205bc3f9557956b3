package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/internal/golden"
	"github.com/hulpbot/hulpbot/message"
)

// call is one use case the fake service saw, with the arguments that
// matter.
type call struct {
	Method    string
	From      string
	Group     string
	Note      string
	RequestID string
	OfferNo   int
	Status    bot.Status
	Until     time.Time
	Hold      bool
	How       bot.ReleaseHow
}

// fakeService records calls and answers with req, views and err.
type fakeService struct {
	mu    sync.Mutex
	calls []call
	req   bot.Request
	views []bot.HelperView
	err   error
	ids   []string // HelpRequest.ID of each RequestHelpCmd
}

var _ Service = (*fakeService)(nil)

func (f *fakeService) record(c call) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeService) RequestHelp(_ context.Context, _ time.Time, _ *bot.School, in bot.HelpRequest) (bot.Request, error) {
	f.record(call{Method: "RequestHelp", From: in.From.Handle, Group: in.Group, Note: in.Note, Hold: in.Hold})
	f.mu.Lock()
	f.ids = append(f.ids, in.ID)
	f.mu.Unlock()
	return f.req, f.err
}

func (f *fakeService) Accept(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, requestID string, offerNo int) (bot.Request, error) {
	f.record(call{Method: "Accept", From: by.Handle, RequestID: requestID, OfferNo: offerNo})
	return f.req, f.err
}

func (f *fakeService) Decline(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, requestID string, offerNo int) (bot.Request, error) {
	f.record(call{Method: "Decline", From: by.Handle, RequestID: requestID, OfferNo: offerNo})
	return f.req, f.err
}

func (f *fakeService) Pickup(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, requestID string) (bot.Request, error) {
	f.record(call{Method: "Pickup", From: by.Handle, RequestID: requestID})
	return f.req, f.err
}

func (f *fakeService) Release(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, requestID string, how bot.ReleaseHow) (bot.Request, error) {
	f.record(call{Method: "Release", From: by.Handle, RequestID: requestID, How: how})
	return f.req, f.err
}

func (f *fakeService) HoldStory(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, text string, signed bool) (string, error) {
	f.record(call{Method: "HoldStory", From: by.Handle, Note: text, Hold: signed})
	return "story0000001", f.err
}

func (f *fakeService) DecideStory(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, id string, share bool) (bool, error) {
	f.record(call{Method: "DecideStory", From: by.Handle, RequestID: id, Hold: share})
	return share, f.err
}

func (f *fakeService) Resolve(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, note string) (bot.Request, error) {
	f.record(call{Method: "Resolve", From: by.Handle, Note: note})
	return f.req, f.err
}

func (f *fakeService) Cancel(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, requestID string) (bot.Request, error) {
	f.record(call{Method: "Cancel", From: by.Handle, RequestID: requestID})
	return f.req, f.err
}

func (f *fakeService) SetStatus(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, a bot.Availability) (bot.Availability, error) {
	f.record(call{Method: "SetStatus", From: by.Handle, Status: a.Status, Until: a.Until})
	if f.err != nil {
		return bot.Availability{}, f.err
	}
	return a, nil
}

func (f *fakeService) WhoCanHelp(_ context.Context, _ time.Time, _ *bot.School) ([]bot.HelperView, error) {
	f.record(call{Method: "WhoCanHelp"})
	return f.views, f.err
}

func (f *fakeService) ShareStory(_ context.Context, _ time.Time, _ *bot.School, text string) error {
	f.record(call{Method: "ShareStory", Note: text})
	return f.err
}

// offered is what RequestHelp returns when Anne is asked.
func offered(t testing.TB) bot.Request {
	now := testNow(t)
	return bot.Request{ID: "req000000001", SchoolID: "de-vaart", Group: "5", State: bot.StateOffered, HelperID: "anne", OfferNo: 1,
		Requester: teacher.Address, RequesterName: "Marie", CreatedAt: now, Deadline: now.Add(2 * time.Minute)}
}

func newTestHandler(t testing.TB, svc Service) *Handler {
	now := testNow(t)
	return New(svc, func() time.Time { return now }, nil)
}

func TestCommandReachesUseCase(t *testing.T) {
	loc := amsterdam(t)
	tests := []struct {
		name     string
		from     bot.Actor
		text     string
		want     call
		wantText string // a line of the reply
	}{
		{name: "request help", from: teacher, text: "groep 5 onrust na gym",
			want:     call{Method: "RequestHelp", From: "marie", Group: "5", Note: "onrust na gym"},
			wantText: "Je hulpvraag voor groep 5 is doorgezet naar Anne (jeugdhulpverlener)."},
		{name: "request help by alias", from: teacher, text: "kleuters",
			want: call{Method: "RequestHelp", From: "marie", Group: "1-2a"}},
		{name: "accept", from: anne, text: "ok",
			want:     call{Method: "Accept", From: "anne"},
			wantText: "Genoteerd: je komt eraan bij groep 5. De vraagsteller krijgt bericht."},
		{name: "decline", from: anne, text: "kan niet",
			want:     call{Method: "Decline", From: "anne"},
			wantText: "Je hebt de hulpvraag voor groep 5 doorgegeven."},
		{name: "done", from: anne, text: "klaar rustig gepraat",
			want:     call{Method: "Resolve", From: "anne", Note: "rustig gepraat"},
			wantText: "Dank je! De hulpvraag voor groep 5 is afgesloten."},
		{name: "cancel", from: teacher, text: "annuleer",
			want:     call{Method: "Cancel", From: "marie"},
			wantText: "Je hulpvraag voor groep 5 is ingetrokken."},
		{name: "available", from: anne, text: "beschikbaar",
			want:     call{Method: "SetStatus", From: "anne", Status: bot.Available},
			wantText: "Je staat op beschikbaar."},
		{name: "busy until", from: anne, text: "bezet tot 13:30",
			want:     call{Method: "SetStatus", From: "anne", Status: bot.Busy, Until: time.Date(2026, 11, 26, 13, 30, 0, 0, loc)},
			wantText: "Je staat op bezet tot 13:30."},
		{name: "busy until loose hour", from: anne, text: "bezet tot 2",
			want:     call{Method: "SetStatus", From: "anne", Status: bot.Busy, Until: time.Date(2026, 11, 26, 14, 0, 0, 0, loc)},
			wantText: "Je staat op bezet tot 14:00."},
		{name: "away for a while", from: anne, text: "afwezig 30 min",
			want:     call{Method: "SetStatus", From: "anne", Status: bot.Away, Until: time.Date(2026, 11, 26, 11, 11, 0, 0, loc)},
			wantText: "Je staat op afwezig tot 11:11."},
		{name: "away without end", from: anne, text: "afwezig",
			want:     call{Method: "SetStatus", From: "anne", Status: bot.Away},
			wantText: "Je staat tot het eind van de dag op afwezig."},
		{name: "who", from: teacher, text: "wie",
			want:     call{Method: "WhoCanHelp"},
			wantText: "Voor Kindcentrum De Vaart zijn nog geen hulpverleners ingesteld."},
		{name: "success", from: teacher, text: "succes fijn gesprek",
			want:     call{Method: "ShareStory", Note: "fijn gesprek"},
			wantText: "Dank je! Je succes komt in de weekpost, zonder je naam."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &fakeService{req: offered(t)}
			got := newTestHandler(t, svc).Command(context.Background(), Command{School: testSchool(t, "nl"), From: tt.from, Text: tt.text})
			if len(svc.calls) != 1 || !reflect.DeepEqual(svc.calls[0], tt.want) {
				t.Fatalf("calls = %+v; want [%+v]", svc.calls, tt.want)
			}
			if tt.wantText != "" && !hasLine(got.Text, tt.wantText) {
				t.Errorf("reply = %q; want a line %q", got.Text, tt.wantText)
			}
		})
	}
}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func TestBadInputCallsNothing(t *testing.T) {
	tests := []struct {
		name string
		from bot.Actor
		text string
		want string // a line of the Dutch reply
	}{
		{"unknown group", teacher, "groep 9 onrust", "Die groep ken ik niet. Groepen: 1-2a (kleuters), 3, 4, 5, 5b, 6, 7, 8, Dolfijnen (de dolfijnen), bso. Typ bijvoorbeeld /hulp groep 6."},
		{"unknown command", teacher, "beschikbr", "Dat begrijp ik niet. Bedoel je /hulp beschikbaar?"},
		{"time passed", anne, "bezet tot 9:00", "Die tijd is al voorbij. Schrijf een tijd van vandaag die nog moet komen, of laat de tijd weg."},
		{"not a time", anne, "afwezig morgen", "Die tijd begrijp ik niet. Schrijf bijvoorbeeld /hulp bezet tot 13:30 of /hulp afwezig 30 min (een tijd van vandaag)."},
		{"too long", teacher, "groep 5 " + strings.Repeat("x", MaxInput), "Dat is te lang voor /hulp (hooguit 1000 tekens). Houd het kort, en zonder namen."},
		{"control characters", teacher, "groep 5\x1b[2J", "Je bericht bevat tekens die ik niet kan lezen, zoals stuurtekens. Typ het nog eens."},
		{"invalid UTF-8", teacher, "groep 5 \xff", "Je bericht bevat tekens die ik niet kan lezen, zoals stuurtekens. Typ het nog eens."},
		{"empty story", teacher, "succes", "Vertel je succes erbij: /hulp succes <verhaal>. Zonder namen."},
		{"overview for a teacher", teacher, "overzicht", "Het overzicht is alleen voor de IB'er en andere coördinatoren van Kindcentrum De Vaart."},
		{"overview for a coordinator", coordinator, "overzicht", "Het overzicht van deze week komt met de wekelijkse samenvatting voor de coördinatoren. Een overzicht op verzoek kan hulpbot nog niet maken."},
		{"overview csv", coordinator, "overzicht csv", "Ook de CSV-export voor de stuurgroep komt later."},
		{"help", teacher, "help", "Zo gebruik je /hulp:"},
		{"empty", teacher, "", "Zo gebruik je /hulp:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &fakeService{req: offered(t)}
			got := newTestHandler(t, svc).Command(context.Background(), Command{School: testSchool(t, "nl"), From: tt.from, Text: tt.text})
			if len(svc.calls) != 0 {
				t.Errorf("calls = %+v; want none", svc.calls)
			}
			if !hasLine(got.Text, tt.want) {
				t.Errorf("reply = %q; want a line %q", got.Text, tt.want)
			}
		})
	}
}

// TestIdempotent: which commands an adapter may hand over again when a
// platform delivers them twice, and which it must keep from running twice.
func TestIdempotent(t *testing.T) {
	sc := testSchool(t, "nl")
	h := newTestHandler(t, &fakeService{})
	for _, tt := range []struct {
		text string
		id   string
		want bool
	}{
		{"groep 5 onrust na gym", "trig-1", true},
		{"/hulp spoed groep 5", "trig-1", true},
		{"groep 5", "", false}, // without an id a repeat is a second request
		{"help", "trig-1", true},
		{"", "trig-1", true},
		{"wie", "trig-1", true},
		{"onzin", "trig-1", true},       // an unknown word: only a reply
		{"groep 99", "trig-1", true},    // an unknown group: only a reply
		{"groep 5\x00", "trig-1", true}, // refused before parsing
		{"ok", "trig-1", false},
		{"kan niet", "trig-1", false},
		{"klaar #kernteam", "trig-1", false},
		{"annuleer", "trig-1", false},
		{"bezet tot 13:30", "trig-1", false},
		{"succes fijn gesprek", "trig-1", false},
		{"overzicht csv", "trig-1", false},
	} {
		if got := h.Idempotent(Command{School: sc, From: teacher, Text: tt.text, ID: tt.id}); got != tt.want {
			t.Errorf("Idempotent(%q, id %q) = %v, want %v", tt.text, tt.id, got, tt.want)
		}
	}
	if !h.Idempotent(Command{Text: "annuleer", ID: "trig-1"}) {
		t.Errorf("a command without a school (only an explanation) is not idempotent")
	}
}

func TestErrorsInBothLanguages(t *testing.T) {
	tests := []struct {
		name     string
		from     bot.Actor
		text     string
		err      error
		whenDown string
		nl, en   string // the reply
	}{
		{name: "store down on request", from: teacher, text: "groep 5", err: fmt.Errorf("request help: %w", bot.ErrUnavailable),
			nl: "hulpbot kan je vraag nu niet doorzetten — loop even binnen bij de IB'er of de directie.",
			en: "hulpbot can't pass on your request right now — please walk over to the IB'er or the school office."},
		{name: "store down, school's own advice", from: teacher, text: "groep 5", err: bot.ErrUnavailable, whenDown: "bel Sanne op 1234.",
			nl: "hulpbot kan je vraag nu niet doorzetten — bel Sanne op 1234.",
			en: "hulpbot can't pass on your request right now — bel Sanne op 1234."},
		{name: "store timeout on request", from: teacher, text: "groep 5", err: context.DeadlineExceeded,
			nl: "hulpbot kan je vraag nu niet doorzetten — loop even binnen bij de IB'er of de directie.",
			en: "hulpbot can't pass on your request right now — please walk over to the IB'er or the school office."},
		{name: "unexpected error on request", from: teacher, text: "groep 5", err: errors.New("boom"),
			nl: "hulpbot kan je vraag nu niet doorzetten — loop even binnen bij de IB'er of de directie.",
			en: "hulpbot can't pass on your request right now — please walk over to the IB'er or the school office."},
		{name: "store down on status", from: anne, text: "bezet", err: bot.ErrUnavailable,
			nl: "hulpbot kan dit nu niet verwerken — loop even binnen bij de IB'er of de directie.",
			en: "hulpbot can't handle this right now — please walk over to the IB'er or the school office."},
		{name: "unexpected error on who", from: teacher, text: "wie", err: errors.New("boom"),
			nl: "Er ging iets mis. Probeer het zo nog eens.",
			en: "Something went wrong. Please try again in a moment."},
		{name: "group unknown to the core", from: teacher, text: "groep 5", err: bot.ErrUnknownGroup,
			nl: "Die groep ken ik niet. Groepen: 1-2a (kleuters), 3, 4, 5, 5b, 6, 7, 8, Dolfijnen (de dolfijnen), bso. Typ bijvoorbeeld /hulp groep 6.",
			en: "I don't know that group. Groups: 1-2a (kleuters), 3, 4, 5, 5b, 6, 7, 8, Dolfijnen (de dolfijnen), bso. For example, type /hulp group 6."},
		{name: "not a helper", from: teacher, text: "ok", err: bot.ErrNotHelper,
			nl: "Dit kan alleen iemand die bij Kindcentrum De Vaart als hulpverlener is ingesteld.",
			en: "Only someone set up as a helper at Kindcentrum De Vaart can do this."},
		{name: "no offer", from: anne, text: "ok", err: bot.ErrNoOffer,
			nl: "Je hebt nu geen hulpvraag openstaan om aan te nemen of door te geven.",
			en: "You have no open request to accept or pass on."},
		{name: "already accepted", from: anne, text: "ok", err: bot.ErrAlreadyAccepted,
			nl: "Deze hulpvraag is al aangenomen.", en: "This request has already been accepted."},
		{name: "not yours on accept", from: anne, text: "ok", err: bot.ErrNotYours,
			nl: "Deze hulpvraag is aan iemand anders gevraagd.", en: "This request was offered to someone else."},
		{name: "not yours on cancel", from: teacher, text: "annuleer", err: bot.ErrNotYours,
			nl: "Dit is niet jouw hulpvraag; alleen wie hem stelde kan hem intrekken.",
			en: "This is not your request; only the person who asked can withdraw it."},
		{name: "stale", from: anne, text: "kan niet", err: bot.ErrStale,
			nl: "Deze knop hoort bij een eerdere vraag: de hulpvraag is inmiddels verder gegaan.",
			en: "This button belongs to an earlier offer: the request has moved on."},
		{name: "closed", from: anne, text: "ok", err: bot.ErrClosed,
			nl: "Deze hulpvraag staat niet meer open: hij is afgesloten, ingetrokken of naar het kernteam gegaan.",
			en: "This request is no longer open: it was closed, withdrawn or passed to the kernteam."},
		{name: "nothing to close", from: anne, text: "klaar", err: bot.ErrNoActiveRequest,
			nl: "Je hebt geen aangenomen hulpvraag om af te sluiten.", en: "You have no accepted request to close."},
		{name: "nothing to cancel", from: teacher, text: "annuleer", err: bot.ErrNoActiveRequest,
			nl: "Je hebt geen lopende hulpvraag om in te trekken.", en: "You have no open request to withdraw."},
		{name: "not found", from: anne, text: "ok", err: bot.ErrNotFound,
			nl: "Die hulpvraag bestaat niet (meer).", en: "That request does not exist (any more)."},
		{name: "not a coordinator", from: teacher, text: "overzicht",
			nl: "Het overzicht is alleen voor de IB'er en andere coördinatoren van Kindcentrum De Vaart.",
			en: "The overview is only for the IB'er and other coordinators of Kindcentrum De Vaart."},
	}
	for _, tt := range tests {
		for _, l := range []string{catalog.LangNL, catalog.LangEN} {
			t.Run(tt.name+"/"+l, func(t *testing.T) {
				sc := testSchool(t, l)
				sc.WhenDown = tt.whenDown
				svc := &fakeService{err: tt.err}
				got := newTestHandler(t, svc).Command(context.Background(), Command{School: sc, From: tt.from, Text: tt.text})
				want := tt.nl
				if l == catalog.LangEN {
					want = tt.en
				}
				if got.Text != want {
					t.Errorf("reply = %q; want %q", got.Text, want)
				}
			})
		}
	}
}

func TestRequestReplies(t *testing.T) {
	escalated := offered(t)
	escalated.State, escalated.HelperID = bot.StateEscalated, ""
	tests := []struct {
		name    string
		lang    string
		text    string
		req     bot.Request
		channel string
		want    string
	}{
		{name: "offered", lang: "nl", text: "groep 5", req: offered(t), channel: "kernteam",
			want: "Je hulpvraag voor groep 5 is doorgezet naar Anne (jeugdhulpverlener).\nJe krijgt bericht zodra er iemand komt. Toch niet nodig? Typ /hulp annuleer."},
		{name: "offered en", lang: "en", text: "group 5", req: offered(t), channel: "kernteam",
			want: "Your request for help for group 5 has gone to Anne (youth care worker).\nYou'll hear as soon as someone is on the way. Not needed after all? Type /hulp cancel."},
		{name: "nobody", lang: "nl", text: "groep 5", req: escalated, channel: "kernteam",
			want: "Er is nu niemand beschikbaar voor groep 5. Ik heb het kernteam-kanaal ingeseind."},
		{name: "nobody and no channel", lang: "nl", text: "groep 5", req: escalated,
			want: "Er is nu niemand beschikbaar voor groep 5, en er is geen kanaal ingesteld om je vraag door te zetten: loop even binnen bij de IB'er of de directie."},
		{name: "name in the note", lang: "nl", text: "groep 5 Tim slaat", req: escalated, channel: "kernteam",
			want: "Er is nu niemand beschikbaar voor groep 5. Ik heb het kernteam-kanaal ingeseind.\nTip: noem geen namen van kinderen in de chat. Vertel dat ter plekke."},
		{name: "name in the note en", lang: "en", text: "group 5 Tim hits", req: escalated, channel: "kernteam",
			want: "Nobody is available for group 5 right now. I've alerted the kernteam channel.\nTip: please don't use children's names in chat. Share them in person."},
		{name: "ordinary note", lang: "nl", text: "groep 5 Onrust na gym", req: escalated, channel: "kernteam",
			want: "Er is nu niemand beschikbaar voor groep 5. Ik heb het kernteam-kanaal ingeseind."},
		{name: "long note", lang: "nl", text: "groep 5 " + strings.Repeat("onrust ", 50), req: escalated, channel: "kernteam",
			want: "Er is nu niemand beschikbaar voor groep 5. Ik heb het kernteam-kanaal ingeseind.\nJe toelichting was te lang en is ingekort tot 280 tekens."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testSchool(t, tt.lang)
			sc.FallbackChannel = tt.channel
			svc := &fakeService{req: tt.req}
			got := newTestHandler(t, svc).Command(context.Background(), Command{School: sc, From: teacher, Text: tt.text})
			if got.Text != tt.want {
				t.Errorf("reply = %q; want %q", got.Text, tt.want)
			}
			if len(svc.calls) != 1 || utf8Len(svc.calls[0].Note) > bot.MaxNoteLen {
				t.Errorf("calls = %+v; want one request with a note of at most %d runes", svc.calls, bot.MaxNoteLen)
			}
		})
	}
}

func utf8Len(s string) int { return len([]rune(s)) }

func TestRequestIDFromDelivery(t *testing.T) {
	sc := testSchool(t, "nl")
	svc := &fakeService{req: offered(t)}
	h := newTestHandler(t, svc)
	for _, id := range []string{"trigger-1", "trigger-1", "trigger-2", ""} {
		h.Command(context.Background(), Command{School: sc, From: teacher, Text: "groep 5", ID: id})
	}
	ids := svc.ids
	if len(ids) != 4 {
		t.Fatalf("got %d requests; want 4", len(ids))
	}
	if ids[0] != ids[1] || ids[0] == ids[2] || ids[3] != "" {
		t.Errorf("ids = %q; want the same id for the same delivery, another for another, none without", ids)
	}
	for _, id := range ids[:3] {
		if len(id) != 12 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Errorf("id %q is not 12 characters of [a-z2-7]", id)
		}
	}
}

func TestClick(t *testing.T) {
	accepted := offered(t)
	accepted.State = bot.StateAccepted
	accepted.AcceptedAt = time.Date(2026, 11, 26, 9, 42, 30, 0, time.UTC) // 10:42 in Amsterdam
	tests := []struct {
		name      string
		lang      string
		click     Click
		err       error
		wantCall  *call
		wantText  string // of the update
		wantEphem string
	}{
		{name: "accept", lang: "nl", click: Click{From: anne, Action: message.ActionAccept, RequestID: "req000000001", OfferNo: 1},
			wantCall: &call{Method: "Accept", From: "anne", RequestID: "req000000001", OfferNo: 1},
			wantText: "✅ Anne komt eraan (groep 5) — 10:42"},
		{name: "accept en", lang: "en", click: Click{From: anne, Action: message.ActionAccept, RequestID: "req000000001", OfferNo: 1},
			wantCall: &call{Method: "Accept", From: "anne", RequestID: "req000000001", OfferNo: 1},
			wantText: "✅ Anne is on the way (group 5) — 10:42"},
		{name: "decline", lang: "nl", click: Click{From: anne, Action: message.ActionDecline, RequestID: "req000000001", OfferNo: 2},
			wantCall: &call{Method: "Decline", From: "anne", RequestID: "req000000001", OfferNo: 2},
			wantText: "Je hebt de hulpvraag voor groep 5 doorgegeven."},
		{name: "pick up from the fallback channel", lang: "nl", click: Click{From: bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "meester.joost"}, Name: "Joost"}, Action: message.ActionPickup, RequestID: "req000000001"},
			wantCall: &call{Method: "Pickup", From: "meester.joost", RequestID: "req000000001"},
			wantText: "✅ Joost pakt dit op (groep 5) — 10:42"},
		{name: "pick up pressed twice", lang: "en", click: Click{From: anne, Action: message.ActionPickup, RequestID: "req000000001"}, err: bot.ErrAlreadyAccepted,
			wantCall:  &call{Method: "Pickup", From: "anne", RequestID: "req000000001"},
			wantEphem: "This request has already been accepted."},
		{name: "pick up while busy", lang: "nl", click: Click{From: anne, Action: message.ActionPickup, RequestID: "req000000001"}, err: bot.ErrBusy,
			wantCall:  &call{Method: "Pickup", From: "anne", RequestID: "req000000001"},
			wantEphem: "Je bent al met een andere hulpvraag bezig. Sluit die eerst af met /hulp klaar."},
		{name: "pick up without a request", lang: "nl", click: Click{From: anne, Action: message.ActionPickup},
			wantEphem: "Deze knop ken ik niet."},
		{name: "stale", lang: "nl", click: Click{From: anne, Action: message.ActionAccept, RequestID: "req000000001", OfferNo: 1}, err: bot.ErrStale,
			wantCall:  &call{Method: "Accept", From: "anne", RequestID: "req000000001", OfferNo: 1},
			wantEphem: "Deze knop hoort bij een eerdere vraag: de hulpvraag is inmiddels verder gegaan."},
		{name: "someone else's", lang: "en", click: Click{From: anne, Action: message.ActionDecline, RequestID: "req000000001", OfferNo: 1}, err: bot.ErrNotYours,
			wantCall:  &call{Method: "Decline", From: "anne", RequestID: "req000000001", OfferNo: 1},
			wantEphem: "This request was offered to someone else."},
		{name: "already accepted", lang: "nl", click: Click{From: anne, Action: message.ActionAccept, RequestID: "req000000001", OfferNo: 1}, err: bot.ErrAlreadyAccepted,
			wantCall:  &call{Method: "Accept", From: "anne", RequestID: "req000000001", OfferNo: 1},
			wantEphem: "Deze hulpvraag is al aangenomen."},
		{name: "not a helper", lang: "nl", click: Click{From: teacher, Action: message.ActionAccept, RequestID: "req000000001", OfferNo: 1}, err: bot.ErrNotHelper,
			wantCall:  &call{Method: "Accept", From: "marie", RequestID: "req000000001", OfferNo: 1},
			wantEphem: "Dit kan alleen iemand die bij Kindcentrum De Vaart als hulpverlener is ingesteld."},
		{name: "store down", lang: "nl", click: Click{From: anne, Action: message.ActionAccept, RequestID: "req000000001", OfferNo: 1}, err: bot.ErrUnavailable,
			wantCall:  &call{Method: "Accept", From: "anne", RequestID: "req000000001", OfferNo: 1},
			wantEphem: "hulpbot kan dit nu niet verwerken — loop even binnen bij de IB'er of de directie."},
		{name: "no request id", lang: "nl", click: Click{From: anne, Action: message.ActionAccept, OfferNo: 1},
			wantEphem: "Deze knop hoort bij een eerdere vraag: de hulpvraag is inmiddels verder gegaan."},
		{name: "no offer number", lang: "nl", click: Click{From: anne, Action: message.ActionDecline, RequestID: "req000000001"},
			wantEphem: "Deze knop hoort bij een eerdere vraag: de hulpvraag is inmiddels verder gegaan."},
		{name: "held: send without the note", lang: "nl", click: Click{From: teacher, Action: message.ActionHeldWithoutNote, RequestID: "req000000001"},
			wantCall: &call{Method: "Release", From: "marie", RequestID: "req000000001", How: bot.ReleaseWithoutNote},
			wantText: "Verstuurd zonder toelichting.\nJe hulpvraag voor groep 5 is ontvangen."},
		{name: "held: send anyway", lang: "en", click: Click{From: teacher, Action: message.ActionHeldAnyway, RequestID: "req000000001"},
			wantCall: &call{Method: "Release", From: "marie", RequestID: "req000000001", How: bot.ReleaseAnyway},
			wantText: "Sent with the note.\nYour request for help for group 5 has been received."},
		{name: "held: pressed again, or after the deadline", lang: "nl", click: Click{From: teacher, Action: message.ActionHeldCancel, RequestID: "req000000001"},
			err: bot.ErrNotHeld, wantCall: &call{Method: "Release", From: "marie", RequestID: "req000000001", How: bot.ReleaseCancel},
			wantText: "Al verstuurd.\nJe hulpvraag voor groep 5 is ontvangen."},
		{name: "held: someone else's", lang: "nl", click: Click{From: anne, Action: message.ActionHeldAnyway, RequestID: "req000000001"},
			err: bot.ErrNotYours, wantCall: &call{Method: "Release", From: "anne", RequestID: "req000000001", How: bot.ReleaseAnyway},
			wantEphem: "Dit is niet jouw hulpvraag; alleen wie hem stelde kan kiezen hoe hij verstuurd wordt."},
		{name: "unknown action", lang: "en", click: Click{From: anne, Action: "explode", RequestID: "req000000001", OfferNo: 1},
			wantEphem: "I don't know this button."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &fakeService{req: accepted, err: tt.err}
			if tt.click.Action == message.ActionPickup {
				svc.req.HelperID, svc.req.PickedByName = "", tt.click.From.Name
			}
			tt.click.School = testSchool(t, tt.lang)
			got := newTestHandler(t, svc).Click(context.Background(), tt.click)
			switch {
			case tt.wantCall == nil && len(svc.calls) != 0:
				t.Errorf("calls = %+v; want none", svc.calls)
			case tt.wantCall != nil && (len(svc.calls) != 1 || !reflect.DeepEqual(svc.calls[0], *tt.wantCall)):
				t.Errorf("calls = %+v; want [%+v]", svc.calls, *tt.wantCall)
			}
			if tt.wantEphem != "" {
				if got.Update != nil || got.Ephemeral != tt.wantEphem {
					t.Errorf("click reply = %+v, %q; want no update and %q", got.Update, got.Ephemeral, tt.wantEphem)
				}
				return
			}
			want := &message.Message{Text: tt.wantText, RequestID: "req000000001"}
			if got.Ephemeral != "" || !reflect.DeepEqual(got.Update, want) {
				t.Errorf("click reply = %+v, %q; want update %+v", got.Update, got.Ephemeral, want)
			}
		})
	}
}

func TestNoSchool(t *testing.T) {
	svc := &fakeService{}
	h := newTestHandler(t, svc)
	if got := h.Command(context.Background(), Command{From: teacher, Text: "groep 5"}); !strings.Contains(got.Text, "niet aan een school gekoppeld") {
		t.Errorf("reply without school = %q; want the unknown-school text", got.Text)
	}
	if got := h.Click(context.Background(), Click{From: anne, Action: message.ActionAccept, RequestID: "r", OfferNo: 1}); got.Update != nil || got.Ephemeral == "" {
		t.Errorf("click without school = %+v; want only an ephemeral text", got)
	}
	if len(svc.calls) != 0 {
		t.Errorf("calls = %+v; want none", svc.calls)
	}
}

func TestWhoAndUsageText(t *testing.T) {
	loc := amsterdam(t)
	for _, l := range []string{catalog.LangNL, catalog.LangEN} {
		t.Run(l, func(t *testing.T) {
			sc := testSchool(t, l)
			h := &sc.Helpers[0]
			b := &sc.Helpers[1]
			c := &bot.Helper{ID: "cees", Name: "Cees", Role: "gedragswetenschapper"}
			d := &bot.Helper{ID: "dina", Name: "Dina", Role: "wijkcoach-jeugd"}
			e := &bot.Helper{ID: "eva", Name: "Eva", Role: bot.RoleCJGCoach}
			f := &bot.Helper{ID: "fem", Name: "Fem", Role: bot.RoleJeugdhulpverlener}
			svc := &fakeService{views: []bot.HelperView{
				{Helper: h, OnDuty: true, Status: bot.Available},
				{Helper: b, OnDuty: true, Status: bot.Busy, Until: time.Date(2026, 11, 26, 13, 30, 0, 0, loc)},
				{Helper: c, OnDuty: true, Status: bot.Away, Until: time.Date(2026, 11, 27, 0, 0, 0, 0, loc)},
				{Helper: d, OnDuty: true, Status: bot.Available, Engaged: true},
				{Helper: e, OnDuty: false, Status: bot.Available},
				{Helper: f, OnDuty: true, Status: bot.Away, Until: time.Date(2026, 11, 26, 12, 0, 0, 0, loc)},
			}}
			who := newTestHandler(t, svc).Command(context.Background(), Command{School: sc, From: teacher, Text: "wie"})
			golden.Check(t, "who."+l, who.Text)

			svc.views = svc.views[1:] // nobody free
			who = newTestHandler(t, svc).Command(context.Background(), Command{School: sc, From: teacher, Text: "who"})
			golden.Check(t, "who-nobody-free."+l, who.Text)

			help := newTestHandler(t, svc).Command(context.Background(), Command{School: sc, From: teacher, Text: "help"})
			golden.Check(t, "usage."+l, help.Text)

			unknown := newTestHandler(t, svc).Command(context.Background(), Command{School: sc, From: teacher, Text: "beschikbr"})
			golden.Check(t, "unknown-command."+l, unknown.Text)
		})
	}
}

// TestLogsKeepNoText checks that what people type never reaches the log:
// not the note, not a name, not a wrong group.
func TestLogsKeepNoText(t *testing.T) {
	var buf bytes.Buffer
	// Without the time: a timestamp may hold the digits of a group.
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		}}))
	now := testNow(t)
	sc := testSchool(t, "nl")
	svc := &fakeService{req: offered(t)}
	h := New(svc, func() time.Time { return now }, log)
	for _, text := range []string{"groep 5 Tim slaat Noor", "groep 977 Tim", "Timmy", "succes Noor lacht weer", "klaar Noor gerustgesteld"} {
		h.Command(context.Background(), Command{School: sc, From: teacher, Text: text})
	}
	svc.err = errors.New("dial tcp: connection refused")
	h.Command(context.Background(), Command{School: sc, From: teacher, Text: "wie"})
	h.Click(context.Background(), Click{School: sc, From: anne, Action: message.ActionAccept, RequestID: "req000000001", OfferNo: 1})

	out := buf.String()
	if !strings.Contains(out, "outcome=ok") || !strings.Contains(out, "request=req000000001") {
		t.Fatalf("log = %q; want outcomes and request ids", out)
	}
	for _, secret := range []string{"Tim", "slaat", "977", "lacht", "gerustgesteld", "Marie", "marie"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

func BenchmarkCommand(b *testing.B) {
	sc := testSchool(b, catalog.LangNL)
	h := newTestHandler(b, &fakeService{req: offered(b)})
	cmd := Command{School: sc, From: teacher, Text: "groep 5 onrust na gym", ID: "trigger-1"}
	for b.Loop() {
		h.Command(context.Background(), cmd)
	}
}

func BenchmarkParse(b *testing.B) {
	ix := NewGroupIndex(testGroups())
	for b.Loop() {
		if _, err := Parse("gr. 1 / 2 Onrust na gym", ix); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAmbiguousGroupReply(t *testing.T) {
	for _, tt := range []struct{ lang, text, want string }{
		{catalog.LangNL, "groep 5 onrust", "Welke groep bedoel je: groep 5a of groep 5b?\nJe toelichting gaat niet mee; vertel die ter plekke."},
		{catalog.LangEN, "1-2", "Which group do you mean: group 1-2a, group 1-2b or group 1-2c?"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			sc := testSchool(t, tt.lang)
			sc.Groups = []bot.Group{{ID: "1-2a"}, {ID: "1-2b"}, {ID: "1-2c"}, {ID: "5a"}, {ID: "5b"}}
			svc := &fakeService{}
			got := newTestHandler(t, svc).Command(context.Background(), Command{School: sc, From: teacher, Text: tt.text})
			if got.Text != tt.want || len(svc.calls) != 0 {
				t.Errorf("reply = %q, calls %+v; want %q and no call", got.Text, svc.calls, tt.want)
			}
		})
	}
}

// TestSensitiveNoteIsHeld: a note that seems to name a child is asked to be
// held, and the answer to a held request carries the three choices instead
// of "doorgezet"; a note without a name is not held.
func TestSensitiveNoteIsHeld(t *testing.T) {
	now := testNow(t)
	held := bot.Request{ID: "req000000001", SchoolID: "de-vaart", Group: "5", Note: "Daan slaat", State: bot.StateHeld,
		Requester: teacher.Address, CreatedAt: now, Deadline: now.Add(bot.HoldFor)}
	for _, tt := range []struct {
		text string
		hold bool
	}{{"groep 5 Daan slaat", true}, {"groep 5 onrust na gym", false}, {"groep 5", false}} {
		svc := &fakeService{req: held}
		if !tt.hold {
			svc.req = offered(t)
		}
		got := newTestHandler(t, svc).Command(context.Background(), Command{School: testSchool(t, "nl"), From: teacher, Text: tt.text, ID: "trigger-1"})
		if len(svc.calls) != 1 || svc.calls[0].Hold != tt.hold {
			t.Errorf("%q: calls %+v; want RequestHelp with Hold %v", tt.text, svc.calls, tt.hold)
		}
		if tt.hold != (len(got.Buttons) == 3) || tt.hold == strings.Contains(got.Text, "doorgezet") {
			t.Errorf("%q: reply %q with %d buttons", tt.text, got.Text, len(got.Buttons))
		}
		if tt.hold && (got.Buttons[0].Action != message.ActionHeldWithoutNote || got.Buttons[0].RequestID != held.ID || strings.Contains(got.Text, "Daan")) {
			t.Errorf("%q: reply %q, buttons %+v", tt.text, got.Text, got.Buttons)
		}
	}
}

// TestSensitiveStoryIsHeld: a success story that seems to name a child is
// held, not shared, and answered with Deel toch / Annuleer; a press
// decides it, a press after the hold says it was not shared.
func TestSensitiveStoryIsHeld(t *testing.T) {
	sc := testSchool(t, "nl")
	svc := &fakeService{}
	h := newTestHandler(t, svc)
	got := h.Command(context.Background(), Command{School: sc, From: teacher, Text: "succes Daan bleef de hele gym in de groep"})
	if len(svc.calls) != 1 || svc.calls[0].Method != "HoldStory" || svc.calls[0].Note != "Daan bleef de hele gym in de groep" {
		t.Fatalf("calls %+v; want HoldStory", svc.calls)
	}
	if len(got.Buttons) != 2 || got.Buttons[0].Action != message.ActionStoryShare || got.Buttons[0].RequestID != "story0000001" ||
		!strings.Contains(got.Text, "nog niet gedeeld") {
		t.Errorf("reply %q, buttons %+v", got.Text, got.Buttons)
	}
	svc.calls = nil
	h.Command(context.Background(), Command{School: sc, From: teacher, Text: "succes vandaag ging het goed"})
	if len(svc.calls) != 1 || svc.calls[0].Method != "ShareStory" {
		t.Errorf("a story without a name: calls %+v; want ShareStory", svc.calls)
	}

	for _, tt := range []struct {
		action message.Action
		err    error
		want   string
	}{
		{message.ActionStoryShare, nil, "Gedeeld: je verhaal komt in het overzicht van de week."},
		{message.ActionStoryCancel, nil, "Niet gedeeld: je verhaal is weggegooid."},
		{message.ActionStoryShare, bot.ErrNotHeld, "Al gedeeld."},
		{message.ActionStoryCancel, bot.ErrNotFound, "Niet gedeeld: er is niet binnen 2 minuten gekozen, dus het verhaal is weggegooid. Typ het opnieuw als je het wilt delen."},
	} {
		svc := &fakeService{err: tt.err}
		r := newTestHandler(t, svc).Click(context.Background(), Click{School: sc, From: teacher, Action: tt.action, RequestID: "story0000001"})
		if r.Update == nil || r.Update.Text != tt.want {
			t.Errorf("%s, %v: %+v; want update %q", tt.action, tt.err, r, tt.want)
		}
		if len(svc.calls) != 1 || svc.calls[0].Method != "DecideStory" || svc.calls[0].Hold != (tt.action == message.ActionStoryShare) {
			t.Errorf("%s: calls %+v", tt.action, svc.calls)
		}
	}
}
