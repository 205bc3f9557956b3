// Package cronspec reads the five-field cron expressions of the
// configuration ("15 8 * * MON") for robfig/cron, in a school's time zone.
// It is the one place they are parsed: cron.ParseStandard panics on some
// malformed input, and here that is an error.
package cronspec

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// Parse parses spec and pins the schedule to loc (when not nil), so Next
// gives the same times whatever location it is handed.
func Parse(spec string, loc *time.Location) (cron.Schedule, error) {
	return ParseWith(cron.ParseStandard, spec, loc)
}

// ParseWith is Parse with another parser of robfig/cron's (tests use one
// with seconds).
func ParseWith(parse func(string) (cron.Schedule, error), spec string, loc *time.Location) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%v", r)
		}
	}()
	// The errors do not repeat spec: the caller names it with its field.
	s, err = parse(spec)
	if err != nil {
		return nil, err
	}
	if ss, ok := s.(*cron.SpecSchedule); ok && loc != nil {
		ss.Location = loc
	}
	return s, nil
}
