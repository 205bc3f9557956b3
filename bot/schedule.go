package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DayPart is a named part of a school day (dagdeel), in minutes after
// local midnight: [Start, End).
type DayPart struct {
	Name       string
	Start, End int
}

// DefaultDayParts are used when a school configures none.
func DefaultDayParts() []DayPart {
	return []DayPart{
		{Name: "ochtend", Start: 8 * 60, End: 12 * 60},
		{Name: "middag", Start: 12 * 60, End: 17 * 60},
	}
}

// BSODayParts fit a location with after-school care (bso): the school's
// morning and afternoon, then the bso till 18:30.
func BSODayParts() []DayPart {
	return []DayPart{
		{Name: "ochtend", Start: 8 * 60, End: 12 * 60},
		{Name: "middag", Start: 12 * 60, End: 15 * 60},
		{Name: "bso", Start: 15 * 60, End: 18*60 + 30},
	}
}

// ParseDayPart parses a span such as "08:00-12:00" ("24:00" may end a span).
func ParseDayPart(name, span string) (DayPart, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || strings.ContainsAny(name, " \t,") {
		return DayPart{}, fmt.Errorf("day part name %q must be one word", name)
	}
	from, to, ok := strings.Cut(span, "-")
	if !ok {
		return DayPart{}, fmt.Errorf("day part %s: %q is not a span like 08:00-12:00", name, span)
	}
	start, err := parseClockMinutes(strings.TrimSpace(from))
	if err != nil {
		return DayPart{}, fmt.Errorf("day part %s: %w", name, err)
	}
	end, err := parseClockMinutes(strings.TrimSpace(to))
	if err != nil {
		return DayPart{}, fmt.Errorf("day part %s: %w", name, err)
	}
	if end <= start {
		return DayPart{}, fmt.Errorf("day part %s: %q ends before it starts", name, span)
	}
	return DayPart{Name: name, Start: start, End: end}, nil
}

// parseClockMinutes reads "8:00", "08:00" or "24:00" as minutes after midnight.
func parseClockMinutes(s string) (int, error) {
	hs, ms, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || err1 != nil || err2 != nil || len(ms) != 2 || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time like 08:30", s)
	}
	return h*60 + m, nil
}

// CheckDayParts reports overlapping day parts; parts must be sorted by Start.
func CheckDayParts(parts []DayPart) error {
	for i := 1; i < len(parts); i++ {
		if parts[i].Start < parts[i-1].End {
			return fmt.Errorf("day parts %s and %s overlap", parts[i-1].Name, parts[i].Name)
		}
	}
	return nil
}

// DayPartAt is the school's day part at now, if now falls in one.
func (s *School) DayPartAt(now time.Time) (DayPart, bool) {
	local := now.In(s.Location)
	m := local.Hour()*60 + local.Minute()
	for _, p := range s.DayParts {
		if m >= p.Start && m < p.End {
			return p, true
		}
	}
	return DayPart{}, false
}

// Week is the ISO week of now in the school's time zone, e.g. "2026-W48":
// the key of weekly statistics and success stories.
func (s *School) Week(now time.Time) string { return WeekOf(now.In(s.Location)) }

// Month is the calendar month of now in the school's time zone, e.g.
// "2026-12": the key of the monthly statistics, as Week is of the weekly.
func (s *School) Month(now time.Time) string { return MonthOf(now.In(s.Location)) }

// EndOfDay is local midnight after now: when a status set without an end
// time lapses, so nobody stays "bezet" into the next morning.
func (s *School) EndOfDay(now time.Time) time.Time {
	l := now.In(s.Location)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, s.Location)
}

// SchoolDayEnd is when the school day of now ends: the end of its last day
// part (a bso's 18:30), in the school's time zone.
func (s *School) SchoolDayEnd(now time.Time) time.Time {
	l := now.In(s.Location)
	end := 0
	for _, p := range s.DayParts {
		end = max(end, p.End)
	}
	if end == 0 {
		end = 17 * 60
	}
	return time.Date(l.Year(), l.Month(), l.Day(), 0, end, 0, 0, s.Location)
}

// Schedule says when a helper is on duty: weekday × day part, or always.
type Schedule struct {
	Always bool
	slots  map[time.Weekday][]string // day part names per weekday
}

// OnDuty reports whether the schedule covers the day part at now.
func (sc Schedule) OnDuty(s *School, now time.Time) bool {
	if sc.Always {
		return true
	}
	p, ok := s.DayPartAt(now)
	if !ok {
		return false
	}
	return slices.Contains(sc.slots[now.In(s.Location).Weekday()], p.Name)
}

// PartsOn lists the day parts the schedule covers on weekday d, in the
// order of parts (all of them for "altijd").
func (sc Schedule) PartsOn(d time.Weekday, parts []DayPart) []string {
	var out []string
	for _, p := range parts {
		if sc.Always || slices.Contains(sc.slots[d], p.Name) {
			out = append(out, p.Name)
		}
	}
	return out
}

// Slots lists the schedule as "ma ochtend" entries in week order, for display.
func (sc Schedule) Slots() []string {
	if sc.Always {
		return []string{"altijd"}
	}
	var out []string
	for _, d := range weekOrder {
		for _, p := range sc.slots[d] {
			out = append(out, dayAbbrev[d]+" "+p)
		}
	}
	return out
}

var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

var dayAbbrev = map[time.Weekday]string{
	time.Monday: "ma", time.Tuesday: "di", time.Wednesday: "wo", time.Thursday: "do",
	time.Friday: "vr", time.Saturday: "za", time.Sunday: "zo",
}

// dayNames maps what people write to a weekday, Dutch and English.
var dayNames = map[string]time.Weekday{
	"ma": time.Monday, "maandag": time.Monday, "mo": time.Monday, "mon": time.Monday, "monday": time.Monday,
	"di": time.Tuesday, "dinsdag": time.Tuesday, "tu": time.Tuesday, "tue": time.Tuesday, "tuesday": time.Tuesday,
	"wo": time.Wednesday, "woensdag": time.Wednesday, "we": time.Wednesday, "wed": time.Wednesday, "wednesday": time.Wednesday,
	"do": time.Thursday, "donderdag": time.Thursday, "th": time.Thursday, "thu": time.Thursday, "thursday": time.Thursday,
	"vr": time.Friday, "vrijdag": time.Friday, "fr": time.Friday, "fri": time.Friday, "friday": time.Friday,
	"za": time.Saturday, "zaterdag": time.Saturday, "sa": time.Saturday, "sat": time.Saturday, "saturday": time.Saturday,
	"zo": time.Sunday, "zondag": time.Sunday, "su": time.Sunday, "sun": time.Sunday, "sunday": time.Sunday,
}

// ParseSchedule reads schedule entries such as "ma ochtend", "di" (all day
// parts), "ma-vr middag", "wo, vr ochtend" or "altijd" against the school's
// day parts.
func ParseSchedule(entries []string, parts []DayPart) (Schedule, error) {
	sc := Schedule{slots: map[time.Weekday][]string{}}
	for _, e := range entries {
		if err := sc.add(e, parts); err != nil {
			return Schedule{}, err
		}
	}
	return sc, nil
}

func (sc *Schedule) add(entry string, parts []DayPart) error {
	fields := strings.Fields(strings.ToLower(strings.ReplaceAll(entry, ",", " ")))
	if len(fields) == 0 {
		return fmt.Errorf("%q is empty: write a day and optionally a day part, like \"ma ochtend\"", entry)
	}
	if len(fields) == 1 && (fields[0] == "altijd" || fields[0] == "always") {
		sc.Always = true
		return nil
	}
	var days []time.Weekday
	var names []string
	for _, f := range fields {
		f = strings.TrimSuffix(f, ".")
		if ds, ok := parseDays(f); ok {
			if len(names) > 0 {
				return fmt.Errorf("%q: write the day before the day part", entry)
			}
			days = append(days, ds...)
			continue
		}
		if f == "hele" || f == "dag" { // "ma hele dag"
			continue
		}
		if !slices.ContainsFunc(parts, func(p DayPart) bool { return p.Name == f }) {
			if len(days) == 0 {
				return fmt.Errorf("%q is not a day: %q is not one of ma, di, wo, do, vr, za, zo", entry, f)
			}
			return fmt.Errorf("%q is not a day part: %q is not one of %s", entry, f, partNames(parts))
		}
		names = append(names, f)
	}
	if len(days) == 0 {
		return fmt.Errorf("%q names no day: start with ma, di, wo, do, vr, za or zo", entry)
	}
	if len(names) == 0 {
		for _, p := range parts {
			names = append(names, p.Name)
		}
	}
	for _, d := range days {
		for _, n := range names {
			if !slices.Contains(sc.slots[d], n) {
				sc.slots[d] = append(sc.slots[d], n)
			}
		}
	}
	return nil
}

// parseDays reads "ma" or a range "ma-vr" (a range may wrap: "za-ma").
func parseDays(f string) ([]time.Weekday, bool) {
	if d, ok := dayNames[f]; ok {
		return []time.Weekday{d}, true
	}
	from, to, ok := strings.Cut(f, "-")
	if !ok {
		return nil, false
	}
	a, ok1 := dayNames[from]
	b, ok2 := dayNames[to]
	if !ok1 || !ok2 {
		return nil, false
	}
	var out []time.Weekday
	for d := a; ; d = (d + 1) % 7 {
		out = append(out, d)
		if d == b {
			return out, true
		}
	}
}

func partNames(parts []DayPart) string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}
