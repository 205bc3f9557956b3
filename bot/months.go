package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Names of counters the store keeps beside those of figures.go, per week
// and per month like the others. Counts only: which kind of support, which
// outcome, never for whom.
const (
	CountAcceptedInTime = "accepted_in_time" // accepted within the first offer's time
	CountConsults       = "consults"         // calm meedenken questions
	PrefixSupport       = "support:"         // + the school's support key: closings per kind of support given
	PrefixOutcome       = "outcome:"         // + outcome key: closings per outcome
)

// MonthOf is the calendar month of t in t's location, e.g. "2026-12".
func MonthOf(t time.Time) string { return t.Format("2006-01") }

// ParseMonth reads "2026-12" and returns the first of that month, midnight UTC.
func ParseMonth(m string) (time.Time, error) {
	t, err := time.Parse("2006-01", m)
	if err != nil || len(m) != 7 {
		return time.Time{}, fmt.Errorf("month %q is not like 2026-12", m)
	}
	return t, nil
}

// QuarterOf is the calendar quarter of t in t's location, e.g. "2026-Q4":
// the period of the quarterly surveys.
func QuarterOf(t time.Time) string {
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// Quarters are the periods of the quarterly surveys that belong to the
// school year: the calendar quarters most of whose months fall in it —
// July to September with the year that starts in August, and the three
// after it.
func (y SchoolYear) Quarters() []string {
	return []string{
		fmt.Sprintf("%d-Q3", y.Start), fmt.Sprintf("%d-Q4", y.Start),
		fmt.Sprintf("%d-Q1", y.Start+1), fmt.Sprintf("%d-Q2", y.Start+1),
	}
}

// SchoolYearOfMonth is the school year a month ("2026-12") falls in.
func SchoolYearOfMonth(m string) (SchoolYear, error) {
	t, err := ParseMonth(m)
	if err != nil {
		return SchoolYear{}, err
	}
	return SchoolYearOf(t), nil
}

// MonthFiguresFrom builds the figures of month from the store's counters
// (the Count* and Prefix* names), waiting times and number of stories.
func MonthFiguresFrom(month string, counters map[string]int64, waits []time.Duration, stories int) MonthFigures {
	w := FiguresFrom(month, counters, waits, stories)
	f := MonthFigures{
		Month:    month,
		Requests: w.Requests, Consults: int(counters[CountConsults]),
		Accepted: w.Accepted, AcceptedFirst: w.AcceptedFirst, PickedUp: w.PickedUp,
		AcceptedInTime: int(counters[CountAcceptedInTime]),
		Escalated:      w.Escalated, Cancelled: w.Cancelled, Resolved: w.Resolved,
		NoCover:   w.NoCover,
		Unpicked:  w.Unpicked,
		ByGroup:   w.ByGroup,
		ByDayPart: w.ByDayPart,
		Waits:     w.Waits,
		Support:   map[string]int{},
		Outcome:   map[string]int{},
		Stories:   stories,
		Pulse:     w.Pulse,
	}
	for k, v := range counters {
		if s, ok := strings.CutPrefix(k, PrefixSupport); ok && v != 0 {
			f.Support[s] = int(v)
		}
		if o, ok := strings.CutPrefix(k, PrefixOutcome); ok && v != 0 {
			f.Outcome[o] = int(v)
		}
	}
	return f
}

// YearsOfMonths are the school years the months ("2026-12") fall in,
// latest first; months that do not parse are left out.
func YearsOfMonths(months []string) []SchoolYear {
	var out []SchoolYear
	for _, m := range months {
		y, err := SchoolYearOfMonth(m)
		if err == nil && !slices.Contains(out, y) {
			out = append(out, y)
		}
	}
	slices.SortFunc(out, func(a, b SchoolYear) int { return b.Start - a.Start })
	return out
}
