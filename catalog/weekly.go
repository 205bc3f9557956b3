package catalog

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/chart"
	"github.com/hulpbot/hulpbot/internal/chattext"
	"github.com/hulpbot/hulpbot/message"
)

// The weekly posts in words: the kernteam reminder, the success stories and
// the coordinators' digest with its chart, and the steering group's CSV.
// Pure functions of the school and the figures, tested with golden files;
// WeeklyPosts (posts.go) addresses them for the scheduler, DigestSoFar for
// a coordinator who asks.

// RenderReminder is the kernteam reminder: when the team meets and an
// agenda drawn from the week.
func RenderReminder(sc *bot.School, a bot.Agenda) message.Message {
	l := Lang(sc.Language)
	title := Text(l, "reminder.title.nomeeting", "school", sc.Name)
	if m := strings.TrimSpace(sc.Kernteam.Meeting); m != "" {
		title = Text(l, "reminder.title", "school", sc.Name, "meeting", m)
	}
	out := []string{title, Text(l, "reminder.agenda", "week", weekNumber(a.Week.Week), "dates", weekDates(sc, a.Week.Week))}
	prev := strconv.Itoa(a.Previous.Requests)
	switch {
	case a.Week.Requests == 0 && a.HasPrevious:
		out = append(out, Text(l, "reminder.requests.none.compare", "previous", prev))
	case a.Week.Requests == 0:
		out = append(out, Text(l, "reminder.requests.none"))
	default:
		top := make([]string, len(a.Top))
		for i, g := range a.Top {
			top[i] = Text(l, "reminder.group", "group", GroupLabel(sc, g.Group), "count", strconv.Itoa(g.Count))
		}
		key := "reminder.requests"
		if a.HasPrevious {
			key = "reminder.requests.compare"
		}
		out = append(out, Text(l, key, "count", strconv.Itoa(a.Week.Requests), "groups", strings.Join(top, ", "), "previous", prev))
	}
	if a.Week.Unpicked > 0 {
		out = append(out, Text(l, "reminder.escalated.unpicked", "channel", channelName(sc), "count", strconv.Itoa(a.Week.Escalated),
			"unpicked", strconv.Itoa(a.Week.Unpicked)))
	} else {
		out = append(out, Text(l, "reminder.escalated", "channel", channelName(sc), "count", strconv.Itoa(a.Week.Escalated)))
	}
	if a.Week.Consults > 0 {
		out = append(out, Text(l, "reminder.consults", "count", strconv.Itoa(a.Week.Consults), "answered", strconv.Itoa(a.Week.ConsultsAnswered)))
	}
	if len(a.Themes) > 0 {
		out = append(out, Text(l, "reminder.themes"))
		for _, t := range a.Themes {
			out = append(out, AgendaThemeLine(sc, t))
		}
	}
	if len(a.Items) > 0 {
		out = append(out, Text(l, "reminder.items"))
		for _, it := range a.Items {
			when := dayLabel(sc, it.CreatedAt)
			if it.DayPart != "" {
				when += " " + it.DayPart
			} else {
				when += " " + Clock(sc, it.CreatedAt)
			}
			if hp, ok := sc.HelperByID(it.HelperID); ok {
				out = append(out, Text(l, "reminder.item", "group", GroupLabel(sc, it.Group), "when", when, "helper", hp.Name))
			} else {
				// A helper no longer configured: no id in a post.
				out = append(out, Text(l, "reminder.item.nohelper", "group", GroupLabel(sc, it.Group), "when", when))
			}
		}
	}
	out = append(out, Text(l, "reminder.footer"))
	return message.Message{SchoolID: sc.ID, Text: strings.Join(out, "\n")}
}

// AgendaThemeLine is one theme of the kernteam's agenda, with its number.
func AgendaThemeLine(sc *bot.School, t bot.AgendaTheme) string {
	l := Lang(sc.Language)
	no := strconv.Itoa(t.No)
	if t.ConsultID != "" {
		return Text(l, "agenda.theme.consult", "no", no, "group", GroupLabel(sc, t.Group), "when", dayLabel(sc, t.At))
	}
	return Text(l, "agenda.theme", "no", no, "text", strings.Join(chattext.Fields(t.Text), " "))
}

// AgendaText is the kernteam's agenda as "/hulp agenda" shows it.
func AgendaText(sc *bot.School, themes []bot.AgendaTheme) string {
	l := Lang(sc.Language)
	if len(themes) == 0 {
		return Text(l, "agenda.list.empty")
	}
	out := []string{Text(l, "agenda.list")}
	for _, t := range themes {
		out = append(out, AgendaThemeLine(sc, t))
	}
	return strings.Join(append(out, Text(l, "agenda.list.footer")), "\n")
}

// RenderNudge asks the whole team what went well this week, and how to
// share it.
func RenderNudge(sc *bot.School) message.Message {
	l := Lang(sc.Language)
	return message.Message{SchoolID: sc.ID, Text: Lines(Text(l, "nudge.title"), Text(l, "nudge.how"))}
}

// RenderSuccesses is the post "Successen van deze week 🎉": the stories,
// signed ones with their author.
func RenderSuccesses(sc *bot.School, stories []bot.Story) message.Message {
	l := Lang(sc.Language)
	out := []string{Text(l, "successes.title")}
	for _, st := range stories {
		text := strings.Join(chattext.Fields(st.Text), " ")
		if st.By != "" {
			out = append(out, Text(l, "successes.item.signed", "story", text, "name", st.By))
		} else {
			out = append(out, Text(l, "successes.item", "story", text))
		}
	}
	out = append(out, Text(l, "successes.footer"))
	return message.Message{SchoolID: sc.ID, Text: strings.Join(out, "\n")}
}

// RenderDigest is the coordinators' digest of a week: the figures in words
// and, attached, the chart of the last weeks. soFar says the week is not
// over (the digest on demand).
func RenderDigest(sc *bot.School, r bot.WeekReport, soFar bool) (message.Message, error) {
	m := message.Message{SchoolID: sc.ID, Text: DigestText(sc, r, soFar)}
	png, err := DigestChart(sc, r)
	if err != nil {
		return m, err
	}
	m.Attachments = []message.Attachment{{Name: "overzicht-" + sc.ID + "-" + r.Week.Week + ".png", ContentType: "image/png", Data: png}}
	return m, nil
}

// DigestSoFar is the digest on demand ("/hulp overzicht") that a
// coordinator asked for at now: the figures of the week so far for the
// reply, and the chart as a direct message to them, as a reply to a
// command cannot carry a file on every platform. Each request is a
// message of its own: it has no key, so the outbox gives it one of its own
// (no handle in it). When the chart fails, err says so and text is there
// all the same.
func DigestSoFar(sc *bot.School, r bot.WeekReport, to bot.Address, now time.Time) (text string, dm message.Message, err error) {
	m, err := RenderDigest(sc, r, true)
	if err != nil {
		return m.Text, message.Message{}, err
	}
	week := sc.Week(now)
	return m.Text, message.Message{
		To:          bot.Recipient{Address: to},
		SchoolID:    sc.ID,
		Text:        Text(Lang(sc.Language), "summary.chart", "week", weekNumber(week)),
		Attachments: m.Attachments,
	}, nil
}

// DigestText is the digest's figures in words.
func DigestText(sc *bot.School, r bot.WeekReport, soFar bool) string {
	l := Lang(sc.Language)
	w := r.Week
	cmp := r.Compare()
	titleKey := "digest.title"
	if soFar {
		titleKey = "digest.title.so_far"
	}
	out := []string{Text(l, titleKey, "school", sc.Name, "week", weekNumber(w.Week), "dates", weekDates(sc, w.Week))}

	requests := Text(l, "digest.requests", "count", strconv.Itoa(w.Requests))
	if cmp.Weeks > 0 {
		requests = Text(l, "digest.requests.compare", "count", strconv.Itoa(w.Requests), "weeks", strconv.Itoa(cmp.Weeks), "average", decimal(l, cmp.Requests))
	}
	out = append(out, requests)

	if w.Requests > 0 {
		var groups []string
		for _, g := range w.TopGroups(sc, len(w.ByGroup)) {
			groups = append(groups, Text(l, "digest.count", "what", GroupLabel(sc, g.Group), "count", strconv.Itoa(g.Count)))
		}
		out = append(out, Text(l, "digest.by_group", "list", strings.Join(groups, " · ")))
		var parts []string
		for _, p := range bot.DayPartNames(sc, w) {
			if n := w.ByDayPart[p]; n > 0 {
				parts = append(parts, Text(l, "digest.count", "what", dayPartLabel(sc, p), "count", strconv.Itoa(n)))
			}
		}
		if len(parts) > 0 {
			out = append(out, Text(l, "digest.by_daypart", "list", strings.Join(parts, " · ")))
		}
	}

	if med, ok := w.MedianWait(); ok {
		p90, _ := w.P90Wait()
		wait := Text(l, "digest.wait", "median", withinMinutes(l, med), "p90", withinMinutes(l, p90))
		if cmp.HasWait {
			wait += " " + Text(l, "digest.wait.compare", "median", withinMinutes(l, cmp.MedianWait))
		}
		out = append(out, wait)
	} else if w.Requests > 0 {
		out = append(out, Text(l, "digest.wait.none"))
	}
	if w.Accepted > 0 {
		out = append(out, Text(l, "digest.accepted", "count", strconv.Itoa(w.Accepted), "first", strconv.Itoa(w.AcceptedFirst),
			"moved", strconv.Itoa(w.MovedOn()), "picked", strconv.Itoa(w.PickedUp), "channel", channelName(sc)))
	}
	if w.Requests > 0 {
		out = append(out, Text(l, "digest.outcomes", "channel", channelName(sc), "escalated", strconv.Itoa(w.Escalated),
			"unpicked", strconv.Itoa(w.Unpicked), "cancelled", strconv.Itoa(w.Cancelled), "no_cover", strconv.Itoa(w.NoCover)))
	}
	if n := w.Pulse.Answers(); n > 0 {
		out = append(out, Text(l, "digest.pulse", "up", strconv.Itoa(w.Pulse.Up), "down", strconv.Itoa(w.Pulse.Down), "self", strconv.Itoa(w.Pulse.Self)))
	} else {
		out = append(out, Text(l, "digest.pulse.none"))
	}
	if w.Consults > 0 {
		out = append(out, Text(l, "digest.consults", "count", strconv.Itoa(w.Consults), "answered", strconv.Itoa(w.ConsultsAnswered),
			"agenda", strconv.Itoa(w.ConsultsToAgenda)))
	}
	if h := w.Held; h.Requests+h.Stories > 0 {
		out = append(out, Text(l, "digest.held", "held", strconv.Itoa(h.Requests), "without", strconv.Itoa(h.WithoutNote),
			"anyway", strconv.Itoa(h.Anyway), "cancelled", strconv.Itoa(h.Cancelled), "timeout", strconv.Itoa(h.Timeout),
			"stories", strconv.Itoa(h.Stories), "shared", strconv.Itoa(h.StoriesShared)))
	}
	if h := w.Held; h.Consults > 0 {
		out = append(out, Text(l, "digest.held.consults", "held", strconv.Itoa(h.Consults), "sent", strconv.Itoa(h.ConsultsSent),
			"cancelled", strconv.Itoa(h.ConsultsCancelled)))
	}
	out = append(out, Text(l, "digest.stories", "count", strconv.Itoa(w.Stories)))
	return strings.Join(out, "\n")
}

// DigestChart draws the report's chart weeks: requests per day part and
// the wait.
func DigestChart(sc *bot.School, r bot.WeekReport) ([]byte, error) {
	l := Lang(sc.Language)
	weeks := r.Chart
	if len(weeks) == 0 {
		weeks = []bot.WeekFigures{r.Week}
	}
	parts := bot.DayPartNames(sc, weeks...)
	labels := chart.Labels{
		Requests: Text(l, "chart.requests"),
		Wait:     Text(l, "chart.wait"),
		Median:   Text(l, "chart.median"),
		P90:      Text(l, "chart.p90"),
	}
	for _, w := range weeks {
		labels.Weeks = append(labels.Weeks, Text(l, "chart.week", "week", weekNumber(w.Week)))
	}
	for _, p := range parts {
		labels.DayParts = append(labels.DayParts, dayPartLabel(sc, p))
	}
	b, err := chart.Weekly(weeks, parts, labels)
	if err != nil {
		return nil, fmt.Errorf("digest chart: %w", err)
	}
	return b, nil
}

// summaryColumns are the fixed columns of SummaryCSV, by the key of their
// header and legend in the catalogue ("summary.csv.col.<key>",
// "summary.csv.legend.<key>").
var summaryColumns = []string{"week", "requests", "offers", "accepted", "accepted_first", "accepted_after_moving_on", "picked_up_from_channel",
	"declines", "timeouts", "escalated", "cancelled", "resolved", "no_cover",
	"median_wait_s", "p90_wait_s", "pulse_up", "pulse_down", "pulse_self", "stories",
	"consults", "consults_answered", "consults_to_agenda"}

// summaryLateColumns are fixed columns added after the CSV was in use: they
// come after the day parts and groups, so every earlier column keeps its
// place in the spreadsheets that read it.
var summaryLateColumns = []string{"unpicked"}

// SummaryCSV is the weekly aggregates for the steering group, in language
// l: a header row (Dutch headers in Dutch, separated by semicolons as Dutch
// spreadsheets read them), a row per week, then after an empty line a
// legend that says what each column counts. Counts only, no names.
func SummaryCSV(sc *bot.School, l string, weeks []bot.WeekFigures) string {
	l = Lang(l)
	parts := bot.DayPartNames(sc, weeks...)
	groups := bot.GroupIDs(sc, weeks...)
	var head []string
	for _, k := range summaryColumns {
		head = append(head, Text(l, "summary.csv.col."+k))
	}
	for _, p := range parts {
		head = append(head, Text(l, "summary.csv.col.daypart", "part", p))
	}
	for _, g := range groups {
		head = append(head, Text(l, "summary.csv.col.group", "group", g))
	}
	for _, k := range summaryLateColumns {
		head = append(head, Text(l, "summary.csv.col."+k))
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if l == LangNL {
		w.Comma = ';'
	}
	_ = w.Write(head) // a bytes.Buffer does not fail
	for _, f := range weeks {
		secs := func(d time.Duration, ok bool) string {
			if !ok {
				return ""
			}
			return strconv.FormatInt(int64(d.Round(time.Second)/time.Second), 10)
		}
		n := strconv.Itoa
		row := []string{f.Week, n(f.Requests), n(f.Offers), n(f.Accepted), n(f.AcceptedFirst), n(f.MovedOn()), n(f.PickedUp),
			n(f.Declines), n(f.Timeouts), n(f.Escalated), n(f.Cancelled), n(f.Resolved), n(f.NoCover),
			secs(f.MedianWait()), secs(f.P90Wait()), n(f.Pulse.Up), n(f.Pulse.Down), n(f.Pulse.Self), n(f.Stories),
			n(f.Consults), n(f.ConsultsAnswered), n(f.ConsultsToAgenda)}
		for _, p := range parts {
			row = append(row, n(f.ByDayPart[p]))
		}
		for _, g := range groups {
			row = append(row, n(f.ByGroup[g]))
		}
		row = append(row, n(f.Unpicked))
		_ = w.Write(row)
	}
	// The legend: a section of its own below the figures, column and meaning.
	w.Flush()
	buf.WriteString("\n")
	_ = w.Write([]string{Text(l, "summary.csv.legend"), ""})
	for i, k := range summaryColumns {
		_ = w.Write([]string{head[i], Text(l, "summary.csv.legend."+k)})
	}
	if len(parts) > 0 {
		_ = w.Write([]string{Text(l, "summary.csv.col.daypart", "part", "…"), Text(l, "summary.csv.legend.daypart")})
	}
	if len(groups) > 0 {
		_ = w.Write([]string{Text(l, "summary.csv.col.group", "group", "…"), Text(l, "summary.csv.legend.group")})
	}
	for _, k := range summaryLateColumns {
		_ = w.Write([]string{Text(l, "summary.csv.col."+k), Text(l, "summary.csv.legend."+k)})
	}
	w.Flush()
	return buf.String()
}

// weekNumber is the number of an ISO week: "2026-W09" → "9".
func weekNumber(week string) string {
	_, n, ok := strings.Cut(week, "-W")
	if !ok {
		return week
	}
	return strings.TrimLeft(n, "0")
}

// weekDates is the Monday and Sunday of a week: "30 nov t/m 6 dec".
func weekDates(sc *bot.School, week string) string {
	m, err := bot.ParseWeek(week)
	if err != nil {
		return week
	}
	l := Lang(sc.Language)
	return Text(l, "dates.range", "from", dateLabel(sc, m), "to", dateLabel(sc, m.AddDate(0, 0, 6)))
}

// dateLabel is a date as "30 nov" ("30 Nov").
func dateLabel(sc *bot.School, d time.Time) string {
	months := strings.Split(Text(Lang(sc.Language), "months"), ",")
	return strconv.Itoa(d.Day()) + " " + months[int(d.Month())-1]
}

// dayLabel is the day of a moment in the school's time zone: "di 24 nov".
func dayLabel(sc *bot.School, t time.Time) string {
	t = t.In(sc.Location)
	days := strings.Split(Text(Lang(sc.Language), "weekdays"), ",")
	return days[t.Weekday()] + " " + dateLabel(sc, t)
}

// dayPartLabel is a day part in words; outside the day parts is "buiten
// schooltijd".
func dayPartLabel(sc *bot.School, p string) string {
	if p == bot.DayPartOutside {
		return Text(Lang(sc.Language), "daypart.outside")
	}
	return p
}

// channelName is the fallback channel as the posts name it.
func channelName(sc *bot.School) string {
	if sc.FallbackChannel != "" {
		return sc.FallbackChannel
	}
	return sc.Kernteam.Channel
}

// decimal shows x with at most one decimal, with the language's decimal
// sign: 9,5 in Dutch, 9.5 in English; whole numbers without.
func decimal(l string, x float64) string {
	// Half away from zero, as people round: 0,25 is 0,3.
	s := strconv.FormatFloat(math.Round(x*10)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if l == LangNL {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// duration shows a wait: "45 s", "2 min", "1 min 20 s".
// withinMinutes is a wait as a teacher counts it, in whole minutes rounded
// up: "1 minuut", "2 minuten" — not "mediaan 0 s".
func withinMinutes(l string, d time.Duration) string {
	n := max(1, int((d+time.Minute-1)/time.Minute))
	if n == 1 {
		return Text(l, "minutes.one")
	}
	return Text(l, "minutes.n", "n", strconv.Itoa(n))
}

func duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + " s"
	case s%60 == 0:
		return strconv.FormatInt(s/60, 10) + " min"
	}
	return strconv.FormatInt(s/60, 10) + " min " + strconv.FormatInt(s%60, 10) + " s"
}
