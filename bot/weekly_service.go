package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// WeekLog is what the weekly rhythm reads and writes in the store: the
// weekly counters (aggregates only), success stories, the answers to
// "Hielp het?" and the kernteam's agenda.
type WeekLog interface {
	// WeekStats returns the counters of a week (see the Count* names);
	// counters never incremented are absent.
	WeekStats(ctx context.Context, school, week string) (map[string]int64, error)
	// TimesToAccept returns the waits of the week's accepted requests.
	TimesToAccept(ctx context.Context, school, week string) ([]time.Duration, error)
	// Stories returns the week's unsigned success stories (Store.AddStory).
	Stories(ctx context.Context, school, week string) ([]string, error)
	// SignedStories returns the week's signed success stories.
	SignedStories(ctx context.Context, school, week string) ([]Story, error)
	// AddSignedStory keeps a story author signed for the week's post, and
	// who its author is, so their export and erasure find the signature.
	AddSignedStory(ctx context.Context, school, week string, author Address, s Story, retention time.Duration) error
	// AddSignableStory keeps an unsigned story for the week's post, under
	// id, so its author can sign it later.
	AddSignableStory(ctx context.Context, school, week, id, text string, retention time.Duration) error
	// SignStory puts the name by of author under the story kept as id,
	// once; ErrNotFound when it is signed already or too old.
	SignStory(ctx context.Context, school, id string, author Address, by string, retention time.Duration) (Story, error)

	// RecordPulse counts requester's answer to "Hielp het?" for a resolved
	// request of theirs, once per request: a second answer is ErrDuplicate,
	// someone else's request ErrNotYours, one not resolved ErrClosed. Only
	// the count is kept, in the week of the request.
	RecordPulse(ctx context.Context, now time.Time, school, requestID string, requester Address, a PulseAnswer) error

	// AddAgendaItem puts a request helperID accepted on the kernteam's
	// agenda — or, with helperID "", one picker (Address.Identity) took
	// from the fallback channel; ErrNotYours when someone else helped,
	// ErrDuplicate when it is on the agenda already. Items expire after
	// retention.
	AddAgendaItem(ctx context.Context, now time.Time, school, requestID, helperID, picker string, retention time.Duration) error
	// AgendaItems lists the items marked at or before upTo, oldest first;
	// items whose request has expired are left out.
	AgendaItems(ctx context.Context, school string, upTo time.Time) ([]AgendaItem, error)
	// RemoveAgendaItems takes items off the agenda once a reminder listed them.
	RemoveAgendaItems(ctx context.Context, school string, requestIDs []string) error

	// AddAgendaTheme puts a theme on the kernteam's agenda and returns its
	// number: the lowest free one, so numbers stay small. A theme for a
	// consult (t.ConsultID) is there once: a second is ErrDuplicate. The
	// agenda's themes expire retention after the last one was added.
	AddAgendaTheme(ctx context.Context, now time.Time, school string, t AgendaTheme, retention time.Duration) (int, error)
	// AgendaThemes lists the themes on the agenda, by number.
	AgendaThemes(ctx context.Context, school string) ([]AgendaTheme, error)
	// CloseAgendaTheme takes theme no off the agenda; ErrNotFound when
	// there is no such theme.
	CloseAgendaTheme(ctx context.Context, school string, no int) (AgendaTheme, error)
}

// Weekly runs the use cases of the weekly rhythm: the figures and digest
// of a week, the kernteam's agenda, success stories and the satisfaction
// pulse. Like Service it keeps no state but the calendar of holidays, so
// any number of processes can share a store.
type Weekly struct {
	store WeekLog
	cal   *Calendar
	log   *slog.Logger
}

// NewWeekly returns the weekly use cases on store; cal holds the
// government's school holidays (nil: only the schools' own closed days).
func NewWeekly(store WeekLog, cal *Calendar, log *slog.Logger) *Weekly {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Weekly{store: store, cal: cal, log: log.With("component", "weekly")}
}

// Calendar is the calendar of government school holidays Weekly reads.
func (w *Weekly) Calendar() *Calendar { return w.cal }

// Holidays are all the days the school is closed.
func (w *Weekly) Holidays(s *School) []Holiday { return w.cal.Holidays(s) }

// Plan decides what job does at the scheduled time at: see PlanTick.
func (w *Weekly) Plan(s *School, job Job, at time.Time) Tick {
	return PlanTick(s, job, at, w.Holidays(s))
}

// Figures reads the aggregates of one week.
func (w *Weekly) Figures(ctx context.Context, s *School, week string) (WeekFigures, error) {
	counters, err := w.store.WeekStats(ctx, s.ID, week)
	if err != nil {
		return WeekFigures{}, fmt.Errorf("figures of %s: %w", week, err)
	}
	waits, err := w.store.TimesToAccept(ctx, s.ID, week)
	if err != nil {
		return WeekFigures{}, fmt.Errorf("figures of %s: %w", week, err)
	}
	plain, err := w.store.Stories(ctx, s.ID, week)
	if err != nil {
		return WeekFigures{}, fmt.Errorf("figures of %s: %w", week, err)
	}
	signed, err := w.store.SignedStories(ctx, s.ID, week)
	if err != nil {
		return WeekFigures{}, fmt.Errorf("figures of %s: %w", week, err)
	}
	return FiguresFrom(week, counters, waits, len(plain)+len(signed)), nil
}

// Report is the coordinators' digest of week: its figures, up to
// CompareWeeks earlier weeks in which the school was open, and the
// ChartWeeks weeks of the chart.
func (w *Weekly) Report(ctx context.Context, s *School, week string) (WeekReport, error) {
	monday, err := ParseWeek(week)
	if err != nil {
		return WeekReport{}, fmt.Errorf("report: %w", err)
	}
	seen := map[string]WeekFigures{}
	fig := func(wk string) (WeekFigures, error) {
		if f, ok := seen[wk]; ok {
			return f, nil
		}
		f, err := w.Figures(ctx, s, wk)
		if err == nil {
			seen[wk] = f
		}
		return f, err
	}
	r := WeekReport{From: monday, To: monday.AddDate(0, 0, 6)}
	if r.Week, err = fig(week); err != nil {
		return WeekReport{}, fmt.Errorf("report: %w", err)
	}
	holidays := w.Holidays(s)
	for back := 1; back <= CompareWeeks+maxLookBack && len(r.Previous) < CompareWeeks; back++ {
		m := monday.AddDate(0, 0, -7*back)
		if WeekClosed(m, holidays) {
			continue
		}
		f, err := fig(WeekOf(m))
		if err != nil {
			return WeekReport{}, fmt.Errorf("report: %w", err)
		}
		r.Previous = append(r.Previous, f)
	}
	for back := ChartWeeks - 1; back >= 0; back-- {
		f, err := fig(WeekOf(monday.AddDate(0, 0, -7*back)))
		if err != nil {
			return WeekReport{}, fmt.Errorf("report: %w", err)
		}
		r.Chart = append(r.Chart, f)
	}
	return r, nil
}

// History lists the figures of n calendar weeks ending with week, oldest
// first: the steering group's export.
func (w *Weekly) History(ctx context.Context, s *School, week string, n int) ([]WeekFigures, error) {
	monday, err := ParseWeek(week)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	out := make([]WeekFigures, 0, n)
	for back := n - 1; back >= 0; back-- {
		f, err := w.Figures(ctx, s, WeekOf(monday.AddDate(0, 0, -7*back)))
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Agenda is what the kernteam reminder at t lists: the figures of t.Week
// and of the school week before it, the groups that asked most, the themes
// on the agenda, and the items marked for the kernteam up to t.At that no
// reminder listed yet.
func (w *Weekly) Agenda(ctx context.Context, s *School, t Tick) (Agenda, error) {
	f, err := w.Figures(ctx, s, t.Week)
	if err != nil {
		return Agenda{}, fmt.Errorf("agenda: %w", err)
	}
	a := Agenda{Week: f, Top: f.TopGroups(s, AgendaTop)}
	if prev, ok := w.previousOpenWeek(s, t.Week); ok {
		if a.Previous, err = w.Figures(ctx, s, prev); err != nil {
			return Agenda{}, fmt.Errorf("agenda: %w", err)
		}
		a.HasPrevious = true
	}
	if a.Items, err = w.store.AgendaItems(ctx, s.ID, t.At); err != nil {
		return Agenda{}, fmt.Errorf("agenda: %w", err)
	}
	if a.Themes, err = w.store.AgendaThemes(ctx, s.ID); err != nil {
		return Agenda{}, fmt.Errorf("agenda: %w", err)
	}
	return a, nil
}

// previousOpenWeek is the last week before week with a school day in it.
func (w *Weekly) previousOpenWeek(s *School, week string) (string, bool) {
	monday, err := ParseWeek(week)
	if err != nil {
		return "", false
	}
	holidays := w.Holidays(s)
	for back := 1; back <= maxLookBack; back++ {
		if m := monday.AddDate(0, 0, -7*back); !WeekClosed(m, holidays) {
			return WeekOf(m), true
		}
	}
	return "", false
}

// AddTheme puts a theme on the kernteam's agenda for its next meeting and
// returns its number. Anyone of the school may; the command layer has
// refused a theme that names a child before it gets here.
func (w *Weekly) AddTheme(ctx context.Context, now time.Time, s *School, text string) (int, error) {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return 0, ErrEmpty
	}
	no, err := w.store.AddAgendaTheme(ctx, now, s.ID, AgendaTheme{Text: capRunes(text, MaxNoteLen), At: now}, s.Retention)
	if err != nil {
		return 0, fmt.Errorf("add theme: %w", err)
	}
	w.log.Info("agenda theme added", "school", s.ID, "no", no)
	return no, nil
}

// Themes lists the themes on the kernteam's agenda.
func (w *Weekly) Themes(ctx context.Context, s *School) ([]AgendaTheme, error) {
	ts, err := w.store.AgendaThemes(ctx, s.ID)
	if err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	return ts, nil
}

// CloseTheme takes theme no off the agenda: for the kernteam's members
// (helpers and coordinators), who discussed it.
func (w *Weekly) CloseTheme(ctx context.Context, s *School, by Actor, no int) (AgendaTheme, error) {
	if !s.IsKernteam(by.Address) {
		return AgendaTheme{}, ErrNotKernteam
	}
	t, err := w.store.CloseAgendaTheme(ctx, s.ID, no)
	if err != nil {
		return AgendaTheme{}, fmt.Errorf("close theme %d: %w", no, err)
	}
	w.log.Info("agenda theme closed", "school", s.ID, "no", no)
	return t, nil
}

// AgendaPosted takes the items a reminder listed off the agenda.
func (w *Weekly) AgendaPosted(ctx context.Context, s *School, a Agenda) error {
	if len(a.Items) == 0 {
		return nil
	}
	ids := make([]string, len(a.Items))
	for i, it := range a.Items {
		ids[i] = it.RequestID
	}
	if err := w.store.RemoveAgendaItems(ctx, s.ID, ids); err != nil {
		return fmt.Errorf("agenda posted: %w", err)
	}
	return nil
}

// Successes are the week's success stories: the unsigned ones, then the
// signed ones with their author.
func (w *Weekly) Successes(ctx context.Context, s *School, week string) ([]Story, error) {
	plain, err := w.store.Stories(ctx, s.ID, week)
	if err != nil {
		return nil, fmt.Errorf("successes: %w", err)
	}
	signed, err := w.store.SignedStories(ctx, s.ID, week)
	if err != nil {
		return nil, fmt.Errorf("successes: %w", err)
	}
	out := make([]Story, 0, len(plain)+len(signed))
	for _, t := range plain {
		out = append(out, Story{Text: t})
	}
	return append(out, signed...), nil
}

// errEmptyStory: a story without text reaches no store.
var errEmptyStory = errors.New("share story: empty")

// ShareSignedStory keeps a success story with its author's name, because
// the author chose to sign it: the helper's or coordinator's configured
// name, else the name the platform gives.
func (w *Weekly) ShareSignedStory(ctx context.Context, now time.Time, s *School, by Actor, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return errEmptyStory
	}
	st := Story{Text: capRunes(text, MaxNoteLen), By: Signature(s, by)}
	if err := w.store.AddSignedStory(ctx, s.ID, s.Week(now), by.Address, st, s.Retention); err != nil {
		return fmt.Errorf("share signed story: %w", err)
	}
	return nil
}

// ShareStory keeps a success story without its author's name and returns
// the id by which the author may still sign it ("Met mijn naam").
func (w *Weekly) ShareStory(ctx context.Context, now time.Time, s *School, text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", errEmptyStory
	}
	id := NewRequestID()
	if err := w.store.AddSignableStory(ctx, s.ID, s.Week(now), id, capRunes(text, MaxNoteLen), s.Retention); err != nil {
		return "", fmt.Errorf("share story: %w", err)
	}
	return id, nil
}

// SignStory puts its author's name under the story shared as id, because
// they pressed "Met mijn naam".
func (w *Weekly) SignStory(ctx context.Context, s *School, by Actor, id string) (Story, error) {
	st, err := w.store.SignStory(ctx, s.ID, id, by.Address, Signature(s, by), s.Retention)
	if err != nil {
		return Story{}, fmt.Errorf("sign story: %w", err)
	}
	return st, nil
}

// Signature is the name a signed story carries.
func Signature(s *School, by Actor) string {
	if h, ok := s.Helper(by.Address); ok {
		return h.Name
	}
	for _, c := range s.Coordinators {
		if acc := c.Accounts.On(by.Platform); acc != "" && strings.EqualFold(acc, by.Handle) {
			return c.Name
		}
	}
	if n := strings.TrimSpace(by.Name); n != "" {
		return n
	}
	return by.Handle
}

// Pulse counts a teacher's answer to "Hielp het?" for their resolved
// request, once.
func (w *Weekly) Pulse(ctx context.Context, now time.Time, s *School, by Actor, requestID string, a PulseAnswer) error {
	if !a.Valid() {
		return fmt.Errorf("pulse: answer %q: %w", a, ErrNotFound)
	}
	if err := w.store.RecordPulse(ctx, now, s.ID, requestID, by.Address, a); err != nil {
		return fmt.Errorf("pulse: %w", err)
	}
	w.log.Info("pulse", "school", s.ID, "request", requestID)
	return nil
}

// MarkForKernteam puts a request on the kernteam's agenda ("bespreken in
// kernteam"): one the helper worked on, or one the person who is no helper
// took from the fallback channel.
func (w *Weekly) MarkForKernteam(ctx context.Context, now time.Time, s *School, by Actor, requestID string) error {
	helperID, picker := "", by.Identity()
	if h, ok := s.Helper(by.Address); ok {
		helperID, picker = h.ID, ""
	}
	if err := w.store.AddAgendaItem(ctx, now, s.ID, requestID, helperID, picker, s.Retention); err != nil {
		return fmt.Errorf("mark for kernteam: %w", err)
	}
	w.log.Info("marked for kernteam", "school", s.ID, "request", requestID, "helper", Mask(helperID))
	return nil
}
