package catalog

import (
	"context"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// Presence is what the morning post reads of the helpers' states
// (bot.Service): who set themselves away.
type Presence interface {
	WhoCanHelp(ctx context.Context, now time.Time, sc *bot.School) ([]bot.HelperView, error)
}

var _ Presence = (*bot.Service)(nil)

// WithPresence lets "Vandaag op school" leave out the helpers who are away
// for the whole day; without it the post follows the schedules only.
func (p *WeeklyPosts) WithPresence(pr Presence) *WeeklyPosts {
	p.presence = pr
	return p
}

// today puts "Vandaag op school" together for tick t.
func (p *WeeklyPosts) today(ctx context.Context, sc *bot.School, t bot.Tick) (message.Message, error) {
	var states map[string]bot.HelperState
	if p.presence != nil {
		views, err := p.presence.WhoCanHelp(ctx, t.At, sc)
		if err != nil {
			return message.Message{}, err
		}
		states = make(map[string]bot.HelperState, len(views))
		for _, v := range views {
			states[v.Helper.ID] = bot.HelperState{Availability: bot.Availability{Status: v.Status, Until: v.Until}}
		}
	}
	return RenderToday(sc, t.At, sc.OnDay(t.At, states)), nil
}

// RenderToday is the morning post: who of the helpers is at school today,
// and when ("Anne: ochtend · Bram: middag"), short enough to read between
// two lessons.
func RenderToday(sc *bot.School, at time.Time, days []bot.HelperDay) message.Message {
	l := Lang(sc.Language)
	title := Text(l, "today.title", "day", longDate(sc, at))
	if len(days) == 0 {
		if sc.FallbackChannel != "" {
			return message.Message{Text: Lines(title, Text(l, "today.nobody", "channel", sc.FallbackChannel))}
		}
		return message.Message{Text: Lines(title, Text(l, "today.nobody.nochannel"))}
	}
	items := make([]string, len(days))
	for i, d := range days {
		when := Text(l, "today.all_day")
		if !d.AllDay {
			when = strings.Join(d.Parts, " "+Text(l, "and")+" ")
		}
		items[i] = Text(l, "today.item", "name", d.Helper.Name, "when", when)
	}
	return message.Message{Text: Lines(title, strings.Join(items, " · "), Text(l, "today.footer"))}
}

// longDate is "donderdag 26 november" ("Thursday 26 November").
func longDate(sc *bot.School, at time.Time) string {
	l := Lang(sc.Language)
	if sc.Location != nil {
		at = at.In(sc.Location)
	}
	day := strings.Split(Text(l, "weekdays.long"), ",")[at.Weekday()]
	month := strings.Split(Text(l, "months.long"), ",")[at.Month()-1]
	return Text(l, "date.long", "weekday", day, "day", itoa(at.Day()), "month", month)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// WhoIsWho is "/hulp wie-is-wie": each helper, their role and what they
// offer the team, in their own words.
func WhoIsWho(sc *bot.School) string {
	l := Lang(sc.Language)
	if len(sc.Helpers) == 0 {
		return Text(l, "who.none", "school", sc.Name)
	}
	lines := []string{Text(l, "whoiswho.title", "school", sc.Name)}
	for _, h := range sc.Helpers {
		line := Text(l, "whoiswho.line", "name", h.Name, "role", roleLabel(sc, h.Role))
		if o := strings.TrimSpace(h.Offers); o != "" {
			line += ": " + o
		}
		if slots := h.Schedule.Slots(); len(slots) > 0 {
			line += " " + Text(l, "whoiswho.when", "slots", strings.Join(slots, ", "))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
