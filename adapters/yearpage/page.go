package yearpage

import (
	"strconv"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
)

// unit is one school's figures of the shown year and the year before.
type unit struct {
	School     *bot.School
	This, Prev bot.YearFigures
}

// pageModel is everything the page's template shows, already in words.
type pageModel struct {
	Lang       string
	Title      string
	YearLabel  string
	Intro      string
	Years      []yearNav
	Langs      []langNav // the language switch; none with one language
	CSVURL     string
	Generated  string
	Empty      bool
	Compare    bool
	ThisYear   string
	PrevYear   string
	Key        []keyFig
	Monthly    barChart
	MonthRows  []monthRow
	CompareBar barChart
	Wait       barChart
	InTime     barChart
	Groups     hbarChart
	DayParts   hbarChart
	Support    hbarChart
	Outcome    hbarChart
	Pulse      hbarChart
	Surveys    []surveyView
	SurveyNote string
	Schools    []schoolCol // SWV: the schools, the columns of PerSchool
	Back       *yearNav    // a school seen within its samenwerkingsverband: the way back
	PerSchool  []schoolRow // SWV: a key figure per school and the total
}

type yearNav struct {
	Label, URL string
	Current    bool
}

type schoolCol struct {
	ID, Name, URL string // ID empty for the total
}

type keyFig struct {
	Label, Value, Prev string
}

type monthRow struct {
	Month, Requests, Consults, InTime, Wait, Escalated, Unpicked, Resolved string
}

type surveyView struct {
	Name, Question string
	Chart          lineChart
	Rows           []surveyRow
}

type surveyRow struct {
	Period, Answers, Mean string
	TooFew                bool
}

type schoolRow struct {
	Label  string
	Values []string // per school, then the total
}

// words puts figures in the words of one language.
type words struct{ l string }

func (w words) t(key string, vars ...string) string { return catalog.Text(w.l, key, vars...) }

// label is the catalogue's text of the first prefix+key it has, or key.
func (w words) label(key string, prefixes ...string) string {
	for _, p := range prefixes {
		if s := w.t(p + key); s != p+key {
			return s
		}
	}
	return key
}

// choice is an answer at closing in words: as the first of the schools
// that has it names it (a school may have its own kinds of support), else
// as the catalogue does, else its key.
func (w words) choice(units []unit, step bot.ClosingStep, key string) string {
	for _, u := range units {
		for _, c := range u.School.Choices(step) {
			if c.Key == key {
				return catalog.ChoiceLabel(w.l, step, c)
			}
		}
	}
	return catalog.ChoiceLabel(w.l, step, bot.Choice{Key: key})
}

// question is a survey question in words; school fills in the questions
// that name the school.
func (w words) question(survey, q, school string) string {
	for _, k := range []string{"survey." + survey + "." + q, "survey." + q} {
		if s := w.t(k, "school", school); s != k {
			return s
		}
	}
	return q
}

// schoolWord is how a survey question names the school: the school's
// name on its own page, "de school" where several are summed.
func (w words) schoolWord(units []unit, swv bool) string {
	if swv || len(units) != 1 {
		return w.t("year.survey.the_school")
	}
	return units[0].School.Name
}

func (w words) decimal(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if w.l == catalog.LangNL {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (w words) percent(part, whole int) string {
	f, ok := share(part, whole)
	if !ok {
		return "–"
	}
	return strconv.Itoa(int(f*100+0.5)) + "%"
}

func (w words) minutes(ws []time.Duration) string {
	m, ok := medianMinutes(ws)
	switch {
	case !ok:
		return "–"
	case m < 1:
		return w.t("year.seconds", "n", strconv.Itoa(int(m*60+0.5)))
	}
	return w.t("year.minutes", "n", w.decimal(m))
}

// month is "2026-09" as "sep".
func (w words) month(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return strings.Split(w.t("months"), ",")[t.Month()-1]
}

// period is a survey's period: "2026-09" as "sep 2026", a quarter as is.
func (w words) period(p string) string {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return p
	}
	return w.month(p) + " " + strconv.Itoa(t.Year())
}

func (w words) group(sc *bot.School, id string) string {
	if sc == nil {
		return id
	}
	return catalog.GroupLabel(sc, id)
}

func (w words) dayPart(p string) string {
	if p == bot.DayPartOutside {
		return w.t("daypart.outside")
	}
	return p
}

// keyFigures are the headline figures of one school year.
func (w words) keyFigures(f bot.YearFigures) []string {
	t := total(f)
	return []string{
		strconv.Itoa(t.Requests),
		strconv.Itoa(t.Consults),
		w.percent(t.AcceptedInTime, t.Requests),
		w.minutes(t.Waits),
		strconv.Itoa(t.Escalated),
		strconv.Itoa(t.Unpicked),
		strconv.Itoa(t.NoCover),
		strconv.Itoa(t.Resolved),
		strconv.Itoa(t.Stories),
	}
}

var keyLabels = []string{"year.requests", "year.consults", "year.in_time", "year.median_wait", "year.escalated", "year.unpicked", "year.no_cover", "year.resolved", "year.stories"}

// build makes the page of a school (one unit) or of a samenwerkingsverband
// (several units, summed, with a column per school).
func build(l, name string, swv bool, y bot.SchoolYear, units []unit, now time.Time) pageModel {
	w := words{l}
	var this, prev []bot.YearFigures
	for _, u := range units {
		this = append(this, u.This)
		prev = append(prev, u.Prev)
	}
	id := name
	f := Sum(id, y, this...)
	p := Sum(id, bot.SchoolYear{Start: y.Start - 1}, prev...)
	var first *bot.School
	if len(units) > 0 {
		first = units[0].School
	}
	m := pageModel{
		Lang:      l,
		Title:     w.t("year.title", "name", name),
		YearLabel: w.t("year.school_year", "year", y.String()),
		Intro:     w.t("year.intro"),
		Empty:     !hasData(f),
		Compare:   hasData(p),
		ThisYear:  y.String(),
		PrevYear:  p.Year.String(),
		Generated: w.t("year.generated", "date", now.Format("2006-01-02 15:04")),
	}
	if swv {
		m.Intro += " " + w.t("year.intro.swv", "name", name)
	}

	cur, old := w.keyFigures(f), w.keyFigures(p)
	for i, k := range keyLabels {
		m.Key = append(m.Key, keyFig{Label: w.t(k), Value: cur[i], Prev: old[i]})
	}

	months := y.Months()
	cats := make([]string, len(months))
	req := series{Class: "s1", Name: y.String()}
	wait := series{Class: "s1"}
	inTime := series{Class: "s1"}
	for i, mf := range f.Months {
		cats[i] = w.month(mf.Month)
		req.Values = append(req.Values, float64(mf.Requests))
		req.Shown = append(req.Shown, nonZero(mf.Requests))
		if mm, ok := medianMinutes(mf.Waits); ok {
			wait.Values = append(wait.Values, mm)
			wait.Shown = append(wait.Shown, w.minutes(mf.Waits))
		} else {
			wait.Values = append(wait.Values, 0)
			wait.Shown = append(wait.Shown, "")
		}
		if s, ok := share(mf.AcceptedInTime, mf.Requests); ok {
			inTime.Values = append(inTime.Values, s*100)
			inTime.Shown = append(inTime.Shown, w.percent(mf.AcceptedInTime, mf.Requests))
		} else {
			inTime.Values = append(inTime.Values, 0)
			inTime.Shown = append(inTime.Shown, "")
		}
		m.MonthRows = append(m.MonthRows, monthRow{
			Month: w.period(mf.Month), Requests: strconv.Itoa(mf.Requests), Consults: strconv.Itoa(mf.Consults),
			InTime: w.percent(mf.AcceptedInTime, mf.Requests), Wait: w.minutes(mf.Waits),
			Escalated: strconv.Itoa(mf.Escalated), Unpicked: strconv.Itoa(mf.Unpicked), Resolved: strconv.Itoa(mf.Resolved),
		})
	}
	m.Monthly = vbars(w.t("year.per_month"), cats, req)
	m.Wait = vbars(w.t("year.wait_month"), cats, wait)
	inTime.Values = append(inTime.Values, 100) // the scale runs to 100%
	m.InTime = vbars(w.t("year.in_time_month"), cats, inTime)
	if m.Compare {
		old := series{Class: "s2", Name: p.Year.String()}
		for _, mf := range p.Months {
			old.Values = append(old.Values, float64(mf.Requests))
			old.Shown = append(old.Shown, nonZero(mf.Requests))
		}
		m.CompareBar = vbars(w.t("year.compare.month"), cats, old, req)
	}

	t := total(f)
	var groupOrder, partOrder []string
	if first != nil {
		for _, g := range first.Groups {
			groupOrder = append(groupOrder, g.ID)
		}
		for _, d := range first.DayParts {
			partOrder = append(partOrder, d.Name)
		}
	}
	m.Groups = hbars(w.t("year.by_group"), ordered(t.ByGroup, groupOrder), func(k string) string { return w.group(first, k) })
	m.DayParts = hbars(w.t("year.by_daypart"), ordered(t.ByDayPart, partOrder), w.dayPart)
	m.Support = hbars(w.t("year.support"), ordered(t.Support, nil), func(k string) string { return w.choice(units, bot.StepSupport, k) })
	m.Outcome = hbars(w.t("year.outcome"), ordered(t.Outcome, nil), func(k string) string { return w.choice(units, bot.StepOutcome, k) })
	if t.Pulse.Answers() > 0 {
		m.Pulse = hbars(w.t("year.pulse"), []counted{{"up", t.Pulse.Up}, {"down", t.Pulse.Down}, {"self", t.Pulse.Self}},
			func(k string) string { return w.t("year.pulse." + k) })
	}

	m.SurveyNote = w.t("year.survey.scale", "min", strconv.Itoa(bot.MinSurveyAnswers))
	for _, tr := range trends(f.Surveys) {
		v := surveyView{Name: w.label(tr.Survey, "year.survey."), Question: w.question(tr.Survey, tr.Question, w.schoolWord(units, swv))}
		shown := func(p surveyPoint) string { return w.decimal(p.Mean) }
		v.Chart = lines(v.Name+": "+v.Question, tr.Points, func(p surveyPoint) string { return w.period(p.Period) }, shown)
		for _, pt := range tr.Points {
			r := surveyRow{Period: w.period(pt.Period), Answers: w.t("year.survey.answers", "n", strconv.Itoa(pt.Count)), TooFew: !pt.OK}
			if pt.OK {
				r.Mean = w.decimal(pt.Mean)
			} else {
				r.Mean = w.t("year.survey.too_few")
			}
			v.Rows = append(v.Rows, r)
		}
		m.Surveys = append(m.Surveys, v)
	}

	if swv {
		cols := make([][]string, 0, len(units)+1)
		for _, u := range units {
			m.Schools = append(m.Schools, schoolCol{ID: u.School.ID, Name: u.School.Name})
			cols = append(cols, w.keyFigures(u.This))
		}
		m.Schools = append(m.Schools, schoolCol{Name: w.t("year.total")})
		cols = append(cols, cur)
		for i, k := range keyLabels {
			r := schoolRow{Label: w.t(k)}
			for _, c := range cols {
				r.Values = append(r.Values, c[i])
			}
			m.PerSchool = append(m.PerSchool, r)
		}
	}
	return m
}

// nonZero writes n above a bar; an empty month gets no "0" over nothing.
func nonZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
