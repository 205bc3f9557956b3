package handlers

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/internal/testschool"
	"github.com/hulpbot/hulpbot/message"
)

// fakeSender records what it was given to deliver, and answers err.
type fakeSender struct {
	sent []message.Message
	err  error
}

func (f *fakeSender) Send(_ context.Context, m message.Message) error {
	f.sent = append(f.sent, m)
	return f.err
}

// fakeWeekly records the weekly use cases the handler calls.
type fakeWeekly struct {
	mu      sync.Mutex
	calls   []string
	report  bot.WeekReport
	history []bot.WeekFigures
	themes  []bot.AgendaTheme
	err     error
}

var _ WeeklyUseCases = (*fakeWeekly)(nil)

func (f *fakeWeekly) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeWeekly) Report(_ context.Context, _ *bot.School, week string) (bot.WeekReport, error) {
	f.record("Report " + week)
	return f.report, f.err
}

func (f *fakeWeekly) History(_ context.Context, _ *bot.School, week string, n int) ([]bot.WeekFigures, error) {
	f.record(fmt.Sprintf("History %s %d", week, n))
	return f.history, f.err
}

func (f *fakeWeekly) ShareSignedStory(_ context.Context, _ time.Time, sc *bot.School, by bot.Actor, text string) error {
	f.record("ShareSignedStory " + bot.Signature(sc, by) + ": " + text)
	return f.err
}

func (f *fakeWeekly) ShareStory(_ context.Context, _ time.Time, _ *bot.School, text string) (string, error) {
	f.record("ShareStory " + text)
	return "story0000001", f.err
}

func (f *fakeWeekly) SignStory(_ context.Context, sc *bot.School, by bot.Actor, id string) (bot.Story, error) {
	f.record("SignStory " + bot.Signature(sc, by) + " " + id)
	return bot.Story{By: bot.Signature(sc, by)}, f.err
}

func (f *fakeWeekly) Pulse(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, requestID string, a bot.PulseAnswer) error {
	f.record("Pulse " + by.Handle + " " + requestID + " " + string(a))
	return f.err
}

func (f *fakeWeekly) MarkForKernteam(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, requestID string) error {
	f.record("MarkForKernteam " + by.Handle + " " + requestID)
	return f.err
}

func (f *fakeWeekly) AddTheme(_ context.Context, _ time.Time, _ *bot.School, text string) (int, error) {
	f.record("AddTheme " + text)
	return 4, f.err
}

func (f *fakeWeekly) Themes(_ context.Context, _ *bot.School) ([]bot.AgendaTheme, error) {
	f.record("Themes")
	return f.themes, f.err
}

func (f *fakeWeekly) CloseTheme(_ context.Context, sc *bot.School, by bot.Actor, no int) (bot.AgendaTheme, error) {
	f.record(fmt.Sprintf("CloseTheme %s %d", by.Handle, no))
	if !sc.IsKernteam(by.Address) {
		return bot.AgendaTheme{}, bot.ErrNotKernteam
	}
	return bot.AgendaTheme{No: no}, f.err
}

func weeklyHandler(t testing.TB, svc Service, wk WeeklyUseCases, send message.Sender) *Handler {
	now := testNow(t)
	return New(svc, func() time.Time { return now }, nil, WithWeekly(wk, send))
}

func TestSummaryOnDemand(t *testing.T) {
	ctx := context.Background()
	t.Run("refused to a teacher", func(t *testing.T) {
		wk, send := &fakeWeekly{report: testReport()}, &fakeSender{}
		got := weeklyHandler(t, &fakeService{}, wk, send).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: teacher, Text: "overzicht"})
		if got.Text != "Het overzicht is alleen voor de IB'er en andere coördinatoren van Kindcentrum De Vaart." || len(wk.calls) != 0 || len(send.sent) != 0 {
			t.Errorf("reply %q, calls %v, sent %d; want a refusal and nothing read", got.Text, wk.calls, len(send.sent))
		}
	})
	t.Run("csv refused to a helper", func(t *testing.T) {
		wk := &fakeWeekly{}
		got := weeklyHandler(t, &fakeService{}, wk, nil).Command(ctx, Command{School: testSchool(t, catalog.LangEN), From: anne, Text: "summary csv"})
		if got.Text != "The overview is only for the IB'er and other coordinators of Kindcentrum De Vaart." || len(wk.calls) != 0 {
			t.Errorf("reply %q, calls %v; want a refusal", got.Text, wk.calls)
		}
	})
	t.Run("digest for a coordinator, chart by DM", func(t *testing.T) {
		wk, send := &fakeWeekly{report: testReport()}, &fakeSender{}
		sc := testSchool(t, catalog.LangNL)
		got := weeklyHandler(t, &fakeService{}, wk, send).Command(ctx, Command{School: sc, From: coordinator, Text: "overzicht"})
		// testNow is Thursday 26 November: week 48 so far.
		if !slices.Equal(wk.calls, []string{"Report 2026-W48"}) {
			t.Errorf("calls = %v; want the report of this week", wk.calls)
		}
		want := catalog.DigestText(sc, testReport(), true)
		if !strings.HasPrefix(got.Text, want) || !hasLine(got.Text, "De grafiek staat in je privéberichten.") {
			t.Errorf("reply = %q; want the digest so far and where the chart is", got.Text)
		}
		if len(send.sent) != 1 {
			t.Fatalf("sent %d messages; want the chart", len(send.sent))
		}
		dm := send.sent[0]
		// No key: the outbox gives it one of its own, with no handle in it.
		if dm.To != (bot.Recipient{Address: coordinator.Address}) || len(dm.Attachments) != 1 || dm.Attachments[0].ContentType != "image/png" || dm.Key != "" {
			t.Errorf("DM = to %v, %d attachments, key %q; want the PNG to the coordinator, no key", dm.To, len(dm.Attachments), dm.Key)
		}
	})
	t.Run("chart undeliverable: the digest still comes", func(t *testing.T) {
		send := &fakeSender{err: errors.New("platform down")}
		got := weeklyHandler(t, &fakeService{}, &fakeWeekly{report: testReport()}, send).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: coordinator, Text: "overzicht"})
		if !strings.HasPrefix(got.Text, "📊 Overzicht Kindcentrum De Vaart") || strings.Contains(got.Text, "privéberichten") {
			t.Errorf("reply = %q; want the digest without a pointer to the chart", got.Text)
		}
	})
	t.Run("csv for a coordinator", func(t *testing.T) {
		r := testReport()
		wk := &fakeWeekly{history: []bot.WeekFigures{r.Previous[0], r.Week}}
		got := weeklyHandler(t, &fakeService{}, wk, nil).Command(ctx, Command{School: testSchool(t, catalog.LangEN), From: coordinator, Text: "summary csv"})
		if !slices.Equal(wk.calls, []string{"History 2026-W48 13"}) {
			t.Errorf("calls = %v; want 13 weeks up to this one", wk.calls)
		}
		title, rest, _ := strings.Cut(got.Text, "\n")
		if title != "Weekly figures of the last 2 weeks (CSV, no names):" {
			t.Errorf("title = %q", title)
		}
		body, ok := strings.CutPrefix(rest, "```\n")
		body, ok2 := strings.CutSuffix(body, "```")
		if !ok || !ok2 {
			t.Fatalf("reply = %q; want the CSV in a code block", got.Text)
		}
		figures, legend, _ := strings.Cut(body, "\n\n")
		rows, err := csv.NewReader(strings.NewReader(figures)).ReadAll()
		if !strings.HasPrefix(legend, "legend,") {
			t.Errorf("no legend below the figures: %q", body)
		}
		if err != nil || len(rows) != 3 || rows[0][0] != "week" || rows[2][0] != "2026-W49" || rows[2][1] != "12" {
			t.Errorf("CSV = %q (%v); want a header and two weeks", body, err)
		}
		if n := len(rows[0]); err == nil && (rows[0][n-1] != "unpicked" || rows[2][n-1] != "1" || rows[1][n-1] != "0") {
			t.Errorf("last column %q = %q, %q; want unpicked = 0, 1", rows[0][n-1], rows[1][n-1], rows[2][n-1])
		}
	})
	t.Run("store down", func(t *testing.T) {
		wk := &fakeWeekly{err: bot.ErrUnavailable}
		got := weeklyHandler(t, &fakeService{}, wk, nil).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: coordinator, Text: "overzicht"})
		if got.Text != "hulpbot kan dit nu niet verwerken — loop even binnen bij de IB'er of de directie." {
			t.Errorf("reply = %q", got.Text)
		}
	})
}

func TestDoneForKernteam(t *testing.T) {
	ctx := context.Background()
	closed := offered(t)
	closed.State = bot.StateResolved
	tests := []struct {
		name      string
		text      string
		wkErr     error
		wantNote  string
		wantCalls []string
		wantLine  string
		button    bool
	}{
		{name: "tag", text: "klaar rustig gepraat #kernteam", wantNote: "rustig gepraat",
			wantCalls: []string{"MarkForKernteam anne req000000001"}, wantLine: "📌 Staat op de agenda van het kernteam."},
		{name: "tag alone, any case", text: "klaar #Kernteam", wantNote: "",
			wantCalls: []string{"MarkForKernteam anne req000000001"}, wantLine: "📌 Staat op de agenda van het kernteam."},
		{name: "marked already", text: "klaar #kernteam", wkErr: bot.ErrDuplicate,
			wantCalls: []string{"MarkForKernteam anne req000000001"}, wantLine: "📌 Staat op de agenda van het kernteam."},
		{name: "mark fails: a button instead", text: "klaar #kernteam", wkErr: bot.ErrUnavailable,
			wantCalls: []string{"MarkForKernteam anne req000000001"}, wantLine: "Op de agenda van het kernteam zetten lukte nu niet. Probeer de knop zo nog eens.", button: true},
		{name: "no tag: a button", text: "klaar even gewandeld", wantNote: "even gewandeld", button: true},
		{name: "tag not at the end", text: "klaar #kernteam gesprek", wantNote: "#kernteam gesprek", button: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &fakeService{req: closed}
			wk := &fakeWeekly{err: tt.wkErr}
			got := weeklyHandler(t, svc, wk, nil).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: anne, Text: tt.text})
			if len(svc.calls) != 1 || svc.calls[0].Method != "Resolve" || svc.calls[0].Note != tt.wantNote {
				t.Errorf("calls = %+v; want Resolve with note %q", svc.calls, tt.wantNote)
			}
			if !slices.Equal(wk.calls, tt.wantCalls) {
				t.Errorf("weekly calls = %v; want %v", wk.calls, tt.wantCalls)
			}
			if !hasLine(got.Text, "Dank je! De hulpvraag voor groep 5 is afgesloten.") || (tt.wantLine != "" && !hasLine(got.Text, tt.wantLine)) {
				t.Errorf("reply = %q; want the close and %q", got.Text, tt.wantLine)
			}
			want := []message.Button(nil)
			if tt.button {
				want = []message.Button{{Label: "📌 Bespreken in kernteam", Action: message.ActionKernteam, RequestID: "req000000001"}}
			}
			if !slices.Equal(got.Buttons, want) {
				t.Errorf("buttons = %+v; want %+v", got.Buttons, want)
			}
		})
	}
	t.Run("without weekly: the tag is dropped from the note", func(t *testing.T) {
		svc := &fakeService{req: closed}
		got := newTestHandler(t, svc).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: anne, Text: "klaar gepraat #kernteam"})
		if svc.calls[0].Note != "gepraat" || len(got.Buttons) != 0 {
			t.Errorf("note %q, buttons %v", svc.calls[0].Note, got.Buttons)
		}
	})
}

func TestSignedSuccess(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		from     bot.Actor
		text     string
		wantSvc  []call
		wantWk   []string
		wantLine string
	}{
		{name: "signed", from: teacher, text: "succes fijn gesprek met de ouders #naam",
			wantWk: []string{"ShareSignedStory Marie: fijn gesprek met de ouders"}, wantLine: "Dank je! Je succes komt in de weekpost, met je naam (Marie)."},
		{name: "signed in English by a helper", from: anne, text: "success calm group #Name.",
			wantWk: []string{"ShareSignedStory Anne: calm group"}, wantLine: "Dank je! Je succes komt in de weekpost, met je naam (Anne)."},
		{name: "unsigned, with the button", from: teacher, text: "succes fijn gesprek",
			wantWk: []string{"ShareStory fijn gesprek"}, wantLine: "Wil je je naam erbij? Druk op Met mijn naam."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, wk := &fakeService{}, &fakeWeekly{}
			got := weeklyHandler(t, svc, wk, nil).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: tt.from, Text: tt.text})
			if !slices.Equal(svc.calls, tt.wantSvc) || !slices.Equal(wk.calls, tt.wantWk) {
				t.Errorf("calls = %+v and %v; want %+v and %v", svc.calls, wk.calls, tt.wantSvc, tt.wantWk)
			}
			if !hasLine(got.Text, tt.wantLine) {
				t.Errorf("reply = %q; want a line %q", got.Text, tt.wantLine)
			}
		})
	}
	t.Run("only the tag", func(t *testing.T) {
		svc, wk := &fakeService{}, &fakeWeekly{}
		got := weeklyHandler(t, svc, wk, nil).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: teacher, Text: "succes #naam"})
		if len(svc.calls)+len(wk.calls) != 0 || got.Text != "Vertel je succes erbij: /hulp succes <verhaal>. Zonder namen." {
			t.Errorf("reply %q, calls %v %v; want the empty-story answer", got.Text, svc.calls, wk.calls)
		}
	})
}

func TestWeeklyClicks(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		lang      string
		click     Click
		err       error
		noWeekly  bool
		wantCall  string
		wantUpd   string
		wantEphem string
	}{
		{name: "thumbs up", lang: catalog.LangNL, click: Click{From: teacher, Action: message.ActionPulseUp, RequestID: "req000000001"},
			wantCall: "Pulse marie req000000001 up", wantUpd: "Hielp het? 👍 — dank je voor je antwoord!"},
		{name: "myself next time, en", lang: catalog.LangEN, click: Click{From: teacher, Action: message.ActionPulseSelf, RequestID: "req000000001"},
			wantCall: "Pulse marie req000000001 self", wantUpd: "Did it help? I can do this myself next time — thank you for answering!"},
		{name: "answered before", lang: catalog.LangNL, click: Click{From: teacher, Action: message.ActionPulseDown, RequestID: "req000000001"}, err: bot.ErrDuplicate,
			wantCall: "Pulse marie req000000001 down", wantUpd: "Je hebt hier al op geantwoord. Dank je!"},
		{name: "someone else's question", lang: catalog.LangNL, click: Click{From: anne, Action: message.ActionPulseUp, RequestID: "req000000001"}, err: bot.ErrNotYours,
			wantCall: "Pulse anne req000000001 up", wantEphem: "Deze vraag is voor wie om hulp vroeg."},
		{name: "store down", lang: catalog.LangEN, click: Click{From: teacher, Action: message.ActionPulseUp, RequestID: "req000000001"}, err: bot.ErrUnavailable,
			wantCall: "Pulse marie req000000001 up", wantEphem: "hulpbot can't handle this right now — please walk over to the IB'er or the school office."},
		{name: "no request", lang: catalog.LangNL, click: Click{From: teacher, Action: message.ActionPulseUp},
			wantEphem: "Deze knop hoort bij een eerdere vraag: de hulpvraag is inmiddels verder gegaan."},
		{name: "kernteam", lang: catalog.LangNL, click: Click{From: anne, Action: message.ActionKernteam, RequestID: "req000000001"},
			wantCall: "MarkForKernteam anne req000000001", wantUpd: "📌 Staat op de agenda van het kernteam."},
		{name: "kernteam twice", lang: catalog.LangEN, click: Click{From: anne, Action: message.ActionKernteam, RequestID: "req000000001"}, err: bot.ErrDuplicate,
			wantCall: "MarkForKernteam anne req000000001", wantUpd: "📌 Already on the kernteam's agenda."},
		{name: "kernteam by a teacher", lang: catalog.LangNL, click: Click{From: teacher, Action: message.ActionKernteam, RequestID: "req000000001"}, err: bot.ErrNotHelper,
			wantCall: "MarkForKernteam marie req000000001", wantEphem: "Dit kan alleen iemand die bij Kindcentrum De Vaart als hulpverlener is ingesteld."},
		{name: "not wired", lang: catalog.LangNL, noWeekly: true, click: Click{From: teacher, Action: message.ActionPulseUp, RequestID: "req000000001"},
			wantEphem: "Deze knop ken ik niet."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wk := &fakeWeekly{err: tt.err}
			h := weeklyHandler(t, &fakeService{}, wk, nil)
			if tt.noWeekly {
				h = newTestHandler(t, &fakeService{})
			}
			tt.click.School = testSchool(t, tt.lang)
			got := h.Click(ctx, tt.click)
			var calls []string
			if tt.wantCall != "" {
				calls = []string{tt.wantCall}
			}
			if !slices.Equal(wk.calls, calls) {
				t.Errorf("calls = %v; want %v", wk.calls, calls)
			}
			switch {
			case tt.wantUpd != "":
				if got.Update == nil || got.Update.Text != tt.wantUpd || got.Update.RequestID != "req000000001" || len(got.Update.Buttons) != 0 || got.Ephemeral != "" {
					t.Errorf("click reply = %+v, %q; want the update %q without buttons", got.Update, got.Ephemeral, tt.wantUpd)
				}
			default:
				if got.Update != nil || got.Ephemeral != tt.wantEphem {
					t.Errorf("click reply = %+v, %q; want only %q", got.Update, got.Ephemeral, tt.wantEphem)
				}
			}
		})
	}
}

func TestCutTag(t *testing.T) {
	tests := []struct {
		in, out string
		ok      bool
	}{
		{"rustig gepraat #kernteam", "rustig gepraat", true},
		{"#KERNTEAM!", "", true},
		{"#kernteam rustig", "#kernteam rustig", false},
		{"rustig #kernteamoverleg", "rustig #kernteamoverleg", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if out, ok := cutTag(tt.in, kernteamTags...); out != tt.out || ok != tt.ok {
			t.Errorf("cutTag(%q) = %q, %v; want %q, %v", tt.in, out, ok, tt.out, tt.ok)
		}
	}
}

func TestResolvedNoticeAsksHielpHet(t *testing.T) {
	sc := testSchool(t, catalog.LangNL)
	r := offered(t)
	r.State = bot.StateResolved
	m := catalog.Render(bot.Notice{Kind: bot.NoticeResolved, To: bot.Recipient{Address: teacher.Address}, SchoolID: sc.ID, Request: r,
		Helper: bot.HelperRef{ID: "anne", Name: "Anne"}}, sc)
	if !hasLine(m.Text, "Hielp het?") || len(m.Buttons) != 3 {
		t.Fatalf("resolved notice = %q with %d buttons; want the question and three answers", m.Text, len(m.Buttons))
	}
	for _, b := range m.Buttons {
		if !isWeeklyAction(b.Action) || b.RequestID != r.ID {
			t.Errorf("button %+v: want a pulse action for the request", b)
		}
		// Every adapter carries actions of lower-case letters, digits, - and _.
		if strings.Trim(string(b.Action), "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Errorf("action %q has characters an adapter may not carry", b.Action)
		}
	}
}

func TestAgendaCommand(t *testing.T) {
	ctx := context.Background()
	themes := []bot.AgendaTheme{{No: 1, Text: "Ouderavond over prestatiedruk"}, {No: 2, Group: "5", ConsultID: "c1", At: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}}
	tests := []struct {
		name  string
		lang  string
		from  bot.Actor
		text  string
		err   error
		calls []string
		reply string
	}{
		{name: "a theme", from: teacher, text: "agenda ouderavond over prestatiedruk en faalangst",
			calls: []string{"AddTheme ouderavond over prestatiedruk en faalangst"}, reply: "📌 Op de agenda van het kernteam, als punt 4."},
		{name: "a theme in English", lang: catalog.LangEN, from: teacher, text: "agenda parents' evening on stress",
			calls: []string{"AddTheme parents' evening on stress"}, reply: "📌 On the kernteam's agenda, as item 4."},
		{name: "a theme with a name is refused", from: teacher, text: "agenda gesprek over Daan en zijn moeder",
			reply: "Dit zet ik niet op de agenda: het lijkt een naam of iets medisch te bevatten. Beschrijf het onderwerp zonder namen."},
		{name: "the agenda", from: teacher, text: "agenda", calls: []string{"Themes"},
			reply: "🗓️ Agenda van het kernteam:\n   1. Ouderavond over prestatiedruk\n   2. Meedenkvraag groep 5 van wo 25 nov: nog geen antwoord\nBesproken? /hulp agenda klaar <nummer>."},
		{name: "close by a coordinator", from: coordinator, text: "agenda klaar 2", calls: []string{"CloseTheme ib.sanne 2"}, reply: "✔️ Punt 2 is van de agenda."},
		{name: "close by a helper, English", lang: catalog.LangEN, from: anne, text: "agenda done #1", calls: []string{"CloseTheme anne 1"}, reply: "✔️ Item 1 is off the agenda."},
		{name: "close by a teacher is refused", from: teacher, text: "agenda klaar 2", calls: []string{"CloseTheme marie 2"},
			reply: "Punten van de agenda halen kan de IB'er of een hulpverlener van Kindcentrum De Vaart."},
		{name: "no such item", from: coordinator, text: "agenda klaar 9", err: bot.ErrNotFound, calls: []string{"CloseTheme ib.sanne 9"},
			reply: "Er staat geen punt 9 op de agenda. Typ /hulp agenda om de agenda te zien."},
		{name: "store down", from: teacher, text: "agenda faalangst", err: bot.ErrUnavailable, calls: []string{"AddTheme faalangst"},
			reply: "hulpbot kan dit nu niet verwerken — loop even binnen bij de IB'er of de directie."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lang := cmp.Or(tt.lang, catalog.LangNL)
			wk := &fakeWeekly{themes: themes, err: tt.err}
			got := weeklyHandler(t, &fakeService{}, wk, nil).Command(ctx, Command{School: testSchool(t, lang), From: tt.from, Text: tt.text})
			if got.Text != tt.reply {
				t.Errorf("reply = %q; want %q", got.Text, tt.reply)
			}
			if !slices.Equal(wk.calls, tt.calls) {
				t.Errorf("calls = %v; want %v", wk.calls, tt.calls)
			}
		})
	}
}

func TestDoneByPicker(t *testing.T) {
	// Someone who is no helper closes what they picked up in the channel,
	// and marks it for the kernteam with a word.
	ctx := context.Background()
	closed := offered(t)
	closed.State = bot.StateResolved
	svc, wk := &fakeService{req: closed}, &fakeWeekly{}
	got := weeklyHandler(t, svc, wk, nil).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: coordinator, Text: "klaar kernteam"})
	if len(svc.calls) != 1 || svc.calls[0].Method != "Resolve" || svc.calls[0].Note != "" {
		t.Errorf("calls = %+v; want Resolve without a note", svc.calls)
	}
	if !slices.Equal(wk.calls, []string{"MarkForKernteam ib.sanne req000000001"}) || !hasLine(got.Text, "📌 Staat op de agenda van het kernteam.") {
		t.Errorf("weekly calls %v, reply %q; want it marked", wk.calls, got.Text)
	}
	svc = &fakeService{err: fmt.Errorf("resolve: %w: %w", bot.ErrNotHelper, bot.ErrNoActiveRequest)}
	got = weeklyHandler(t, svc, &fakeWeekly{}, nil).Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: teacher, Text: "klaar"})
	if got.Text != "Je hebt geen hulpvraag uit het kanaal opgepakt die nog openstaat." {
		t.Errorf("reply = %q", got.Text)
	}
}

func TestStorySignButton(t *testing.T) {
	ctx := context.Background()
	wk := &fakeWeekly{}
	h := weeklyHandler(t, &fakeService{}, wk, nil)
	got := h.Command(ctx, Command{School: testSchool(t, catalog.LangNL), From: teacher, Text: "succes de gymles ging goed"})
	want := []message.Button{{Label: "Met mijn naam", Action: message.ActionStorySign, RequestID: "story0000001"}}
	if !slices.Equal(got.Buttons, want) {
		t.Fatalf("buttons = %+v; want %+v", got.Buttons, want)
	}
	click := Click{School: testSchool(t, catalog.LangNL), From: teacher, Action: message.ActionStorySign, RequestID: "story0000001"}
	r := h.Click(ctx, click)
	if r.Update == nil || r.Update.Text != "Dank je! Je succes komt in de weekpost, met je naam (Marie)." {
		t.Errorf("click = %+v; want the story signed", r)
	}
	wk.err = bot.ErrNotFound // signed already
	r = h.Click(ctx, click)
	if r.Update == nil || r.Update.Text != "Dit succes staat er al met je naam in." {
		t.Errorf("second click = %+v; want told it is signed", r)
	}
	if !slices.Equal(wk.calls, []string{"ShareStory de gymles ging goed", "SignStory Marie story0000001", "SignStory Marie story0000001"}) {
		t.Errorf("calls = %v", wk.calls)
	}
}

func secs(s ...int) []time.Duration { return testschool.Secs(s...) }
func testReport() bot.WeekReport    { return testschool.Report() }
