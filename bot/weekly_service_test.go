package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fakeWeekLog keeps the weekly data in maps.
type fakeWeekLog struct {
	counters map[string]map[string]int64 // week → counters
	waits    map[string][]time.Duration
	plain    map[string][]string
	signed   map[string][]Story
	pulses   []PulseAnswer
	agenda   []AgendaItem
	marked   []string // "request/helper" or "request/picker"
	themes   []AgendaTheme
	err      error
}

func newFakeWeekLog() *fakeWeekLog {
	return &fakeWeekLog{counters: map[string]map[string]int64{}, waits: map[string][]time.Duration{},
		plain: map[string][]string{}, signed: map[string][]Story{}}
}

func (f *fakeWeekLog) WeekStats(_ context.Context, _, week string) (map[string]int64, error) {
	return f.counters[week], f.err
}
func (f *fakeWeekLog) TimesToAccept(_ context.Context, _, week string) ([]time.Duration, error) {
	return f.waits[week], f.err
}
func (f *fakeWeekLog) Stories(_ context.Context, _, week string) ([]string, error) {
	return f.plain[week], f.err
}
func (f *fakeWeekLog) SignedStories(_ context.Context, _, week string) ([]Story, error) {
	return f.signed[week], f.err
}
func (f *fakeWeekLog) AddSignedStory(_ context.Context, _, week string, _ Address, s Story, _ time.Duration) error {
	f.signed[week] = append(f.signed[week], s)
	return f.err
}
func (f *fakeWeekLog) AddSignableStory(_ context.Context, _, week, _, text string, _ time.Duration) error {
	f.plain[week] = append(f.plain[week], text)
	return f.err
}
func (f *fakeWeekLog) SignStory(_ context.Context, _, _ string, _ Address, by string, _ time.Duration) (Story, error) {
	return Story{By: by}, f.err
}
func (f *fakeWeekLog) RecordPulse(_ context.Context, _ time.Time, _, _ string, _ Address, a PulseAnswer) error {
	f.pulses = append(f.pulses, a)
	return f.err
}
func (f *fakeWeekLog) AddAgendaItem(_ context.Context, _ time.Time, _, requestID, helperID, picker string, _ time.Duration) error {
	f.marked = append(f.marked, requestID+"/"+helperID+picker)
	return f.err
}
func (f *fakeWeekLog) AddAgendaTheme(_ context.Context, _ time.Time, _ string, t AgendaTheme, _ time.Duration) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	t.No = len(f.themes) + 1
	f.themes = append(f.themes, t)
	return t.No, nil
}
func (f *fakeWeekLog) AgendaThemes(_ context.Context, _ string) ([]AgendaTheme, error) {
	return f.themes, f.err
}
func (f *fakeWeekLog) CloseAgendaTheme(_ context.Context, _ string, no int) (AgendaTheme, error) {
	for i, t := range f.themes {
		if t.No == no {
			f.themes = slices.Delete(f.themes, i, i+1)
			return t, f.err
		}
	}
	return AgendaTheme{}, ErrNotFound
}
func (f *fakeWeekLog) AgendaItems(_ context.Context, _ string, upTo time.Time) ([]AgendaItem, error) {
	var out []AgendaItem
	for _, it := range f.agenda {
		if !it.MarkedAt.After(upTo) {
			out = append(out, it)
		}
	}
	return out, f.err
}
func (f *fakeWeekLog) RemoveAgendaItems(_ context.Context, _ string, ids []string) error {
	f.agenda = slices.DeleteFunc(f.agenda, func(it AgendaItem) bool { return slices.Contains(ids, it.RequestID) })
	return f.err
}

var _ WeekLog = (*fakeWeekLog)(nil)

func TestReportComparesWithOpenWeeks(t *testing.T) {
	sc := testSchool(t)
	sc.HolidayRegion = "midden"
	log := newFakeWeekLog()
	for i, w := range []string{"2026-W38", "2026-W39", "2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"} {
		log.counters[w] = map[string]int64{"requests": int64(10 + i), "escalated": 1}
		log.waits[w] = secs(60 * (i + 1))
	}
	log.counters["2026-W43"] = nil // the autumn holiday: nobody asked
	log.waits["2026-W43"] = nil
	log.plain["2026-W44"] = []string{"fijn"}
	log.signed["2026-W44"] = []Story{{Text: "mooi", By: "Anne"}}
	cal := NewCalendar()
	cal.Set(map[string][]Holiday{"midden": {herfst}})
	w := NewWeekly(log, cal, nil)

	r, err := w.Report(context.Background(), sc, "2026-W44")
	if err != nil {
		t.Fatal(err)
	}
	if r.Week.Week != "2026-W44" || r.Week.Requests != 16 || r.Week.Stories != 2 {
		t.Errorf("week = %s with %d requests, %d stories; want 2026-W44 with 16 and 2", r.Week.Week, r.Week.Requests, r.Week.Stories)
	}
	if !r.From.Equal(date(2026, 10, 26)) || !r.To.Equal(date(2026, 11, 1)) {
		t.Errorf("From, To = %v, %v; want 26 October and 1 November", r.From, r.To)
	}
	var prev []string
	for _, p := range r.Previous {
		prev = append(prev, p.Week)
	}
	// Week 43 was the autumn holiday: passed over.
	if want := []string{"2026-W42", "2026-W41", "2026-W40", "2026-W39"}; !slices.Equal(prev, want) {
		t.Errorf("Previous = %v; want %v", prev, want)
	}
	var chart []string
	for _, c := range r.Chart {
		chart = append(chart, c.Week)
	}
	if want := []string{"2026-W39", "2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"}; !slices.Equal(chart, want) {
		t.Errorf("Chart = %v; want %v", chart, want)
	}
	// (14 + 13 + 12 + 11) / 4 = 12.5 requests; waits 2, 3, 4, 5 min: median 3.5 min.
	if c := r.Compare(); c.Requests != 12.5 || c.MedianWait != 210*time.Second {
		t.Errorf("Compare = %+v; want 12.5 requests and a median of 3 min 30 s", c)
	}

	log.err = errors.New("boom")
	if _, err := w.Report(context.Background(), sc, "2026-W44"); err == nil {
		t.Error("Report with a failing store: no error")
	}
	if _, err := w.Report(context.Background(), sc, "week 44"); err == nil {
		t.Error("Report of a malformed week: no error")
	}
}

func TestHistory(t *testing.T) {
	log := newFakeWeekLog()
	log.counters["2027-W01"] = map[string]int64{"requests": 3}
	got, err := NewWeekly(log, nil, nil).History(context.Background(), testSchool(t), "2027-W01", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Week != "2026-W52" || got[1].Week != "2026-W53" || got[2].Week != "2027-W01" || got[2].Requests != 3 {
		t.Errorf("History = %+v; want weeks 52, 53 of 2026 and 1 of 2027", got)
	}
}

func TestAgendaLifecycle(t *testing.T) {
	sc := testSchool(t)
	log := newFakeWeekLog()
	log.counters["2026-W48"] = map[string]int64{"requests": 5, "group:5": 3, "group:3": 2}
	log.agenda = []AgendaItem{
		{RequestID: "r1", Group: "5", MarkedAt: at(2026, 11, 24, 11, 0)},
		{RequestID: "r2", Group: "3", MarkedAt: at(2026, 11, 30, 9, 0)}, // after the reminder
	}
	w := NewWeekly(log, nil, nil)
	tick := w.Plan(sc, JobReminder, at(2026, 11, 30, 8, 15))
	a, err := w.Agenda(context.Background(), sc, tick)
	if err != nil {
		t.Fatal(err)
	}
	if a.Week.Week != "2026-W48" || len(a.Top) != 2 || a.Top[0].Group != "5" || len(a.Items) != 1 || a.Items[0].RequestID != "r1" {
		t.Fatalf("Agenda = %+v; want week 48, groups 5 and 3, item r1", a)
	}
	if err := w.AgendaPosted(context.Background(), sc, a); err != nil {
		t.Fatal(err)
	}
	if len(log.agenda) != 1 || log.agenda[0].RequestID != "r2" {
		t.Errorf("agenda after the post = %+v; want only r2", log.agenda)
	}
}

func TestSuccessesAndSigning(t *testing.T) {
	sc := testSchool(t)
	sc.Coordinators = []Coordinator{{Name: "Sanne", Accounts: Accounts{{Platform: mattermost, Handle: "ib.sanne"}}}}
	log := newFakeWeekLog()
	log.plain["2026-W48"] = []string{"rustige gymles"}
	w := NewWeekly(log, nil, nil)
	now := at(2026, 11, 26, 10, 0)
	ctx := context.Background()

	for _, tt := range []struct {
		by   Actor
		want string
	}{
		{Actor{Address: Address{Platform: mattermost, Handle: "ANNE"}, Name: "anne.j"}, "Anne"}, // the configured name
		{Actor{Address: Address{Platform: mattermost, Handle: "ib.sanne"}}, "Sanne"},
		{Actor{Address: Address{Platform: mattermost, Handle: "marie"}, Name: " Marie "}, "Marie"},
		{Actor{Address: Address{Platform: shell, Handle: "juf.marie"}}, "juf.marie"},
	} {
		if got := Signature(sc, tt.by); got != tt.want {
			t.Errorf("Signature(%v) = %q; want %q", tt.by, got, tt.want)
		}
	}

	long := strings.Repeat("é", MaxNoteLen+10)
	if err := w.ShareSignedStory(ctx, now, sc, Actor{Address: Address{Platform: mattermost, Handle: "anne"}}, "  "+long); err != nil {
		t.Fatal(err)
	}
	if err := w.ShareSignedStory(ctx, now, sc, Actor{Address: Address{Platform: mattermost, Handle: "anne"}}, "  "); err == nil {
		t.Error("an empty signed story: no error")
	}
	got, err := w.Successes(ctx, sc, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Story{Text: "rustige gymles"}) || got[1].By != "Anne" || utf8.RuneCountInString(got[1].Text) != MaxNoteLen {
		t.Errorf("Successes = %+v; want the plain story, then Anne's capped at %d", got, MaxNoteLen)
	}
}

func TestPulseAndMark(t *testing.T) {
	sc := testSchool(t)
	log := newFakeWeekLog()
	w := NewWeekly(log, nil, nil)
	ctx, now := context.Background(), at(2026, 11, 26, 10, 0)
	teacher := Actor{Address: Address{Platform: mattermost, Handle: "marie"}}
	anne := Actor{Address: Address{Platform: mattermost, Handle: "anne"}}

	if err := w.Pulse(ctx, now, sc, teacher, "r1", PulseSelf); err != nil {
		t.Fatal(err)
	}
	if err := w.Pulse(ctx, now, sc, teacher, "r1", "maybe"); err == nil {
		t.Error("Pulse with an unknown answer: no error")
	}
	if !slices.Equal(log.pulses, []PulseAnswer{PulseSelf}) {
		t.Errorf("pulses = %v; want [self]", log.pulses)
	}
	// A teacher who picked it up in the channel marks it as the picker;
	// the store checks that it is theirs.
	if err := w.MarkForKernteam(ctx, now, sc, teacher, "r2"); err != nil {
		t.Fatal(err)
	}
	if err := w.MarkForKernteam(ctx, now, sc, anne, "r1"); err != nil {
		t.Fatal(err)
	}
	log.err = ErrDuplicate
	if err := w.MarkForKernteam(ctx, now, sc, anne, "r1"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("MarkForKernteam twice = %v; want ErrDuplicate", err)
	}
	if !slices.Equal(log.marked, []string{"r2/mattermost:marie", "r1/anne", "r1/anne"}) {
		t.Errorf("marked = %v", log.marked)
	}
}

func TestAgendaThemesAndComparison(t *testing.T) {
	sc := testSchool(t)
	log := newFakeWeekLog()
	w := NewWeekly(log, nil, nil)
	ctx, now := context.Background(), at(2026, 11, 26, 10, 0) // Thursday, week 48
	teacher := Actor{Address: Address{Platform: mattermost, Handle: "marie"}}
	anne := Actor{Address: Address{Platform: mattermost, Handle: "anne"}}

	if _, err := w.AddTheme(ctx, now, sc, "  \t "); !errors.Is(err, ErrEmpty) {
		t.Errorf("AddTheme(blank) = %v; want ErrEmpty", err)
	}
	no, err := w.AddTheme(ctx, now, sc, "ouderavond over   prestatiedruk")
	if err != nil || no != 1 {
		t.Fatalf("AddTheme = %d, %v; want 1", no, err)
	}
	if _, err := w.CloseTheme(ctx, sc, teacher, 1); !errors.Is(err, ErrNotKernteam) {
		t.Errorf("CloseTheme by a teacher = %v; want ErrNotKernteam", err)
	}
	log.counters["2026-W48"] = map[string]int64{CountRequests: 5}
	log.counters["2026-W47"] = map[string]int64{CountRequests: 3}
	a, err := w.Agenda(ctx, sc, PlanTick(sc, JobReminder, now, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Themes) != 1 || a.Themes[0].Text != "ouderavond over prestatiedruk" {
		t.Errorf("themes = %+v; want the one, spaces squeezed", a.Themes)
	}
	if !a.HasPrevious || a.Previous.Week != "2026-W47" || a.Previous.Requests != 3 || a.Week.Requests != 5 {
		t.Errorf("agenda weeks = %s (%d) after %s (%d, %v); want W48 (5) after W47 (3)", a.Week.Week, a.Week.Requests, a.Previous.Week, a.Previous.Requests, a.HasPrevious)
	}
	if _, err := w.CloseTheme(ctx, sc, anne, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CloseTheme(ctx, sc, anne, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("CloseTheme twice = %v; want ErrNotFound", err)
	}
}
