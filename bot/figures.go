package bot

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Names of the weekly counters the store keeps per school and ISO week.
// They count requests and what became of them, never who.
const (
	CountRequests      = "requests"       // requests created
	CountOffers        = "offers"         // offers made
	CountAccepted      = "accepted"       // accepted, by a helper or from the fallback channel
	CountAcceptedFirst = "accepted_first" // accepted by the first helper asked
	CountPickedUp      = "picked_up"      // taken from the fallback channel
	CountDeclines      = "declines"       // offers declined
	CountTimeouts      = "timeouts"       // offers that lapsed
	CountEscalated     = "escalated"      // requests that went to the fallback channel
	CountCancelled     = "cancelled"      // withdrawn by the requester
	CountResolved      = "resolved"       // closed by the helper
	CountNoCover       = "no_cover"       // asked while nobody was on duty
	CountUnpicked      = "unpicked"       // closed at the end of the school day, nobody picked it up
	// A note that seemed to name a child or hold health data was held
	// before anything was sent, and how each hold ended. Counts only.
	CountHeld                = "held"
	CountHeldSentWithoutNote = "held_sent_without_note"
	CountHeldSentAnyway      = "held_sent_anyway"
	CountHeldCancelled       = "held_cancelled"
	CountHeldTimeout         = "held_timeout"
	// A success story held for the same reason, and what its author chose
	// (the rest were not chosen in time, and not shared).
	CountHeldStory          = "held_story"
	CountHeldStoryShared    = "held_story_shared"
	CountHeldStoryCancelled = "held_story_cancelled"
	// A consult's question held for the same reason, and what its author
	// chose (the rest were not chosen in time, and not sent).
	CountHeldConsult          = "held_consult"
	CountHeldConsultSent      = "held_consult_sent"
	CountHeldConsultCancelled = "held_consult_cancelled"
	CountStories              = "stories"  // success stories shared, per month (a week's come from its list)
	PrefixGroup               = "group:"   // + group id: requests per group
	PrefixDayPart             = "daypart:" // + day part name: requests per day part
	PrefixPulse               = "pulse:"   // + PulseAnswer: answers to "Hielp het?"
)

// DayPartOutside is the day part of requests made outside every configured
// day part ("buiten schooltijd").
const DayPartOutside = "buiten"

// PulseAnswer is a teacher's answer to "Hielp het?" after a request closed.
// Only how many gave each answer is kept.
type PulseAnswer string

// The answers to "Hielp het?".
const (
	PulseUp   PulseAnswer = "up"   // 👍
	PulseDown PulseAnswer = "down" // 👎
	PulseSelf PulseAnswer = "self" // "Dit kan ik de volgende keer zelf"
)

// Valid reports whether a is one of the answers.
func (a PulseAnswer) Valid() bool { return a == PulseUp || a == PulseDown || a == PulseSelf }

// Pulse counts the answers to "Hielp het?".
type Pulse struct {
	Up, Down, Self int
}

// Answers is how many answered.
func (p Pulse) Answers() int { return p.Up + p.Down + p.Self }

// WeekFigures are one school's aggregates of one ISO week: counts and
// waiting times, no names, no notes.
type WeekFigures struct {
	Week string // "2026-W49"

	Requests, Offers, Declines, Timeouts int
	Accepted, AcceptedFirst, PickedUp    int
	Escalated, Cancelled, Resolved       int
	NoCover                              int
	Unpicked                             int // escalated, closed at the end of the day unpicked

	ByGroup   map[string]int // group id → requests
	ByDayPart map[string]int // day part name (DayPartOutside outside) → requests

	// Waits are the times to accept of the week's accepted requests, in the
	// order they were accepted.
	Waits []time.Duration

	Pulse   Pulse
	Stories int // success stories shared

	// Held counts notes and stories held because they seemed to name a
	// child or hold health data, and how each hold ended.
	Held Held

	// Consults are the calm meedenken questions, apart from Requests:
	// asked, answered by the helper, and put on the kernteam's agenda
	// unanswered.
	Consults, ConsultsAnswered, ConsultsToAgenda int
}

// FiguresFrom builds the figures of week from the store's counters (see the
// Count* names), waiting times and number of stories.
func FiguresFrom(week string, counters map[string]int64, waits []time.Duration, stories int) WeekFigures {
	get := func(k string) int { return int(counters[k]) }
	f := WeekFigures{
		Week:     week,
		Requests: get(CountRequests), Offers: get(CountOffers), Declines: get(CountDeclines), Timeouts: get(CountTimeouts),
		Accepted: get(CountAccepted), AcceptedFirst: get(CountAcceptedFirst), PickedUp: get(CountPickedUp),
		Escalated: get(CountEscalated), Cancelled: get(CountCancelled), Resolved: get(CountResolved),
		NoCover: get(CountNoCover), Unpicked: get(CountUnpicked),
		ByGroup:   map[string]int{},
		ByDayPart: map[string]int{},
		Waits:     slices.Clone(waits),
		Pulse:     Pulse{Up: get(PrefixPulse + string(PulseUp)), Down: get(PrefixPulse + string(PulseDown)), Self: get(PrefixPulse + string(PulseSelf))},
		Stories:   stories,
		Consults:  get(CountConsults), ConsultsAnswered: get(CountConsultsAnswered), ConsultsToAgenda: get(CountConsultsToAgenda),
		Held: Held{Requests: get(CountHeld), WithoutNote: get(CountHeldSentWithoutNote), Anyway: get(CountHeldSentAnyway),
			Cancelled: get(CountHeldCancelled), Timeout: get(CountHeldTimeout),
			Stories: get(CountHeldStory), StoriesShared: get(CountHeldStoryShared), StoriesCancelled: get(CountHeldStoryCancelled),
			Consults: get(CountHeldConsult), ConsultsSent: get(CountHeldConsultSent), ConsultsCancelled: get(CountHeldConsultCancelled)},
	}
	for k, v := range counters {
		if g, ok := strings.CutPrefix(k, PrefixGroup); ok && v != 0 {
			f.ByGroup[g] = int(v)
		}
		if p, ok := strings.CutPrefix(k, PrefixDayPart); ok && v != 0 {
			f.ByDayPart[p] = int(v)
		}
	}
	return f
}

// Held is how often a note or story was held before it went anywhere,
// and what became of it: counts only.
type Held struct {
	Requests, WithoutNote, Anyway, Cancelled, Timeout int
	Stories, StoriesShared, StoriesCancelled          int
	Consults, ConsultsSent, ConsultsCancelled         int
}

// MovedOn is how many requests a later helper accepted after the first
// declined or did not answer.
func (f WeekFigures) MovedOn() int { return max(f.Accepted-f.AcceptedFirst-f.PickedUp, 0) }

// MedianWait is the median time to accept (the mean of the middle two for
// an even count); ok is false when nothing was accepted.
func (f WeekFigures) MedianWait() (time.Duration, bool) { return Median(f.Waits) }

// P90Wait is the 90th percentile of the time to accept (nearest rank: 90%
// of the teachers waited at most this long); ok is false when nothing was
// accepted.
func (f WeekFigures) P90Wait() (time.Duration, bool) { return Percentile(f.Waits, 90) }

// Median of ds: the middle value, or the mean of the middle two.
func Median(ds []time.Duration) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

// Percentile of ds by nearest rank: the smallest value with at least p% of
// the values at or below it.
func Percentile(ds []time.Duration, p int) (time.Duration, bool) {
	if len(ds) == 0 || p <= 0 || p > 100 {
		return 0, false
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 · n), 1-based
	return s[rank-1], true
}

// GroupCount is a group and how many requests it made.
type GroupCount struct {
	Group string
	Count int
}

// TopGroups are the groups that asked most often, at most n, most first;
// ties in the school's order of groups.
func (f WeekFigures) TopGroups(s *School, n int) []GroupCount {
	order := func(id string) int {
		for i, g := range s.Groups {
			if g.ID == id {
				return i
			}
		}
		return len(s.Groups)
	}
	out := make([]GroupCount, 0, len(f.ByGroup))
	for g, c := range f.ByGroup {
		out = append(out, GroupCount{Group: g, Count: c})
	}
	slices.SortFunc(out, func(a, b GroupCount) int {
		return cmp.Or(b.Count-a.Count, order(a.Group)-order(b.Group), strings.Compare(a.Group, b.Group))
	})
	return out[:min(n, len(out))]
}

// Report windows.
const (
	// CompareWeeks is how many earlier school weeks the digest compares with.
	CompareWeeks = 4
	// ChartWeeks is how many weeks the digest's chart shows, this one last.
	ChartWeeks = 6
)

// WeekReport is the coordinators' digest of one week: its figures, the
// school weeks before it to compare with, and the weeks of the chart.
type WeekReport struct {
	Week WeekFigures
	// From and To are the Monday and Sunday of the week (dates, midnight UTC).
	From, To time.Time
	// Previous are up to CompareWeeks weeks before Week in which the school
	// was open, most recent first; weeks wholly in a holiday are passed over.
	Previous []WeekFigures
	// Chart are the ChartWeeks calendar weeks ending with Week, oldest first.
	Chart []WeekFigures
}

// Comparison is the average week of a report's Previous weeks.
type Comparison struct {
	Weeks      int     // how many weeks it averages; 0 when there are none
	Requests   float64 // requests per week
	Escalated  float64 // requests per week that went to the fallback channel
	MedianWait time.Duration
	HasWait    bool // some request was accepted in those weeks
}

// Compare averages the previous weeks; the median wait is over all their
// accepted requests together.
func (r WeekReport) Compare() Comparison {
	c := Comparison{Weeks: len(r.Previous)}
	if c.Weeks == 0 {
		return c
	}
	var waits []time.Duration
	for _, w := range r.Previous {
		c.Requests += float64(w.Requests)
		c.Escalated += float64(w.Escalated)
		waits = append(waits, w.Waits...)
	}
	c.Requests /= float64(c.Weeks)
	c.Escalated /= float64(c.Weeks)
	c.MedianWait, c.HasWait = Median(waits)
	return c
}

// DayPartNames are the day parts a report shows, in the school's order,
// with DayPartOutside last, plus any other names the figures hold (a day
// part renamed since) before it.
func DayPartNames(s *School, weeks ...WeekFigures) []string {
	var names []string
	for _, p := range s.DayParts {
		names = append(names, p.Name)
	}
	out := withExtra(names, weeks, func(w WeekFigures) map[string]int { return w.ByDayPart }, DayPartOutside)
	return append(out, DayPartOutside)
}

// GroupIDs are the groups a report shows: the school's, in its order, and
// any others the figures hold (a group removed since) after them.
func GroupIDs(s *School, weeks ...WeekFigures) []string {
	var ids []string
	for _, g := range s.Groups {
		ids = append(ids, g.ID)
	}
	return withExtra(ids, weeks, func(w WeekFigures) map[string]int { return w.ByGroup }, "")
}

// withExtra is known followed by the other names the figures hold under
// by (sorted), leaving out skip.
func withExtra(known []string, weeks []WeekFigures, by func(WeekFigures) map[string]int, skip string) []string {
	var extra []string
	for _, w := range weeks {
		for name := range by(w) {
			if name != skip && !slices.Contains(known, name) && !slices.Contains(extra, name) {
				extra = append(extra, name)
			}
		}
	}
	slices.Sort(extra)
	return append(known, extra...)
}

// Agenda is what the kernteam reminder lists.
type Agenda struct {
	// Week are the figures of the week the agenda draws from.
	Week WeekFigures
	// Top are the groups that asked most often that week.
	Top []GroupCount
	// Items are the requests helpers marked "bespreken in kernteam" that no
	// reminder listed yet, oldest first.
	Items []AgendaItem
	// Themes are the themes put on the agenda that nobody closed yet,
	// by number.
	Themes []AgendaTheme
	// Previous are the figures of the last school week before Week, to
	// compare with; HasPrevious is false when there is none.
	Previous    WeekFigures
	HasPrevious bool
}

// AgendaTheme is a theme on the kernteam's agenda ("ouderavond over
// prestatiedruk"): put there by someone of the school, or by hulpbot for a
// consult nobody answered. It stays until someone closes it by its number.
// It never names a child: a theme with a name is refused before it is kept.
type AgendaTheme struct {
	No   int    // 1, 2, …: small, stable while it is on the agenda
	Text string // the theme; "" for an unanswered consult
	// Group and ConsultID are set for a consult nobody answered in time.
	Group     string
	ConsultID string
	At        time.Time // when it was put on the agenda
}

// AgendaTop is how many groups the reminder names.
const AgendaTop = 3

// AgendaItem is a request a helper marked "bespreken in kernteam". It
// names the group and when, never the note or the child.
type AgendaItem struct {
	RequestID string
	Group     string
	DayPart   string // "" outside school hours
	HelperID  string // who marked it
	CreatedAt time.Time
	MarkedAt  time.Time
}

// Story is a success story for the weekly post. By is the author's name
// when they chose to sign, else "".
type Story struct {
	Text string
	By   string
}
