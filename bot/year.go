package bot

import (
	"fmt"
	"time"
)

// The year's evidence: what a steering group and a samenwerkingsverband
// decide on. A school year runs from 1 August to 31 July. Everything here is
// counts per school and month — no names, no notes, no people.

// SchoolYear is the school year that starts on 1 August of Start.
type SchoolYear struct{ Start int }

// SchoolYearOf is the school year t falls in, in t's location.
func SchoolYearOf(t time.Time) SchoolYear {
	if t.Month() >= time.August {
		return SchoolYear{Start: t.Year()}
	}
	return SchoolYear{Start: t.Year() - 1}
}

// String is how Dutch schools write it: "2026-2027".
func (y SchoolYear) String() string { return fmt.Sprintf("%d-%d", y.Start, y.Start+1) }

// Months are the school year's months as "YYYY-MM", August first.
func (y SchoolYear) Months() []string {
	out := make([]string, 0, 12)
	for i := range 12 {
		m := time.Date(y.Start, time.August+time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// MonthFigures are one school's aggregates of one calendar month: counts
// and waiting times only. The Count* names of figures.go count the same
// events per month as per week.
type MonthFigures struct {
	Month string // "2026-09"

	Requests, Consults                int // urgent requests; calm meedenken questions
	Accepted, AcceptedFirst, PickedUp int
	AcceptedInTime                    int // accepted within the first offer's time
	Escalated, Cancelled, Resolved    int
	NoCover                           int
	Unpicked                          int            // escalated, closed at the end of the day unpicked
	ByGroup                           map[string]int // group id → requests
	ByDayPart                         map[string]int // day part name → requests
	Waits                             []time.Duration
	Support                           map[string]int // kind of support given (school's key) → closings
	Outcome                           map[string]int // outcome key → closings
	Stories                           int            // success stories shared
	Pulse                             Pulse          // "Hielp het?"
}

// SurveyFigures are the anonymous answers to one question of one survey in
// one period: how many answered 1 … 5.
type SurveyFigures struct {
	Survey   string // "pulse" (monthly), "collab.staff", "collab.helpers" (quarterly)
	Period   string // "2026-09" for a month, "2026-Q4" for a quarter
	Question string // the question's key in the catalogue
	Answers  [5]int // Answers[i] answered i+1
}

// MinSurveyAnswers is the fewest answers a survey result is shown for:
// fewer could tell who answered what.
const MinSurveyAnswers = 5

// Count is how many answered.
func (s SurveyFigures) Count() int {
	n := 0
	for _, a := range s.Answers {
		n += a
	}
	return n
}

// Mean is the average answer; ok is false below MinSurveyAnswers.
func (s SurveyFigures) Mean() (float64, bool) {
	n := s.Count()
	if n < MinSurveyAnswers {
		return 0, false
	}
	sum := 0
	for i, a := range s.Answers {
		sum += (i + 1) * a
	}
	return float64(sum) / float64(n), true
}

// YearFigures are one school's figures of one school year.
type YearFigures struct {
	School  string
	Year    SchoolYear
	Months  []MonthFigures // the year's months, August first; zero months included
	Surveys []SurveyFigures
}
