package handlers

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/internal/chattext"
)

// Until is when a status ends, as typed after bezet or afwezig: a clock
// time today ("tot 13:30", "tot 13.30", "tot 14", "tot 13u30", "tot half 2",
// "until 1:30pm") or a duration ("30 min", "1 uur", "anderhalf uur").
type Until struct {
	Hour, Minute int           // a clock time, 24-hour; used when For is 0
	For          time.Duration // a duration from now
	// Loose marks an hour 1–7 written without am/pm: "tot 2" means 14:00
	// once 2:00 has passed, as nobody at school means the night.
	Loose bool
	// Days, when not 0, is a day to come: the status lasts until that day
	// starts ("tot morgen" is 1, "tot overmorgen" 2). Weekday is set
	// instead for a named day ("tot maandag"), the next one to come.
	Days      int
	Weekday   time.Weekday
	ByWeekday bool
}

// OnDay reports whether u names a day rather than a time today.
func (u Until) OnDay() bool { return u.Days > 0 || u.ByWeekday }

// MaxUntilFor caps a status duration: a school day.
const MaxUntilFor = 8 * time.Hour

// Time is the moment u names, seen from now in loc. A clock time is today;
// tomorrow is never meant, so a time that has passed is ErrTimePassed.
func (u Until) Time(now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if u.OnDay() {
		l := now.In(loc)
		days := u.Days
		if u.ByWeekday {
			days = (int(u.Weekday)-int(l.Weekday())+6)%7 + 1 // 1..7: never today
		}
		if days < 1 || days > 7 {
			return time.Time{}, ErrBadTime
		}
		return time.Date(l.Year(), l.Month(), l.Day()+days, 0, 0, 0, 0, loc), nil
	}
	if u.For != 0 {
		if u.For < 0 || u.For > MaxUntilFor {
			return time.Time{}, ErrBadTime
		}
		return now.Add(u.For), nil
	}
	if u.Hour < 0 || u.Hour > 23 || u.Minute < 0 || u.Minute > 59 {
		return time.Time{}, ErrBadTime
	}
	l := now.In(loc)
	at := func(h int) time.Time { return time.Date(l.Year(), l.Month(), l.Day(), h, u.Minute, 0, 0, loc) }
	t := at(u.Hour)
	if !t.After(now) && u.Loose {
		t = at(u.Hour + 12)
	}
	if !t.After(now) {
		return time.Time{}, ErrTimePassed
	}
	return t, nil
}

var (
	clockRe  = regexp.MustCompile(`^(\d{1,2})(?:\s*([:.uh])\s*(\d{2})?)?\s*(am|pm|a\.m\.?|p\.m\.?)?\s*(uur)?$`)
	spokenRe = regexp.MustCompile(`^(half past|quarter past|quarter to|kwart over|kwart voor|half) (\S+)$`)
	durRe    = regexp.MustCompile(`^(\d{1,3}(?:[.,]\d{1,2})?|\S+)\s*(m|min|mins|minuut|minuten|minute|minutes|u|uur|uren|h|hr|hrs|hour|hours)$`)
	hmRe     = regexp.MustCompile(`^(\d{1,2})\s*[uh:]\s*(\d{2})$`)
)

var hourWords = map[string]int{
	"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

// dayWords are the days a status may last until, folded.
var dayWords = map[string]Until{
	"morgen": {Days: 1}, "overmorgen": {Days: 2}, "tomorrow": {Days: 1},
	"maandag": {Weekday: time.Monday, ByWeekday: true}, "dinsdag": {Weekday: time.Tuesday, ByWeekday: true},
	"woensdag": {Weekday: time.Wednesday, ByWeekday: true}, "donderdag": {Weekday: time.Thursday, ByWeekday: true},
	"vrijdag": {Weekday: time.Friday, ByWeekday: true}, "zaterdag": {Weekday: time.Saturday, ByWeekday: true},
	"zondag": {Weekday: time.Sunday, ByWeekday: true},
	"monday": {Weekday: time.Monday, ByWeekday: true}, "tuesday": {Weekday: time.Tuesday, ByWeekday: true},
	"wednesday": {Weekday: time.Wednesday, ByWeekday: true}, "thursday": {Weekday: time.Thursday, ByWeekday: true},
	"friday": {Weekday: time.Friday, ByWeekday: true}, "saturday": {Weekday: time.Saturday, ByWeekday: true},
	"sunday": {Weekday: time.Sunday, ByWeekday: true},
	"ma":     {Weekday: time.Monday, ByWeekday: true}, "di": {Weekday: time.Tuesday, ByWeekday: true},
	"wo": {Weekday: time.Wednesday, ByWeekday: true}, "do": {Weekday: time.Thursday, ByWeekday: true},
	"vr": {Weekday: time.Friday, ByWeekday: true},
}

var amountWords = map[string]float64{
	"een": 1, "a": 1, "an": 1, "one": 1, "twee": 2, "two": 2, "drie": 3, "three": 3, "vier": 4, "four": 4,
	"anderhalf": 1.5, "half": 0.5, "een half": 0.5, "a half": 0.5, "half an": 0.5,
}

// ParseUntil reads a time or a duration as typed after bezet or afwezig.
// "tot", "until" or "till" in front make it a clock time ("tot 14" is
// 14:00, "tot 2 uur" 14:00 when it is past 2); "voor", "for" or "nog" a
// duration ("voor 1u30"). Without either, a duration needs its unit
// ("30 min", "2 uur") and a clock time its separator ("13:30", "1pm").
func ParseUntil(s string) (Until, error) {
	if len(s) > MaxInput {
		return Until{}, ErrTooLong
	}
	if err := checkText(s); err != nil {
		return Until{}, err
	}
	f := chattext.Fields(fold(s))
	clock, dur := false, false
	if len(f) > 0 {
		switch strings.TrimSuffix(f[0], ":") {
		case "tot", "until", "till", "til", "to":
			clock, f = true, f[1:]
		case "voor", "for", "nog":
			dur, f = true, f[1:]
		}
	}
	rest := strings.TrimRight(strings.Join(f, " "), ".!")
	if rest == "" {
		return Until{}, ErrBadTime
	}
	// "tot morgen", "tot maandag": back when that day starts. Without
	// "tot" a day is no end ("afwezig morgen" is tomorrow's plan, not
	// today's status).
	if clock {
		if u, ok := dayWords[rest]; ok {
			return u, nil
		}
	}
	if !clock {
		if d, ok := parseDuration(rest, dur); ok {
			return Until{For: d}, nil
		}
	}
	if u, ok := parseSpoken(rest); ok {
		return u, nil
	}
	if u, ok := parseClock(rest, clock); ok {
		return u, nil
	}
	return Until{}, ErrBadTime
}

// parseClock reads "13:30", "13.30", "13u30", "13h", "1:30pm", and when
// bare is allowed (after "tot") "14" and "2 uur".
func parseClock(s string, bare bool) (Until, bool) {
	m := clockRe.FindStringSubmatch(s)
	if m == nil {
		return Until{}, false
	}
	hs, sep, ms, ampm, uur := m[1], m[2], m[3], m[4], m[5]
	if (sep == ":" || sep == ".") && ms == "" {
		return Until{}, false
	}
	if sep == "" && ampm == "" && !bare && uur == "" {
		return Until{}, false
	}
	h, _ := strconv.Atoi(hs)
	mi, _ := strconv.Atoi(ms)
	if mi > 59 {
		return Until{}, false
	}
	if ampm != "" {
		if h < 1 || h > 12 {
			return Until{}, false
		}
		h %= 12
		if ampm[0] == 'p' {
			h += 12
		}
		return Until{Hour: h, Minute: mi}, true
	}
	if h > 23 {
		return Until{}, false
	}
	return Until{Hour: h, Minute: mi, Loose: h >= 1 && h <= 7 && hs[0] != '0'}, true
}

// parseSpoken reads the Dutch and English ways to say a half or a quarter:
// "half 2" is 1:30, "kwart voor 3" 2:45, "half past one" 1:30.
func parseSpoken(s string) (Until, bool) {
	m := spokenRe.FindStringSubmatch(s)
	if m == nil {
		return Until{}, false
	}
	h, ok := hourWords[m[2]]
	if !ok {
		n, err := strconv.Atoi(m[2])
		if err != nil || n < 1 || n > 12 {
			return Until{}, false
		}
		h = n
	}
	var u Until
	switch m[1] {
	case "half":
		u = Until{Hour: h - 1, Minute: 30}
	case "kwart voor", "quarter to":
		u = Until{Hour: h - 1, Minute: 45}
	case "kwart over", "quarter past":
		u = Until{Hour: h, Minute: 15}
	case "half past":
		u = Until{Hour: h, Minute: 30}
	}
	if u.Hour == 0 {
		u.Hour = 12
	}
	u.Loose = u.Hour >= 1 && u.Hour <= 7
	return u, true
}

// parseDuration reads "30 min", "1 uur", "1,5 uur", "anderhalf uur",
// "een kwartier", "half uur", "2 hours"; and, after "voor", "1u30".
func parseDuration(s string, explicit bool) (time.Duration, bool) {
	var d time.Duration
	switch s {
	case "kwartier", "een kwartier", "quarter of an hour", "a quarter of an hour":
		d = 15 * time.Minute
	case "half uur", "een half uur", "half an hour", "a half hour":
		d = 30 * time.Minute
	}
	if m := hmRe.FindStringSubmatch(s); d == 0 && m != nil && explicit {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		if mi > 59 {
			return 0, false
		}
		d = time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute
	}
	if m := durRe.FindStringSubmatch(s); d == 0 && m != nil {
		n, ok := amountWords[m[1]]
		if !ok {
			v, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
			if err != nil {
				return 0, false
			}
			n = v
		}
		unit := time.Minute
		if strings.HasPrefix(m[2], "u") || strings.HasPrefix(m[2], "h") {
			unit = time.Hour
		}
		d = time.Duration(math.Round(n*float64(unit)/float64(time.Minute))) * time.Minute
	}
	if d <= 0 || d > MaxUntilFor {
		return 0, false
	}
	return d, true
}
