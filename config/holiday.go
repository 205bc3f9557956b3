package config

import (
	"fmt"
	"strings"
	"time"
)

// Holiday is a run of closed days, First to Last inclusive. Both are dates:
// midnight UTC of that calendar day.
type Holiday struct {
	First, Last time.Time
}

// ParseHoliday reads a date "2026-10-12" or a range "2026-12-19/2027-01-03",
// as in a school's holidays.
func ParseHoliday(s string) (Holiday, error) {
	from, to, isRange := strings.Cut(strings.TrimSpace(s), "/")
	first, err1 := time.Parse(time.DateOnly, strings.TrimSpace(from))
	last, err2 := first, error(nil)
	if isRange {
		last, err2 = time.Parse(time.DateOnly, strings.TrimSpace(to))
	}
	if err1 != nil || err2 != nil {
		return Holiday{}, fmt.Errorf("%q is not a date like 2026-10-12 or a range like 2026-12-19/2027-01-03", s)
	}
	if last.Before(first) {
		return Holiday{}, fmt.Errorf("%q ends before it starts", s)
	}
	return Holiday{First: first, Last: last}, nil
}

// Covers reports whether t falls on one of the days, taking t's calendar
// date in its own location: pass now.In(school.Location).
func (h Holiday) Covers(t time.Time) bool {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return !d.Before(h.First) && !d.After(h.Last)
}
