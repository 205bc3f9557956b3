package yearpage

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
)

// CSV is the school year's figures for a spreadsheet: a row per month (per
// school and for the total, for a samenwerkingsverband), the surveys
// below, and a legend that says what each column counts. Semicolons and a
// decimal comma in Dutch, as Dutch Excel reads them; a byte-order mark so
// it reads the file as UTF-8.
func CSV(l string, swv bool, y bot.SchoolYear, units []unit) []byte {
	w := words{l}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	if l == catalog.LangNL {
		cw.Comma = ';'
	}
	all := make([]bot.YearFigures, 0, len(units))
	for _, u := range units {
		all = append(all, u.This)
	}
	sum := Sum("", y, all...)
	t := total(sum)
	var groupOrder, partOrder []string
	var first *bot.School
	if len(units) > 0 {
		first = units[0].School
		for _, g := range first.Groups {
			groupOrder = append(groupOrder, g.ID)
		}
		for _, d := range first.DayParts {
			partOrder = append(partOrder, d.Name)
		}
	}
	keysOf := func(m map[string]int, order []string) []string {
		var ks []string
		for _, c := range ordered(m, order) {
			ks = append(ks, c.Key)
		}
		return ks
	}
	groups := keysOf(t.ByGroup, groupOrder)
	parts := keysOf(t.ByDayPart, partOrder)
	support := keysOf(t.Support, nil)
	outcome := keysOf(t.Outcome, nil)

	var head []string
	if swv {
		head = append(head, w.t("year.csv.school"))
	}
	for _, k := range []string{"month", "requests", "consults", "accepted", "in_time", "in_time_pct", "median_wait",
		"escalated", "cancelled", "resolved", "no_cover", "stories", "pulse_up", "pulse_down", "pulse_self"} {
		head = append(head, w.t("year.csv."+k))
	}
	for _, g := range groups {
		head = append(head, w.t("year.csv.group", "group", g))
	}
	for _, p := range parts {
		head = append(head, w.t("year.csv.daypart", "part", w.dayPart(p)))
	}
	for _, k := range support {
		head = append(head, w.t("year.csv.support", "kind", w.choice(units, bot.StepSupport, k)))
	}
	for _, k := range outcome {
		head = append(head, w.t("year.csv.outcome", "kind", w.choice(units, bot.StepOutcome, k)))
	}
	// Added after the CSV was in use: last, so every earlier column keeps
	// its place in the spreadsheets that read it.
	head = append(head, w.t("year.csv.unpicked"))
	_ = cw.Write(head)

	n := strconv.Itoa
	row := func(school string, m bot.MonthFigures) {
		var r []string
		if swv {
			r = append(r, school)
		}
		pct := ""
		if f, ok := share(m.AcceptedInTime, m.Requests); ok {
			pct = n(int(f*100 + 0.5))
		}
		wait := ""
		if mm, ok := medianMinutes(m.Waits); ok {
			wait = w.decimal(mm)
		}
		r = append(r, m.Month, n(m.Requests), n(m.Consults), n(m.Accepted), n(m.AcceptedInTime), pct, wait,
			n(m.Escalated), n(m.Cancelled), n(m.Resolved), n(m.NoCover), n(m.Stories), n(m.Pulse.Up), n(m.Pulse.Down), n(m.Pulse.Self))
		for _, g := range groups {
			r = append(r, n(m.ByGroup[g]))
		}
		for _, p := range parts {
			r = append(r, n(m.ByDayPart[p]))
		}
		for _, k := range support {
			r = append(r, n(m.Support[k]))
		}
		for _, k := range outcome {
			r = append(r, n(m.Outcome[k]))
		}
		r = append(r, n(m.Unpicked))
		_ = cw.Write(r)
	}
	yearTotal := func(school string, f bot.YearFigures) {
		m := total(f)
		m.Month = w.t("year.csv.total") + " " + y.String()
		row(school, m)
	}
	if swv {
		for _, u := range units {
			for _, m := range Sum("", y, u.This).Months {
				row(u.School.Name, m)
			}
			yearTotal(u.School.Name, Sum("", y, u.This))
		}
	}
	for _, m := range sum.Months {
		row(w.t("year.total"), m)
	}
	yearTotal(w.t("year.total"), sum)

	// The surveys: answers and the average where enough answered.
	_ = cw.Write(nil)
	_ = cw.Write([]string{w.t("year.csv.survey"), w.t("year.csv.period"), w.t("year.csv.question"), w.t("year.csv.answers"), w.t("year.csv.mean")})
	for _, tr := range trends(sum.Surveys) {
		for _, p := range tr.Points {
			mean := w.t("year.survey.too_few")
			if p.OK {
				mean = w.decimal(p.Mean)
			}
			_ = cw.Write([]string{w.label(tr.Survey, "year.survey."), p.Period, w.question(tr.Survey, tr.Question, w.schoolWord(units, swv)), n(p.Count), mean})
		}
	}

	// The legend.
	_ = cw.Write(nil)
	_ = cw.Write([]string{w.t("year.csv.legend")})
	for _, k := range []string{"month", "requests", "consults", "accepted", "in_time", "median_wait", "escalated", "no_cover"} {
		_ = cw.Write([]string{w.t("year.csv." + k), w.t("year.csv.legend." + k)})
	}
	_ = cw.Write([]string{w.t("year.csv.pulse_up") + ", " + w.t("year.csv.pulse_down") + ", " + w.t("year.csv.pulse_self"), w.t("year.csv.legend.pulse")})
	_ = cw.Write([]string{"…", w.t("year.csv.legend.columns")})
	_ = cw.Write([]string{w.t("year.csv.unpicked"), w.t("year.csv.legend.unpicked")})
	_ = cw.Write([]string{w.t("year.csv.survey"), w.t("year.csv.legend.survey", "min", n(bot.MinSurveyAnswers))})
	cw.Flush()
	return slices.Clip(buf.Bytes())
}
