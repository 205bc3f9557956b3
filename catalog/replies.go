package catalog

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// Words for the values replies and notices show (groups, roles, times,
// lists), and the replies to commands that take more than one text. Pure
// functions of the school and the values.

// GroupLabel is how a group is shown: "groep 5" ("group 5") for numbered
// groups, "de bso" for a group called by a common noun, the configured
// name otherwise.
func GroupLabel(sc *bot.School, id string) string {
	if id != "" && id[0] >= '0' && id[0] <= '9' {
		return Text(Lang(sc.Language), "group.numbered", "id", id)
	}
	// A group named by a common noun takes the article, as people say it:
	// "voor de bso", "bij de peuters"; a proper name ("Dolfijnen") as is.
	if r, _ := utf8.DecodeRuneInString(id); unicode.IsLower(r) {
		return Text(Lang(sc.Language), "group.common", "id", id)
	}
	return id
}

// roleLabel is a role in words; a role the catalogue does not know is
// shown as configured, with spaces for dashes.
func roleLabel(sc *bot.School, r bot.Role) string {
	k := "role." + string(r)
	if s := Text(Lang(sc.Language), k); s != k {
		return s
	}
	return strings.ReplaceAll(string(r), "-", " ")
}

// Clock is a moment as HH:MM in the school's time zone.
func Clock(sc *bot.School, t time.Time) string {
	if sc.Location != nil {
		t = t.In(sc.Location)
	}
	return t.Format("15:04")
}

// WhenDown is what to do when hulpbot cannot help: the school's own advice,
// or the catalogue's.
func WhenDown(sc *bot.School) string {
	if s := strings.TrimSpace(sc.WhenDown); s != "" {
		return strings.TrimRight(s, ".")
	}
	return Text(Lang(sc.Language), "when_down", "coordinator", CoordinatorTitle(sc))
}

// GroupList shows the school's groups, aliases in brackets:
// "1-2a (kleuters), 3, 4, Dolfijnen".
func GroupList(sc *bot.School, groups []bot.Group) string {
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		if len(g.Aliases) > 0 {
			out = append(out, Text(Lang(sc.Language), "group.aliases", "id", g.ID, "aliases", strings.Join(g.Aliases, ", ")))
		} else {
			out = append(out, g.ID)
		}
	}
	return strings.Join(out, ", ")
}

// OrList joins "a, b of c" ("a, b or c").
func OrList(sc *bot.School, items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + Text(Lang(sc.Language), "or") + " " + items[len(items)-1]
}

// Usage lists every command, and the school's groups.
func Usage(sc *bot.School) string {
	return Text(Lang(sc.Language), "usage", "groups", GroupList(sc, sc.Groups), "coordinator", CoordinatorTitle(sc))
}

// CoordinatorTitle is what the school calls its coordinator: its own title
// ("pedagogisch coach"), else "IB'er".
func CoordinatorTitle(sc *bot.School) string {
	if t := strings.TrimSpace(sc.CoordinatorTitle); t != "" {
		return t
	}
	return Text(Lang(sc.Language), "coordinator")
}

// ExampleGroup is a group to show in an example command: "groep 5".
func ExampleGroup(sc *bot.School) string {
	if len(sc.Groups) == 0 {
		return Text(Lang(sc.Language), "group.numbered", "id", "5")
	}
	return GroupLabel(sc, sc.Groups[len(sc.Groups)/2].ID)
}

// WhoText lists the helpers with their state now.
func WhoText(sc *bot.School, now time.Time, views []bot.HelperView) string {
	l := Lang(sc.Language)
	if len(views) == 0 {
		return Text(l, "who.none", "school", sc.Name)
	}
	lines := []string{Text(l, "who.title", "school", sc.Name)}
	free := false
	for _, v := range views {
		free = free || v.Free()
		lines = append(lines, Text(l, "who.line", "name", v.Helper.Name, "role", roleLabel(sc, v.Helper.Role), "status", helperStatus(sc, now, v)))
	}
	if !free {
		if sc.FallbackChannel != "" {
			lines = append(lines, Text(l, "who.nobody_free", "channel", sc.FallbackChannel))
		} else {
			lines = append(lines, Text(l, "who.nobody_free.nochannel"))
		}
	}
	return strings.Join(lines, "\n")
}

// helperStatus is one helper's state in words: engaged first, then off
// duty, then the status they set.
func helperStatus(sc *bot.School, now time.Time, v bot.HelperView) string {
	l := Lang(sc.Language)
	switch {
	case v.Engaged:
		return Text(l, "who.engaged")
	case !v.OnDuty:
		return Text(l, "who.off_duty")
	case v.Status == bot.Available:
		return Text(l, "who.available")
	}
	k := "who.busy"
	if v.Status == bot.Away {
		k = "who.away"
	}
	if !v.Until.IsZero() && v.Until.Before(sc.EndOfDay(now)) {
		return Text(l, k+".until", "time", Clock(sc, v.Until))
	}
	if d := laterDay(sc, now, v.Until); d != "" {
		return Text(l, k+".date", "day", d)
	}
	return Text(l, k)
}

// StatusText confirms a status the helper set.
func StatusText(sc *bot.School, now time.Time, a bot.Availability) string {
	l := Lang(sc.Language)
	if a.Status == bot.Available || a.Status == "" {
		return Text(l, "status.available")
	}
	k := "status.busy"
	if a.Status == bot.Away {
		k = "status.away"
	}
	var s string
	switch d := laterDay(sc, now, a.Until); {
	case !a.Until.IsZero() && a.Until.Before(sc.EndOfDay(now)):
		s = Text(l, k+".until", "time", Clock(sc, a.Until))
	case d != "":
		s = Text(l, k+".date", "day", d)
	default:
		s = Text(l, k+".day")
	}
	return s + "\n" + Text(l, "status.back")
}

// laterDay names the day a status lasts until when that is a day after
// the end of today, within a week: "morgen", "maandag"; "" otherwise.
func laterDay(sc *bot.School, now, until time.Time) string {
	if until.IsZero() || !until.After(sc.EndOfDay(now)) {
		return "" // "tot morgen" is the end of today
	}
	loc := sc.Location
	if loc == nil {
		loc = time.UTC
	}
	n, u := now.In(loc), until.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	day := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	days := int(day.Sub(today).Hours() / 24)
	l := Lang(sc.Language)
	switch {
	case days == 1:
		return Text(l, "day.tomorrow")
	case days > 1 && days <= 7:
		return strings.Split(Text(l, "weekdays.long"), ",")[u.Weekday()]
	}
	return ""
}

// HelperName is a helper's configured name, or "een hulpverlener".
func HelperName(sc *bot.School, name string) string {
	if name != "" {
		return name
	}
	return Text(Lang(sc.Language), "someone")
}

// Lines joins the non-empty parts of a message with line breaks.
func Lines(parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

// capitalize starts s with a capital: advice like "loop even binnen bij de
// IB'er" starts a sentence of its own.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// RequestText tells the teacher where the request went.
func RequestText(sc *bot.School, r bot.Request) string {
	l := Lang(sc.Language)
	group := GroupLabel(sc, r.Group)
	switch r.State {
	case bot.StateOffered:
		name, role := "", ""
		if hp, ok := sc.HelperByID(r.HelperID); ok {
			name, role = hp.Name, roleLabel(sc, hp.Role)
		}
		return Lines(Text(l, "request.offered", "group", group, "helper", HelperName(sc, name), "role", role),
			Text(l, "request.offered.next"))
	case bot.StateEscalated:
		if sc.FallbackChannel == "" {
			return Text(l, "request.escalated.nochannel", "group", group, "when_down", WhenDown(sc))
		}
		return Text(l, "request.escalated", "group", group, "channel", sc.FallbackChannel)
	}
	return Text(l, "request.received", "group", group)
}

// HeldReply is the answer to a request held because its note seemed to
// name a child or hold health data: what happens, what happens without a
// choice, how to change it, and the three buttons (only its requester may
// press them; they mean nothing after the hold's deadline).
func HeldReply(sc *bot.School, r bot.Request) (string, []message.Button) {
	l := Lang(sc.Language)
	text := Lines(Text(l, "held.title", "group", GroupLabel(sc, r.Group)),
		Text(l, "held.choose", "time", Clock(sc, r.Deadline)),
		Text(l, "held.edit", "example", ExampleGroup(sc)))
	return text, []message.Button{
		{Label: Text(l, "button.held.without_note"), Action: message.ActionHeldWithoutNote, RequestID: r.ID, Primary: true, Until: r.Deadline},
		{Label: Text(l, "button.held.anyway"), Action: message.ActionHeldAnyway, RequestID: r.ID, Until: r.Deadline},
		{Label: Text(l, "button.held.cancel"), Action: message.ActionHeldCancel, RequestID: r.ID, Until: r.Deadline},
	}
}

// HeldStoryReply is the answer to a success story held because it seemed
// to name a child or hold health data: it is not shared unless its author
// presses Deel toch before until; without a press it is gone.
func HeldStoryReply(sc *bot.School, id string, until time.Time) (string, []message.Button) {
	l := Lang(sc.Language)
	return Lines(Text(l, "story.held", "time", Clock(sc, until)), Text(l, "story.held.edit")), []message.Button{
		{Label: Text(l, "button.story.share"), Action: message.ActionStoryShare, RequestID: id, Until: until},
		{Label: Text(l, "button.held.cancel"), Action: message.ActionStoryCancel, RequestID: id, Primary: true, Until: until},
	}
}

// HeldConsultReply answers a consult whose question is held (id) until its
// author chooses, at the latest until: send it anyway, or cancel (and type
// it again). No "without the note": the question is the consult.
func HeldConsultReply(sc *bot.School, id string, until time.Time) (string, []message.Button) {
	l := Lang(sc.Language)
	return Lines(Text(l, "consult.held", "time", Clock(sc, until)), Text(l, "consult.held.edit")), []message.Button{
		{Label: Text(l, "button.held.anyway"), Action: message.ActionConsultSend, RequestID: id, Until: until},
		{Label: Text(l, "button.held.cancel"), Action: message.ActionConsultDrop, RequestID: id, Primary: true, Until: until},
	}
}

// LetGoText replaces the held reply once a held request was let go: by this
// press (again false), or before it (again true: a second press, or the
// hold's deadline first). r is the request as it stands.
func LetGoText(sc *bot.School, r bot.Request, how bot.ReleaseHow, again bool) string {
	l := Lang(sc.Language)
	switch {
	case r.State == bot.StateCancelled && again:
		return Text(l, "held.already.cancelled")
	case r.State == bot.StateCancelled:
		return Text(l, "held.cancelled", "group", GroupLabel(sc, r.Group))
	case again:
		return Lines(Text(l, "held.already.sent"), RequestText(sc, r))
	case how == bot.ReleaseAnyway:
		return Lines(Text(l, "held.sent.anyway"), RequestText(sc, r))
	}
	return Lines(Text(l, "held.sent.without_note"), RequestText(sc, r))
}

// pulseButtons ask "Hielp het?" under the notice that a request was closed.
func pulseButtons(l, requestID string) []message.Button {
	return []message.Button{
		{Label: Text(l, "button.pulse_up"), Action: message.ActionPulseUp, RequestID: requestID},
		{Label: Text(l, "button.pulse_down"), Action: message.ActionPulseDown, RequestID: requestID},
		{Label: Text(l, "button.pulse_self"), Action: message.ActionPulseSelf, RequestID: requestID},
	}
}

// PulseLabel is an answer to "Hielp het?" as its button shows it.
func PulseLabel(l string, a bot.PulseAnswer) string {
	switch a {
	case bot.PulseUp:
		return Text(l, "button.pulse_up")
	case bot.PulseDown:
		return Text(l, "button.pulse_down")
	}
	return Text(l, "button.pulse_self")
}

// GroupQuestion asks which group a teacher meant when the typed one was
// not the school's: one group that nearly fits ("Bedoel je groep 1-2?",
// button "Ja, groep 1-2"), several that nearly fit, or several that all fit
// ("Welke groep bedoel je: 5a of 5b?"). It returns the question and a
// button label per group, in the order given. hasNote adds that a click
// sends the request without the note that was typed.
func GroupQuestion(sc *bot.School, ids []string, ambiguous, hasNote bool) (string, []string) {
	l := Lang(sc.Language)
	labels := make([]string, len(ids))
	buttons := make([]string, len(ids))
	for i, id := range ids {
		labels[i] = GroupLabel(sc, id)
		buttons[i] = capitalize(Text(l, "group.choose.button", "group", labels[i]))
	}
	var q string
	switch {
	case ambiguous:
		q = Text(l, "err.ambiguous_group", "choices", OrList(sc, labels))
	case len(ids) == 1:
		q = Text(l, "group.suggest", "choices", labels[0])
		buttons[0] = Text(l, "group.suggest.button", "group", labels[0])
	default:
		q = Text(l, "group.suggest", "choices", OrList(sc, labels))
	}
	if hasNote {
		q = Lines(q, Text(l, "group.note_stays"))
	}
	return q, buttons
}

// ConsultSent is the answer to "/hulp meedenken": who the question went to.
func ConsultSent(sc *bot.School, r bot.Request) string {
	l := Lang(sc.Language)
	helper, role := Text(l, "someone"), ""
	if hp, ok := sc.HelperByID(r.HelperID); ok {
		helper, role = hp.Name, roleLabel(sc, hp.Role)
	}
	return Text(l, "consult.ok", "group", GroupLabel(sc, r.Group), "helper", helper, "role", role)
}
