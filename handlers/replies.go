package handlers

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hulpbot/hulpbot/bot"
)

// Words for the values replies and notices show: groups, roles, times,
// lists. Pure functions of the school and the values.

// groupLabel is how a group is shown: "groep 5" ("group 5") for numbered
// groups, the configured name otherwise.
func groupLabel(sc *bot.School, id string) string {
	if id != "" && isDigit(id[0]) {
		return Text(lang(sc.Language), "group.numbered", "id", id)
	}
	return id
}

// roleLabel is a role in words; a role the catalogue does not know is
// shown as configured, with spaces for dashes.
func roleLabel(sc *bot.School, r bot.Role) string {
	k := "role." + string(r)
	if s := Text(lang(sc.Language), k); s != k {
		return s
	}
	return strings.ReplaceAll(string(r), "-", " ")
}

// clock is a moment as HH:MM in the school's time zone.
func clock(sc *bot.School, t time.Time) string {
	if sc.Location != nil {
		t = t.In(sc.Location)
	}
	return t.Format("15:04")
}

// whenDown is what to do when hulpbot cannot help: the school's own advice,
// or the catalogue's.
func whenDown(sc *bot.School) string {
	if s := strings.TrimSpace(sc.WhenDown); s != "" {
		return strings.TrimRight(s, ".")
	}
	return Text(lang(sc.Language), "when_down")
}

// groupList shows the school's groups, aliases in brackets:
// "1-2a (kleuters), 3, 4, Dolfijnen".
func groupList(sc *bot.School, groups []bot.Group) string {
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		if len(g.Aliases) > 0 {
			out = append(out, Text(lang(sc.Language), "group.aliases", "id", g.ID, "aliases", strings.Join(g.Aliases, ", ")))
		} else {
			out = append(out, g.ID)
		}
	}
	return strings.Join(out, ", ")
}

// orList joins "a, b of c" ("a, b or c").
func orList(sc *bot.School, items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + Text(lang(sc.Language), "or") + " " + items[len(items)-1]
}

// usage lists every command, and the school's groups.
func usage(sc *bot.School) string {
	return Text(lang(sc.Language), "usage", "groups", groupList(sc, sc.Groups))
}

// exampleGroup is a group to show in an example command: "groep 5".
func exampleGroup(sc *bot.School) string {
	if len(sc.Groups) == 0 {
		return Text(lang(sc.Language), "group.numbered", "id", "5")
	}
	return groupLabel(sc, sc.Groups[len(sc.Groups)/2].ID)
}

// whoText lists the helpers with their state now.
func whoText(sc *bot.School, now time.Time, views []bot.HelperView) string {
	l := lang(sc.Language)
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
	l := lang(sc.Language)
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
		return Text(l, k+".until", "time", clock(sc, v.Until))
	}
	return Text(l, k)
}

// statusText confirms a status the helper set.
func statusText(sc *bot.School, now time.Time, a bot.Availability) string {
	l := lang(sc.Language)
	if a.Status == bot.Available || a.Status == "" {
		return Text(l, "status.available")
	}
	k := "status.busy"
	if a.Status == bot.Away {
		k = "status.away"
	}
	var s string
	if !a.Until.IsZero() && a.Until.Before(sc.EndOfDay(now)) {
		s = Text(l, k+".until", "time", clock(sc, a.Until))
	} else {
		s = Text(l, k+".day")
	}
	return s + "\n" + Text(l, "status.back")
}

// helperName is a helper's configured name, or "een hulpverlener".
func helperName(sc *bot.School, name string) string {
	if name != "" {
		return name
	}
	return Text(lang(sc.Language), "someone")
}

// lines joins the non-empty parts of a message with line breaks.
func lines(parts ...string) string {
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
