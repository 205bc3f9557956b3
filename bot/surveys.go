package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// The surveys: a monthly pulse to staff who asked for help that month, and
// each quarter a survey of the collaboration in both directions. Answers
// are 1 … 5 and kept as counts per school, survey, period and question:
// who answered is kept only to let each person answer once per period.
const (
	SurveyPulse         = "pulse"          // monthly, to staff who asked for help
	SurveyCollabStaff   = "collab.staff"   // quarterly, staff about the youth care they work with
	SurveyCollabHelpers = "collab.helpers" // quarterly, helpers about the school
)

// SurveyNames lists the surveys in the order reports show them.
var SurveyNames = []string{SurveyPulse, SurveyCollabStaff, SurveyCollabHelpers}

// SurveyQuestions are the question keys of each survey, in order; their
// words are in the catalogue.
func SurveyQuestions(survey string) []string {
	switch survey {
	case SurveyPulse:
		return []string{"supported", "confident"}
	case SurveyCollabStaff:
		return []string{"reachable", "helpful"}
	case SurveyCollabHelpers:
		return []string{"welcome", "agreements"}
	}
	return nil
}

// Monthly reports whether survey's period is a month ("2026-09"); the
// others' is a quarter ("2026-Q4").
func Monthly(survey string) bool { return survey == SurveyPulse }

// JobSurveys sends the surveys that are due (SurveysDue) as direct
// messages, each person once per survey and period. It runs on the
// school's Surveys.Cron (weekly, say Friday afternoon) and is off without
// one.
const JobSurveys Job = "surveys"

// Surveys is a school's survey schedule.
type Surveys struct {
	// Cron is when the job looks for surveys due; "" for no surveys.
	Cron string
}

// The windows of the surveys, in days of the month (school time zone).
const (
	// PulseUntilDay: the pulse about a month goes out from the first
	// school day of the next month up to this day, so a holiday at the
	// start of a month delays it but does not lose it.
	PulseUntilDay = 21
	// CollabFromDay: the quarterly survey goes out in the quarter's last
	// month from this day on (the second week: before the Christmas
	// holiday in December).
	CollabFromDay = 8
)

// SurveyDue is one survey to send at a tick.
type SurveyDue struct {
	Survey string
	Period string // "2026-11" or "2026-Q4"
	// AskedIn are the months whose requesters get it (the staff surveys);
	// none for the helpers' survey, which goes to the school's helpers.
	AskedIn []string
}

// SurveysDue are the surveys due at at (school time zone): the pulse about
// last month until PulseUntilDay, to whoever asked for help in it; in the
// last month of a quarter from CollabFromDay on, the collaboration surveys
// of that quarter — staff who asked for help in the quarter, about the
// youth care; the helpers, about the school. Sending each person once per
// period is the caller's part.
func SurveysDue(s *School, at time.Time) []SurveyDue {
	l := at.In(s.Location)
	var out []SurveyDue
	if l.Day() <= PulseUntilDay {
		prev := time.Date(l.Year(), l.Month(), 1, 12, 0, 0, 0, s.Location).AddDate(0, -1, 0)
		out = append(out, SurveyDue{Survey: SurveyPulse, Period: MonthOf(prev), AskedIn: []string{MonthOf(prev)}})
	}
	if l.Month()%3 == 0 && l.Day() >= CollabFromDay {
		first := time.Date(l.Year(), l.Month()-2, 1, 12, 0, 0, 0, s.Location)
		var months []string
		for i := range 3 {
			months = append(months, MonthOf(first.AddDate(0, i, 0)))
		}
		q := QuarterOf(l)
		out = append(out, SurveyDue{Survey: SurveyCollabStaff, Period: q, AskedIn: months},
			SurveyDue{Survey: SurveyCollabHelpers, Period: q})
	}
	return out
}

// ValidSurveyPeriod reports whether period is a period of survey.
func ValidSurveyPeriod(survey, period string) bool {
	if Monthly(survey) {
		_, err := ParseMonth(period)
		return err == nil
	}
	var y, q int
	n, err := fmt.Sscanf(period, "%4d-Q%1d", &y, &q)
	return err == nil && n == 2 && q >= 1 && q <= 4 && len(period) == 7 && SurveyQuestions(survey) != nil
}

// SurveyLog is what the surveys need of the store.
type SurveyLog interface {
	// Asked lists who asked for help in the months, once each: their
	// pseudonym and address.
	Asked(ctx context.Context, school string, months []string) (map[string]Address, error)
	// SurveySent reports which of the pseudonyms were sent survey's period.
	SurveySent(ctx context.Context, school, survey, period string, pseudonyms []string) (map[string]bool, error)
	// MarkSurveySent notes that the pseudonyms were sent it.
	MarkSurveySent(ctx context.Context, school, survey, period string, pseudonyms []string) error
	// RecordSurveyAnswer counts who's answer (1 … 5) to a question, once
	// per person, question and period: a second answer is ErrDuplicate.
	RecordSurveyAnswer(ctx context.Context, school, survey, period, question string, who Address, answer int) error
}

// SurveyRuns are the survey use cases.
type SurveyRuns struct {
	store SurveyLog
	log   *slog.Logger
}

// NewSurveyRuns returns the survey use cases on store.
func NewSurveyRuns(store SurveyLog, log *slog.Logger) *SurveyRuns {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SurveyRuns{store: store, log: log.With("component", "surveys")}
}

// SurveyRecipient is one person a survey goes to.
type SurveyRecipient struct {
	Pseudonym string
	Address   Address
}

// Recipients are who still gets due at school s (not sent it before), on
// the platforms on (any when empty), in a stable order. names gives the
// pseudonym of a helper's address.
func (r *SurveyRuns) Recipients(ctx context.Context, s *School, due SurveyDue, on []Platform, names func(context.Context, string) (string, error)) ([]SurveyRecipient, error) {
	all := map[string]Address{}
	if due.Survey == SurveyCollabHelpers {
		for _, h := range s.Helpers {
			for _, a := range h.Accounts {
				if len(on) > 0 && !slices.Contains(on, a.Platform) {
					continue
				}
				p, err := names(ctx, a.Identity())
				if err != nil {
					return nil, err
				}
				all[p] = a
				break // one account: the first platform the helper is on
			}
		}
	} else {
		got, err := r.store.Asked(ctx, s.ID, due.AskedIn)
		if err != nil {
			return nil, fmt.Errorf("survey %s: who asked: %w", due.Survey, err)
		}
		for p, a := range got {
			if len(on) == 0 || slices.Contains(on, a.Platform) {
				all[p] = a
			}
		}
	}
	ps := make([]string, 0, len(all))
	for p := range all {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	sent, err := r.store.SurveySent(ctx, s.ID, due.Survey, due.Period, ps)
	if err != nil {
		return nil, fmt.Errorf("survey %s: sent: %w", due.Survey, err)
	}
	var out []SurveyRecipient
	for _, p := range ps {
		if !sent[p] {
			out = append(out, SurveyRecipient{Pseudonym: p, Address: all[p]})
		}
	}
	return out, nil
}

// Sent notes that the recipients were sent due.
func (r *SurveyRuns) Sent(ctx context.Context, s *School, due SurveyDue, to []SurveyRecipient) error {
	ps := make([]string, len(to))
	for i, t := range to {
		ps[i] = t.Pseudonym
	}
	return r.store.MarkSurveySent(ctx, s.ID, due.Survey, due.Period, ps)
}

// Answer counts by's answer to a question of survey in period.
func (r *SurveyRuns) Answer(ctx context.Context, s *School, by Actor, survey, period, question string, answer int) error {
	if answer < 1 || answer > 5 || !slices.Contains(SurveyQuestions(survey), question) || !ValidSurveyPeriod(survey, period) {
		return fmt.Errorf("survey %s %s %s: %w", survey, period, question, ErrNotFound)
	}
	if err := r.store.RecordSurveyAnswer(ctx, s.ID, survey, period, question, by.Address, answer); err != nil {
		return fmt.Errorf("survey answer: %w", err)
	}
	r.log.Info("survey answered", "school", s.ID, "survey", survey, "period", period)
	return nil
}
