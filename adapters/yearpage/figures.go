package yearpage

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// Sum adds several schools' figures of one school year: counts and maps
// add up, waits are pooled, survey answers of the same survey, period and
// question add up (so the rule of MinSurveyAnswers holds for the sum).
func Sum(school string, y bot.SchoolYear, all ...bot.YearFigures) bot.YearFigures {
	out := bot.YearFigures{School: school, Year: y}
	byMonth := map[string]*bot.MonthFigures{}
	for _, m := range y.Months() {
		out.Months = append(out.Months, bot.MonthFigures{Month: m})
	}
	for i := range out.Months {
		byMonth[out.Months[i].Month] = &out.Months[i]
	}
	type surveyKey struct{ survey, period, question string }
	surveys := map[surveyKey]*bot.SurveyFigures{}
	var order []surveyKey
	for _, f := range all {
		for _, m := range f.Months {
			t, ok := byMonth[m.Month]
			if !ok {
				continue
			}
			addMonth(t, m)
		}
		for _, s := range f.Surveys {
			k := surveyKey{s.Survey, s.Period, s.Question}
			t, ok := surveys[k]
			if !ok {
				t = &bot.SurveyFigures{Survey: s.Survey, Period: s.Period, Question: s.Question}
				surveys[k] = t
				order = append(order, k)
			}
			for i := range t.Answers {
				t.Answers[i] += s.Answers[i]
			}
		}
	}
	for _, k := range order {
		out.Surveys = append(out.Surveys, *surveys[k])
	}
	return out
}

func addMonth(t *bot.MonthFigures, m bot.MonthFigures) {
	t.Requests += m.Requests
	t.Consults += m.Consults
	t.Accepted += m.Accepted
	t.AcceptedFirst += m.AcceptedFirst
	t.PickedUp += m.PickedUp
	t.AcceptedInTime += m.AcceptedInTime
	t.Escalated += m.Escalated
	t.Cancelled += m.Cancelled
	t.Resolved += m.Resolved
	t.NoCover += m.NoCover
	t.Unpicked += m.Unpicked
	t.Stories += m.Stories
	t.Pulse.Up += m.Pulse.Up
	t.Pulse.Down += m.Pulse.Down
	t.Pulse.Self += m.Pulse.Self
	t.Waits = append(t.Waits, m.Waits...)
	t.ByGroup = addCounts(t.ByGroup, m.ByGroup)
	t.ByDayPart = addCounts(t.ByDayPart, m.ByDayPart)
	t.Support = addCounts(t.Support, m.Support)
	t.Outcome = addCounts(t.Outcome, m.Outcome)
}

func addCounts(dst, src map[string]int) map[string]int {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[string]int, len(src))
	}
	for k, n := range src {
		dst[k] += n
	}
	return dst
}

// total is a year's figures as one month.
func total(f bot.YearFigures) bot.MonthFigures {
	var t bot.MonthFigures
	for _, m := range f.Months {
		addMonth(&t, m)
	}
	return t
}

// hasData reports whether anything happened in the year.
func hasData(f bot.YearFigures) bool {
	t := total(f)
	return t.Requests+t.Consults+t.Resolved+t.Stories+t.Pulse.Answers() > 0 || len(f.Surveys) > 0
}

// share is part of whole as a fraction; ok is false when whole is 0.
func share(part, whole int) (float64, bool) {
	if whole <= 0 {
		return 0, false
	}
	return float64(part) / float64(whole), true
}

// medianMinutes is the median wait in minutes.
func medianMinutes(ws []time.Duration) (float64, bool) {
	d, ok := bot.Median(ws)
	return d.Minutes(), ok
}

// counted is one key of a count map, for ordered display.
type counted struct {
	Key   string
	Count int
}

// ordered lists m's keys: first those of order that occur, in that order,
// then the rest by count (descending) and key.
func ordered(m map[string]int, order []string) []counted {
	var out []counted
	seen := map[string]bool{}
	for _, k := range order {
		if n, ok := m[k]; ok && !seen[k] {
			out = append(out, counted{k, n})
			seen[k] = true
		}
	}
	rest := slices.Collect(maps.Keys(m))
	slices.SortFunc(rest, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	for _, k := range rest {
		if !seen[k] {
			out = append(out, counted{k, m[k]})
		}
	}
	return out
}

// surveyTrend is one question of one survey over the periods it was asked.
type surveyTrend struct {
	Survey, Question string
	Points           []surveyPoint
}

type surveyPoint struct {
	Period string
	Count  int
	Mean   float64
	OK     bool // at least bot.MinSurveyAnswers answered
}

// trends groups survey figures by survey and question, periods in order;
// periods without answers are left out.
func trends(ss []bot.SurveyFigures) []surveyTrend {
	type key struct{ survey, question string }
	idx := map[key]int{}
	var out []surveyTrend
	for _, s := range ss {
		if s.Count() == 0 {
			continue // not asked, or nobody answered: nothing to show
		}
		k := key{s.Survey, s.Question}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, surveyTrend{Survey: s.Survey, Question: s.Question})
		}
		mean, ok := s.Mean()
		out[i].Points = append(out[i].Points, surveyPoint{Period: s.Period, Count: s.Count(), Mean: mean, OK: ok})
	}
	for i := range out {
		slices.SortStableFunc(out[i].Points, func(a, b surveyPoint) int { return cmp.Compare(a.Period, b.Period) })
	}
	slices.SortStableFunc(out, func(a, b surveyTrend) int {
		return cmp.Or(cmp.Compare(a.Survey, b.Survey), cmp.Compare(a.Question, b.Question))
	})
	return out
}
