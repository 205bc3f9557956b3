package handlers

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

type fakeClosings struct {
	calls []string
	err   error
}

func (f *fakeClosings) Answer(_ context.Context, _ time.Time, _ *bot.School, by bot.Actor, requestID string, step bot.ClosingStep, key string) error {
	f.calls = append(f.calls, fmt.Sprintf("%s %s %s %s", by.Handle, requestID, step, key))
	return f.err
}

func TestClosingClicks(t *testing.T) {
	ctx := context.Background()
	const rid = "req000000001"
	tests := []struct {
		name      string
		lang      string
		click     Click
		err       error
		wantCall  string
		wantUpd   string
		wantBtns  []string
		wantEphem string
	}{
		{name: "support", lang: catalog.LangNL, click: Click{From: anne, Action: "support-wandeling", RequestID: rid},
			wantCall: "anne " + rid + " support wandeling", wantUpd: "Even naar buiten / wandeling. En hoe ging het verder?",
			wantBtns: []string{"Kon in de groep blijven", "Even uit de groep", "Vervolg: ouders", "Vervolg: CJG", "Vervolg: externe hulp", "Vervolg: speciaal onderwijs", "📌 Bespreken in kernteam"}},
		{name: "outcome, en", lang: catalog.LangEN, click: Click{From: anne, Action: "outcome-vervolg_so", RequestID: rid},
			wantCall: "anne " + rid + " outcome vervolg_so", wantUpd: "Thank you, noted: Follow-up: special education.", wantBtns: []string{"📌 Discuss in kernteam"}},
		{name: "skip", lang: catalog.LangNL, click: Click{From: anne, Action: message.ActionClosingSkip, RequestID: rid},
			wantCall: "anne " + rid + " skip ", wantUpd: "Oké, overgeslagen.", wantBtns: []string{"📌 Bespreken in kernteam"}},
		{name: "a second tap", lang: catalog.LangNL, click: Click{From: anne, Action: "support-tips", RequestID: rid}, err: bot.ErrDuplicate,
			wantCall: "anne " + rid + " support tips", wantEphem: "Dit is al genoteerd; er telt niets extra mee."},
		{name: "someone else's request", lang: catalog.LangNL, click: Click{From: anne, Action: "support-tips", RequestID: rid}, err: bot.ErrNotYours,
			wantCall: "anne " + rid + " support tips", wantEphem: "explain"},
		{name: "a key the school no longer has", lang: catalog.LangNL, click: Click{From: anne, Action: "support-sova", RequestID: rid}, err: bot.ErrNotFound,
			wantCall: "anne " + rid + " support sova", wantEphem: "Deze keuze bestaat niet (meer). Er is niets geteld."},
		{name: "no request", lang: catalog.LangNL, click: Click{From: anne, Action: "support-tips"},
			wantEphem: "Deze knop hoort bij een eerdere vraag: de hulpvraag is inmiddels verder gegaan."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := &fakeClosings{err: tt.err}
			now := testNow(t)
			h := New(&fakeService{}, func() time.Time { return now }, nil, WithWeekly(&fakeWeekly{}, nil), WithClosing(cl))
			tt.click.School = testSchool(t, tt.lang)
			got := h.Click(ctx, tt.click)
			var calls []string
			if tt.wantCall != "" {
				calls = []string{tt.wantCall}
			}
			if !slices.Equal(cl.calls, calls) {
				t.Errorf("calls = %v; want %v", cl.calls, calls)
			}
			if tt.wantUpd != "" {
				if got.Update == nil || got.Update.Text != tt.wantUpd || got.Ephemeral != "" {
					t.Fatalf("click reply = %+v, %q; want the update %q", got.Update, got.Ephemeral, tt.wantUpd)
				}
				var labels []string
				for _, b := range got.Update.Buttons {
					labels = append(labels, b.Label)
					if b.RequestID != rid {
						t.Errorf("button %q names request %q", b.Label, b.RequestID)
					}
				}
				if !slices.Equal(labels, tt.wantBtns) {
					t.Errorf("buttons = %q, want %q", labels, tt.wantBtns)
				}
				return
			}
			if got.Update != nil || got.Ephemeral == "" || (tt.wantEphem != "explain" && got.Ephemeral != tt.wantEphem) {
				t.Errorf("click reply = %+v, %q; want only %q", got.Update, got.Ephemeral, tt.wantEphem)
			}
		})
	}
}

// Without WithClosing, "/hulp klaar" asks nothing.
func TestDoneAsksWhatHelpWasGiven(t *testing.T) {
	now := testNow(t)
	sc := testSchool(t, catalog.LangNL)
	sc.Closing = bot.Closing{Support: []bot.Choice{{Key: "gesprek"}, {Key: "sova", Labels: map[string]string{"nl": "Sova-oefening"}}}}
	for _, with := range []bool{true, false} {
		opts := []Option{WithWeekly(&fakeWeekly{}, nil)}
		if with {
			opts = append(opts, WithClosing(&fakeClosings{}))
		}
		h := New(&fakeService{req: bot.Request{ID: "req000000001", Group: "5"}}, func() time.Time { return now }, nil, opts...)
		r := h.Command(context.Background(), Command{School: sc, From: anne, Text: "klaar"})
		var labels []string
		for _, b := range r.Buttons {
			labels = append(labels, b.Label)
		}
		want := []string{"📌 Bespreken in kernteam"}
		if with {
			want = []string{"Kort gesprek", "Sova-oefening", "Overslaan", "📌 Bespreken in kernteam"}
		}
		if !slices.Equal(labels, want) {
			t.Errorf("with closing %v: buttons %q, want %q (reply %q)", with, labels, want, r.Text)
		}
	}
}
