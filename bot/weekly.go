package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The weekly rhythm: the kernteam hears a reminder before it meets, the
// week's success stories are celebrated, and the coordinators get a digest.
// None of it happens while the school is closed. This file holds the
// decisions — which week a post is about, whether a tick is in a holiday —
// as pure functions of the school, the time and the holidays.

// Kernteam is the school's kernteam (jeugdteam): the fixed group of
// professionals that meets regularly, and its weekly reminder.
type Kernteam struct {
	Channel  string // the kernteam's channel on each linked platform
	Reminder string // cron expression in the school's time zone; "" for none
	Meeting  string // when the team meets, as people write it: "donderdag 14:00"
}

// Digest says when the coordinators' weekly digest goes out, and where.
type Digest struct {
	Cron    string // cron expression in the school's time zone; "" for none
	Channel string // "" for a direct message to each coordinator
}

// Successes says where the week's success stories go and when the team is
// nudged to share one.
type Successes struct {
	Channel string // the team-wide channel; "" for the kernteam's (else the fallback) channel
	// Nudge is the cron expression, in the school's time zone, of the nudge
	// "Wat ging er goed deze week?"; "" for DefaultNudgeCron, NudgeOff for
	// none.
	Nudge string
}

// NudgeOff, as Successes.Nudge, turns the nudge off.
const NudgeOff = "off"

// DefaultNudgeCron is when the team is asked what went well: Thursday
// 14:00, a day before the stories go out.
const DefaultNudgeCron = "0 14 * * THU"

// Today says when the morning post "Vandaag op school" goes out, and where.
type Today struct {
	Cron    string // cron expression in the school's time zone; "" for DefaultTodayCron, TodayOff for none
	Channel string // "" for the kernteam channel, else the fallback channel
}

// DefaultTodayCron is when "Vandaag op school" goes out: school days at
// 08:00 (holidays are closed days: nothing is posted).
const DefaultTodayCron = "0 8 * * 1-5"

// TodayOff as Today.Cron turns the morning post off.
const TodayOff = "off"

// Job is one kind of weekly post.
type Job string

// The weekly jobs.
const (
	// JobReminder posts the kernteam's agenda in its channel.
	JobReminder Job = "kernteam.reminder"
	// JobSuccesses posts the week's success stories ("Successen van deze
	// week 🎉"), with the digest, in the kernteam channel.
	JobSuccesses Job = "successes"
	// JobDigest sends the coordinators' digest with its chart.
	JobDigest Job = "digest"
	// JobNudge asks the whole team "Wat ging er goed deze week?" in the
	// success channel.
	JobNudge Job = "successes.nudge"
	// JobToday posts who of the helpers is there today, and when, in the
	// team's channel ("Vandaag op school").
	JobToday Job = "today"
)

// Jobs lists the weekly jobs in the order they are set up.
var Jobs = []Job{JobReminder, JobSuccesses, JobDigest, JobSurveys, JobNudge, JobToday}

// DefaultSuccessesCron is when the success stories go out at a school
// without a digest: Friday 16:00.
const DefaultSuccessesCron = "0 16 * * FRI"

// JobSpec is the cron expression job runs on at the school, and whether it
// runs at all: the reminder needs a kernteam channel, the digest a channel
// or a coordinator, the success post a channel (the kernteam's, else the
// fallback channel); it goes out when the digest does.
func (s *School) JobSpec(j Job) (string, bool) {
	switch j {
	case JobReminder:
		return s.Kernteam.Reminder, s.Kernteam.Reminder != "" && s.Kernteam.Channel != ""
	case JobDigest:
		return s.Digest.Cron, s.Digest.Cron != "" && (s.Digest.Channel != "" || len(s.Coordinators) > 0)
	case JobSuccesses:
		return cmp.Or(s.Digest.Cron, DefaultSuccessesCron), s.SuccessChannel() != ""
	case JobSurveys:
		return s.Surveys.Cron, s.Surveys.Cron != ""
	case JobNudge:
		return cmp.Or(s.Successes.Nudge, DefaultNudgeCron), s.Successes.Nudge != NudgeOff && s.SuccessChannel() != ""
	case JobToday:
		return cmp.Or(s.Today.Cron, DefaultTodayCron), s.Today.Cron != TodayOff && s.TodayChannel() != "" && len(s.Helpers) > 0
	}
	return "", false
}

// TodayChannel is where "Vandaag op school" is posted: its own channel,
// else the kernteam's, else the fallback channel.
func (s *School) TodayChannel() string {
	return cmp.Or(s.Today.Channel, s.Kernteam.Channel, s.FallbackChannel)
}

// HelperDay is one helper's day at school: the day parts on their
// schedule, or the whole day.
type HelperDay struct {
	Helper *Helper
	Parts  []string // day part names, in the school's order
	AllDay bool     // every day part (or "altijd")
}

// OnDay lists the helpers at school on the day of at, from their schedules
// and states: a helper away for the whole day (afwezig tot morgen, or
// later) is not there. states may be nil (schedules only).
func (s *School) OnDay(at time.Time, states map[string]HelperState) []HelperDay {
	day := at.In(s.Location).Weekday()
	end := s.SchoolDayEnd(at)
	var out []HelperDay
	for i := range s.Helpers {
		h := &s.Helpers[i]
		if st, ok := states[h.ID]; ok && st.Status == Away && (st.Until.IsZero() || !st.Until.Before(end)) {
			continue
		}
		parts := h.Schedule.PartsOn(day, s.DayParts)
		if len(parts) == 0 {
			continue
		}
		out = append(out, HelperDay{Helper: h, Parts: parts, AllDay: len(parts) == len(s.DayParts)})
	}
	return out
}

// SuccessChannel is where the week's success stories are posted, and the
// team nudged to share one: the team-wide channel the school names, else
// the kernteam channel, else the fallback channel.
func (s *School) SuccessChannel() string {
	return cmp.Or(s.Successes.Channel, s.Kernteam.Channel, s.FallbackChannel)
}

// JobRecipients are who gets job's post at the school, on platforms (the
// ones hulpbot posts on): the reminder goes to the kernteam channel, the
// success stories to SuccessChannel, the digest to its channel or, without
// one, to each coordinator once, on the first of the platforms they have
// an account on. A channel is on each platform the school posts on
// (PostsOn).
func (s *School) JobRecipients(j Job, platforms []Platform) []Recipient {
	var on []Platform
	for _, p := range platforms {
		if s.PostsOn(p) {
			on = append(on, p)
		}
	}
	channel := func(name string) []Recipient {
		var out []Recipient
		for _, p := range on {
			out = append(out, Recipient{Address: Address{Platform: p}, Channel: name})
		}
		return out
	}
	switch j {
	case JobReminder:
		return channel(s.Kernteam.Channel)
	case JobSuccesses, JobNudge:
		return channel(s.SuccessChannel())
	case JobToday:
		return channel(s.TodayChannel())
	case JobDigest:
		if s.Digest.Channel != "" {
			return channel(s.Digest.Channel)
		}
		var out []Recipient
		for _, co := range s.Coordinators {
			for _, p := range on {
				if h := co.Accounts.On(p); h != "" {
					out = append(out, Recipient{Address: Address{Platform: p, Handle: h}})
					break
				}
			}
		}
		return out
	}
	return nil
}

// PostsOn reports whether the school's posts go out on platform p: when
// the school is on p (Teams).
func (s *School) PostsOn(p Platform) bool {
	_, ok := s.TeamOn(p)
	return ok
}

// Tick is one scheduled run of a job at a school, as decided before it runs.
type Tick struct {
	Job Job
	At  time.Time // the scheduled time
	// Week is the ISO week the post is about ("2026-W49").
	Week string
	// Closed is set when the school is closed at At: nothing is posted.
	Closed  bool
	Holiday Holiday // the holiday that closes it
}

// PlanTick decides what job does when it is scheduled at at: nothing while
// the school is closed (holidays are all the school's closed days), else a
// post about ReportWeek.
func PlanTick(s *School, job Job, at time.Time, holidays []Holiday) Tick {
	t := Tick{Job: job, At: at, Week: ReportWeek(s, at, holidays)}
	if h, ok := ClosedOn(at.In(s.Location), holidays); ok {
		t.Closed, t.Holiday = true, h
	}
	return t
}

// Key names the tick for the replicas that each run the job: the job and
// the scheduled wall-clock time in the school's time zone. Wall-clock time,
// so a schedule inside the hour that repeats when summer time ends (02:30
// on the last Sunday of October) is still one tick.
func (t Tick) Key(loc *time.Location) string {
	return string(t.Job) + "@" + t.At.In(loc).Format("2006-01-02T15:04:05")
}

// maxLookBack bounds how far ReportWeek and the comparisons look back over
// closed weeks: longer than the summer holiday.
const maxLookBack = 10

// ReportWeek is the ISO week a post scheduled at at is about. From
// Wednesday on that is the week of at; on Monday and Tuesday the week has
// barely begun, so it is the last week before with a school day in it (a
// Monday reminder after the autumn holiday reports the week before that
// holiday). Weeks run Monday to Sunday in the school's time zone.
func ReportWeek(s *School, at time.Time, holidays []Holiday) string {
	local := at.In(s.Location)
	monday := mondayOf(dateOf(local))
	if wd := local.Weekday(); wd != time.Monday && wd != time.Tuesday {
		return WeekOf(monday)
	}
	for back := 1; back <= maxLookBack; back++ {
		m := monday.AddDate(0, 0, -7*back)
		if !WeekClosed(m, holidays) {
			return WeekOf(m)
		}
	}
	return WeekOf(monday.AddDate(0, 0, -7))
}

// WeekClosed reports whether the school is closed on every weekday (Monday
// to Friday) of the week that starts on monday.
func WeekClosed(monday time.Time, holidays []Holiday) bool {
	for d := range 5 {
		if _, ok := ClosedOn(monday.AddDate(0, 0, d), holidays); !ok {
			return false
		}
	}
	return true
}

// WeekOf is the ISO week of t's calendar date in t's location: "2026-W49".
func WeekOf(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// ParseWeek reads an ISO week such as "2026-W49" and returns its Monday, as
// midnight UTC of that date.
func ParseWeek(w string) (time.Time, error) {
	ys, ws, ok := strings.Cut(w, "-W")
	y, err1 := strconv.Atoi(ys)
	n, err2 := strconv.Atoi(ws)
	if !ok || err1 != nil || err2 != nil || len(ys) != 4 || len(ws) != 2 || n < 1 || n > 53 {
		return time.Time{}, fmt.Errorf("%q is not an ISO week like 2026-W49", w)
	}
	// 4 January is always in week 1.
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
	m := mondayOf(jan4).AddDate(0, 0, 7*(n-1))
	if gy, gw := m.ISOWeek(); gy != y || gw != n {
		return time.Time{}, fmt.Errorf("%d has no week %d", y, n)
	}
	return m, nil
}

// AddWeeks is the ISO week n weeks after w (before, for negative n).
func AddWeeks(w string, n int) (string, error) {
	m, err := ParseWeek(w)
	if err != nil {
		return "", err
	}
	return WeekOf(m.AddDate(0, 0, 7*n)), nil
}

// dateOf is t's calendar date in t's location, as midnight UTC.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// mondayOf is the Monday on or before date d.
func mondayOf(d time.Time) time.Time {
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// Holiday is a run of days the school is closed, First to Last inclusive:
// a school holiday from the government feed, or a studiedag from the
// configuration. First and Last are dates: midnight UTC of the day.
type Holiday struct {
	First, Last time.Time
	Name        string // "Kerstvakantie", "Herfstvakantie"; "" for the school's own days
}

// Covers reports whether t falls on one of the days, taking t's calendar
// date in its own location: pass a time in the school's time zone.
func (h Holiday) Covers(t time.Time) bool {
	d := dateOf(t)
	return !d.Before(h.First) && !d.After(h.Last)
}

// ClosedOn returns the first holiday that covers t's calendar date (in t's
// location).
func ClosedOn(t time.Time, holidays []Holiday) (Holiday, bool) {
	for _, h := range holidays {
		if h.Covers(t) {
			return h, true
		}
	}
	return Holiday{}, false
}

// Regions of the government's school-holiday feed. RegionAll ("heel
// Nederland") applies to every region.
const (
	RegionNoord  = "noord"
	RegionMidden = "midden"
	RegionZuid   = "zuid"
	RegionAll    = "heel nederland"
)

// Calendar holds the school holidays of the government feed per region. It
// is safe for concurrent use; Set replaces what it holds, so a refreshed
// feed takes effect at once. A nil *Calendar holds nothing.
type Calendar struct {
	mu       sync.RWMutex
	byRegion map[string][]Holiday
}

// NewCalendar returns an empty calendar.
func NewCalendar() *Calendar { return &Calendar{} }

// Set replaces the holidays, by region name (noord, midden, zuid, heel
// nederland; case does not matter).
func (c *Calendar) Set(byRegion map[string][]Holiday) {
	m := make(map[string][]Holiday, len(byRegion))
	for r, hs := range byRegion {
		k := strings.ToLower(strings.TrimSpace(r))
		m[k] = append(m[k], hs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byRegion = m
}

// Holidays lists the days the school is closed: its own, then the feed's
// for its region and for the whole country.
func (c *Calendar) Holidays(s *School) []Holiday {
	out := slices.Clone(s.Holidays)
	if c == nil {
		return out
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if r := strings.ToLower(strings.TrimSpace(s.HolidayRegion)); r != "" && r != RegionAll {
		out = append(out, c.byRegion[r]...)
	}
	return append(out, c.byRegion[RegionAll]...)
}
