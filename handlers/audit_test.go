package handlers

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
)

type fakeAudit struct {
	mu      sync.Mutex
	err     error
	schools []string
	entries []bot.AuditEntry
}

func (f *fakeAudit) RecordAudit(_ context.Context, school string, e bot.AuditEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.schools = append(f.schools, school)
	f.entries = append(f.entries, e)
	return nil
}

// TestAuditOfOverview: every overview and CSV a coordinator sees is
// recorded (who, when, what, which school); a refused one is not; one that
// cannot be recorded is not shown.
func TestAuditOfOverview(t *testing.T) {
	ctx := context.Background()
	now := testNow(t)
	handler := func(a *fakeAudit) *Handler {
		r := testReport()
		wk := &fakeWeekly{report: r, history: []bot.WeekFigures{r.Week}}
		return New(&fakeService{}, func() time.Time { return now }, nil, WithWeekly(wk, nil), WithAudit(a))
	}
	sc := testSchool(t, catalog.LangNL)

	a := &fakeAudit{}
	h := handler(a)
	h.Command(ctx, Command{School: sc, From: coordinator, Text: "overzicht"})
	h.Command(ctx, Command{School: sc, From: coordinator, Text: "overzicht csv"})
	h.Command(ctx, Command{School: sc, From: teacher, Text: "overzicht"}) // refused: nothing seen, nothing recorded
	want := []bot.AuditEntry{
		{At: now, Who: coordinator.Address, Action: bot.AuditOverview, Detail: "2026-W48"},
		{At: now, Who: coordinator.Address, Action: bot.AuditOverviewCSV, Detail: "2026-W48"},
	}
	if len(a.entries) != len(want) {
		t.Fatalf("recorded %+v; want %+v", a.entries, want)
	}
	for i := range want {
		if a.entries[i] != want[i] || a.schools[i] != sc.ID {
			t.Errorf("entry %d: %+v at %s; want %+v at %s", i, a.entries[i], a.schools[i], want[i], sc.ID)
		}
	}

	down := &fakeAudit{err: bot.ErrUnavailable}
	got := handler(down).Command(ctx, Command{School: sc, From: coordinator, Text: "overzicht"})
	if got.Text != "hulpbot kan dit nu niet verwerken — loop even binnen bij de IB'er of de directie." {
		t.Errorf("an overview that could not be recorded: %q; want it not shown", got.Text)
	}
}
