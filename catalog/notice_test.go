package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/golden"
	"github.com/hulpbot/hulpbot/message"
)

// notices are one of each kind, and the variants that read differently.
func notices(t testing.TB) []struct {
	name string
	n    bot.Notice
} {
	created := testNow(t)
	r := bot.Request{
		ID: "req000000001", SchoolID: "de-vaart", Group: "5", Note: "onrust na gym", Requester: teacher.Address,
		RequesterName: "Marie", State: bot.StateOffered, HelperID: "anne", OfferNo: 1, CreatedAt: created,
		Deadline: created.Add(2 * time.Minute),
	}
	annes := bot.HelperRef{ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener}
	brams := bot.HelperRef{ID: "bram", Name: "Bram", Role: bot.RoleCJGCoach}
	toAnne := bot.Recipient{Address: bot.Address{Platform: mattermost, Handle: "anne"}}
	toBram := bot.Recipient{Address: bot.Address{Platform: mattermost, Handle: "bram"}}
	toMarie := bot.Recipient{Address: teacher.Address}
	toChannel := bot.Recipient{Address: bot.Address{Platform: mattermost}, Channel: "kernteam"}
	with := func(f func(*bot.Request)) bot.Request {
		c := r
		f(&c)
		return c
	}
	second := with(func(r *bot.Request) { r.HelperID, r.OfferNo, r.Deadline = "bram", 2, created.Add(5*time.Minute) })
	escalated := with(func(r *bot.Request) { r.State, r.HelperID, r.OfferNo = bot.StateEscalated, "", 3 })
	accepted := with(func(r *bot.Request) { r.State, r.AcceptedAt = bot.StateAccepted, created.Add(time.Minute) })
	// Held for the teacher's choice, let go two minutes later: helpers and
	// the channel see when it reached them, the teacher when they asked.
	released := created.Add(bot.HoldFor)
	heldOffer := with(func(r *bot.Request) { r.ReleasedAt, r.Deadline = released, released.Add(2*time.Minute) })
	heldEscalated := with(func(r *bot.Request) {
		r.State, r.HelperID, r.OfferNo, r.ReleasedAt = bot.StateEscalated, "", 0, released
	})
	consult := with(func(r *bot.Request) {
		r.ID, r.Kind, r.State, r.HelperID, r.Note = "req000000002", bot.KindConsult, bot.StateAsked, "bram", "hoe betrek ik een stil kind bij de kring?"
	})
	return []struct {
		name string
		n    bot.Notice
	}{
		{"offer", bot.Notice{Kind: bot.NoticeOffer, To: toAnne, SchoolID: "de-vaart", Request: r, Helper: annes}},
		{"offer-bare", bot.Notice{Kind: bot.NoticeOffer, To: toAnne, SchoolID: "de-vaart", Helper: annes,
			Request: with(func(r *bot.Request) { r.Note, r.RequesterName, r.Group = "", "", "Dolfijnen" })}},
		{"offer-held", bot.Notice{Kind: bot.NoticeOffer, To: toAnne, SchoolID: "de-vaart", Request: heldOffer, Helper: annes}},
		{"escalated-held", bot.Notice{Kind: bot.NoticeEscalated, To: toChannel, SchoolID: "de-vaart", Request: heldEscalated}},
		{"offer-second", bot.Notice{Kind: bot.NoticeOffer, To: toBram, SchoolID: "de-vaart", Request: second, Helper: brams, Previous: annes}},
		{"accepted", bot.Notice{Kind: bot.NoticeAccepted, To: toMarie, SchoolID: "de-vaart", Request: accepted, Helper: annes}},
		{"moved_on", bot.Notice{Kind: bot.NoticeMovedOn, To: toMarie, SchoolID: "de-vaart", Request: second, Helper: brams, Previous: annes}},
		{"offer_lapsed", bot.Notice{Kind: bot.NoticeOfferLapsed, To: toAnne, SchoolID: "de-vaart", Request: r, Helper: brams, Previous: annes}},
		{"offer_lapsed-channel", bot.Notice{Kind: bot.NoticeOfferLapsed, To: toAnne, SchoolID: "de-vaart", Request: r, Previous: annes}},
		{"passed_on_late", bot.Notice{Kind: bot.NoticePassedOnLate, To: toMarie, SchoolID: "de-vaart", Request: r, Helper: annes}},
		{"passed_on_late-escalated", bot.Notice{Kind: bot.NoticePassedOnLate, To: toMarie, SchoolID: "de-vaart", Request: escalated}},
		{"escalated", bot.Notice{Kind: bot.NoticeEscalated, To: toChannel, SchoolID: "de-vaart", Request: escalated, Previous: brams}},
		{"nobody", bot.Notice{Kind: bot.NoticeNobody, To: toMarie, SchoolID: "de-vaart", Request: escalated, Previous: brams}},
		{"cancelled", bot.Notice{Kind: bot.NoticeCancelled, To: toAnne, SchoolID: "de-vaart", Request: accepted, Helper: annes}},
		{"cancelled-channel", bot.Notice{Kind: bot.NoticeCancelled, To: toChannel, SchoolID: "de-vaart", Request: escalated}},
		{"unpicked", bot.Notice{Kind: bot.NoticeUnpicked, To: toMarie, SchoolID: "de-vaart", Request: escalated}},
		{"unpicked-channel", bot.Notice{Kind: bot.NoticeUnpicked, To: toChannel, SchoolID: "de-vaart", Request: escalated}},
		{"follow_up-offered", bot.Notice{Kind: bot.NoticeFollowUp, To: toMarie, SchoolID: "de-vaart", Request: second, Helper: brams}},
		{"follow_up-escalated", bot.Notice{Kind: bot.NoticeFollowUp, To: toMarie, SchoolID: "de-vaart", Request: escalated}},
		{"resolved", bot.Notice{Kind: bot.NoticeResolved, To: toMarie, SchoolID: "de-vaart", Helper: annes,
			Request: with(func(r *bot.Request) { r.State, r.DoneNote = bot.StateResolved, "rustig gepraat op de gang" })}},
		{"picked_note", bot.Notice{Kind: bot.NoticePickedNote, To: bot.Recipient{Address: bot.Address{Platform: mattermost, Handle: "sanne"}}, SchoolID: "de-vaart",
			Request: with(func(r *bot.Request) {
				r.State, r.HelperID, r.AcceptedAt, r.PickedByName = bot.StateAccepted, "", created.Add(time.Minute), "Sanne"
			})}},
		{"held_sent", bot.Notice{Kind: bot.NoticeHeldSent, To: toMarie, SchoolID: "de-vaart", Helper: annes,
			Request: with(func(r *bot.Request) { r.Note, r.ReleasedAt, r.Deadline = "", released, released.Add(2*time.Minute) })}},
		{"held_sent-escalated", bot.Notice{Kind: bot.NoticeHeldSent, To: toMarie, SchoolID: "de-vaart",
			Request: with(func(r *bot.Request) {
				r.Note, r.State, r.HelperID, r.OfferNo, r.ReleasedAt = "", bot.StateEscalated, "", 0, released
			})}},
		{"consult", bot.Notice{Kind: bot.NoticeConsult, To: toBram, SchoolID: "de-vaart", Request: consult, Helper: brams}},
		{"consult_reminder", bot.Notice{Kind: bot.NoticeConsultReminder, To: toBram, SchoolID: "de-vaart", Helper: brams,
			Request: with(func(r *bot.Request) { *r = consult; r.OfferNo = bot.ConsultStageReminded })}},
		{"consult_answered-today", bot.Notice{Kind: bot.NoticeConsultAnswered, To: toMarie, SchoolID: "de-vaart", Helper: brams,
			Request: with(func(r *bot.Request) { *r = consult; r.State, r.Answer = bot.StateAnswered, bot.AnswerToday })}},
		{"consult_answered-week", bot.Notice{Kind: bot.NoticeConsultAnswered, To: toMarie, SchoolID: "de-vaart", Helper: brams,
			Request: with(func(r *bot.Request) { *r = consult; r.State, r.Answer = bot.StateAnswered, bot.AnswerThisWeek })}},
		{"consult_answered-call", bot.Notice{Kind: bot.NoticeConsultAnswered, To: toMarie, SchoolID: "de-vaart", Helper: brams,
			Request: with(func(r *bot.Request) { *r = consult; r.State, r.Answer = bot.StateAnswered, bot.AnswerCall })}},
		{"consult_answered-moment", bot.Notice{Kind: bot.NoticeConsultAnswered, To: toMarie, SchoolID: "de-vaart", Helper: brams,
			Request: with(func(r *bot.Request) {
				*r = consult
				r.State, r.Answer, r.Moment = bot.StateAnswered, bot.AnswerMoment, "do 14:00"
			})}},
		{"consult_agenda", bot.Notice{Kind: bot.NoticeConsultAgenda, To: toMarie, SchoolID: "de-vaart", Helper: brams,
			Request: with(func(r *bot.Request) { *r = consult; r.OfferNo = bot.ConsultStageAgenda })}},
		{"resolved-bare", bot.Notice{Kind: bot.NoticeResolved, To: toMarie, SchoolID: "de-vaart", Helper: annes,
			Request: with(func(r *bot.Request) { r.State = bot.StateResolved })}},
	}
}

// TestRenderSharedHelper: Bram helps at De Klim too, so his offer and
// De Vaart's fallback post name the school; Anne's offer does not.
func TestRenderSharedHelper(t *testing.T) {
	for _, l := range []string{LangNL, LangEN} {
		sc := testSchool(t, l)
		sc.Helpers[1].AlsoAt = []string{"de-klim"}
		for _, tt := range notices(t) {
			switch tt.name {
			case "offer-second", "escalated":
			case "offer":
				m := Render(tt.n, sc)
				if strings.Contains(m.Text, sc.Name) {
					t.Errorf("Anne's offer names the school: %q", m.Text)
				}
				continue
			default:
				continue
			}
			t.Run(tt.name+"."+l, func(t *testing.T) {
				m := Render(tt.n, sc)
				if !strings.Contains(m.Text, sc.Name) {
					t.Errorf("text %q does not name %s", m.Text, sc.Name)
				}
				golden.Check(t, "render/"+tt.name+"-shared."+l, dump(m))
			})
		}
	}
}

// dump shows a message for a golden file.
func dump(m message.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "to: %s #%s\nkey: %s\nrequest: %s\n---\n%s\n", m.To.Address, m.To.Channel, m.Key, m.RequestID, m.Text)
	for _, btn := range m.Buttons {
		fmt.Fprintf(&b, "[%s] %q request=%s offer=%d primary=%v\n", btn.Action, btn.Label, btn.RequestID, btn.OfferNo, btn.Primary)
	}
	return b.String()
}

func TestRender(t *testing.T) {
	kinds := map[bot.NoticeKind]bool{}
	for _, l := range []string{LangNL, LangEN} {
		sc := testSchool(t, l)
		for _, tt := range notices(t) {
			kinds[tt.n.Kind] = true
			t.Run(tt.name+"."+l, func(t *testing.T) {
				m := Render(tt.n, sc)
				if m.Key != tt.n.Key() || m.RequestID != tt.n.Request.ID || m.To != tt.n.To {
					t.Errorf("Render: to %v, key %q, request %q; want %v, %q, %q", m.To, m.Key, m.RequestID, tt.n.To, tt.n.Key(), tt.n.Request.ID)
				}
				if strings.ContainsAny(m.Text, "{}") {
					t.Errorf("Render: text %q has a placeholder left", m.Text)
				}
				golden.Check(t, "render/"+tt.name+"."+l, dump(m))
			})
		}
	}
	for _, k := range bot.NoticeKinds {
		if !kinds[k] {
			t.Errorf("no golden test renders %s", k)
		}
	}
}

// TestNoNoteInAChannel renders every notice kind, in every state a request
// can be in, for the fallback channel, with a note and a closing note that
// stand out: neither may ever be in a channel post. The picker's direct
// message is where the note goes instead.
func TestNoNoteInAChannel(t *testing.T) {
	const note, done = "Daan slaat Mo op het plein", "Daan opgehaald door moeder"
	toChannel := bot.Recipient{Address: bot.Address{Platform: mattermost}, Channel: "kernteam"}
	created := testNow(t)
	states := []bot.State{bot.StateOffered, bot.StateAccepted, bot.StateEscalated, bot.StateResolved, bot.StateCancelled}
	helpers := []bot.HelperRef{{}, {ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener}}
	for _, l := range []string{LangNL, LangEN} {
		sc := testSchool(t, l)
		for _, kind := range bot.NoticeKinds {
			for _, st := range states {
				for _, hp := range helpers {
					r := bot.Request{ID: "req000000001", SchoolID: "de-vaart", Group: "5", Note: note, DoneNote: done,
						Requester: teacher.Address, RequesterName: "Marie", State: st, HelperID: hp.ID, OfferNo: 1,
						CreatedAt: created, Deadline: created.Add(time.Minute), PickedByName: "Sanne"}
					m := Render(bot.Notice{Kind: kind, To: toChannel, SchoolID: "de-vaart", Request: r, Helper: hp, Previous: hp}, sc)
					for _, b := range append([]string{m.Text}, buttonLabels(m)...) {
						if strings.Contains(b, "Daan") || strings.Contains(b, "plein") || strings.Contains(b, "moeder") {
							t.Errorf("%s, %s, %s, helper %q: the channel is shown a note: %q", l, kind, st, hp.ID, b)
						}
					}
				}
			}
		}
		// The same note does reach the picker, in a direct message.
		toSanne := bot.Recipient{Address: bot.Address{Platform: mattermost, Handle: "sanne"}}
		r := bot.Request{ID: "req000000001", Group: "5", Note: note, State: bot.StateAccepted, CreatedAt: created}
		if m := Render(bot.Notice{Kind: bot.NoticePickedNote, To: toSanne, Request: r}, sc); !strings.Contains(m.Text, note) {
			t.Errorf("%s: the picker's message %q has no note", l, m.Text)
		}
	}
}

func buttonLabels(m message.Message) []string {
	var out []string
	for _, b := range m.Buttons {
		out = append(out, b.Label)
	}
	return out
}

func TestRenderWithoutFallbackChannel(t *testing.T) {
	sc := testSchool(t, LangNL)
	sc.FallbackChannel = ""
	sc.WhenDown = "loop naar Sanne"
	var n bot.Notice
	for _, tt := range notices(t) {
		if tt.name == "nobody" {
			n = tt.n
		}
	}
	got := Render(n, sc).Text
	want := "Er is nu niemand beschikbaar voor je hulpvraag voor groep 5: loop naar Sanne."
	if got != want {
		t.Errorf("Render(nobody) = %q; want %q", got, want)
	}
}

// noticer answers every notice with n, or with ok false / err.
type noticer struct {
	n   bot.Notice
	ok  bool
	err error
	got []bot.NoticeRef
}

func (f *noticer) Notice(_ context.Context, _ *bot.School, ref bot.NoticeRef) (bot.Notice, bool, error) {
	f.got = append(f.got, ref)
	return f.n, f.ok, f.err
}

func TestNoticeRenderer(t *testing.T) {
	sc := testSchool(t, LangNL)
	dir, err := bot.NewDirectory([]*bot.School{sc})
	if err != nil {
		t.Fatal(err)
	}
	n := notices(t)[0].n
	queued := bot.NoticeRef{Kind: bot.NoticeOffer, RequestID: n.Request.ID, OfferNo: 1, To: "helper:anne", Helper: "anne"}.String()
	boom := errors.New("redis down")
	tests := []struct {
		name    string
		school  string
		notice  string
		core    noticer
		wantOK  bool
		wantErr error
	}{
		{name: "renders the notice as it stands", school: "de-vaart", notice: queued, core: noticer{n: n, ok: true}, wantOK: true},
		{name: "nothing to tell any more", school: "de-vaart", notice: queued, core: noticer{}},
		{name: "the request cannot be read", school: "de-vaart", notice: queued, core: noticer{err: boom}, wantErr: boom},
		{name: "unknown school", school: "elders", notice: queued, core: noticer{n: n, ok: true}, wantErr: bot.ErrUnknownSchool},
		{name: "a notice that does not parse", school: "de-vaart", notice: "notice|offer", core: noticer{n: n, ok: true}, wantErr: ErrBadNotice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core := tt.core
			m, ok, err := NewNoticeRenderer(dir, &core).RenderNotice(context.Background(), tt.school, tt.notice)
			if !errors.Is(err, tt.wantErr) || ok != tt.wantOK {
				t.Fatalf("RenderNotice = %v, %v; want %v, %v", ok, err, tt.wantOK, tt.wantErr)
			}
			if ok && dump(m) != dump(Render(n, sc)) {
				t.Errorf("rendered %+v; want the rendering of the notice", m)
			}
		})
	}
}

// TestButtonsUntil: an offer's buttons say they mean nothing after its
// deadline, a pick-up's after the request's retention; the "Hielp het?"
// buttons leave it to the platform.
func TestButtonsUntil(t *testing.T) {
	sc := testSchool(t, LangNL)
	want := map[string]func(r bot.Request) time.Time{
		"offer":        func(r bot.Request) time.Time { return r.Deadline },
		"offer-second": func(r bot.Request) time.Time { return r.Deadline },
		"escalated":    func(r bot.Request) time.Time { return r.CreatedAt.Add(sc.Retention) },
		"resolved":     func(bot.Request) time.Time { return time.Time{} },
	}
	for _, tt := range notices(t) {
		until, ok := want[tt.name]
		if !ok {
			continue
		}
		delete(want, tt.name)
		m := Render(tt.n, sc)
		if len(m.Buttons) == 0 {
			t.Errorf("%s: no buttons", tt.name)
		}
		for _, b := range m.Buttons {
			if w := until(tt.n.Request); !b.Until.Equal(w) {
				t.Errorf("%s: button %s until %v, want %v", tt.name, b.Action, b.Until, w)
			}
		}
	}
	for name := range want {
		t.Errorf("no notice %q to render", name)
	}
}
