package handlers

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/chattext"
)

// GroupIndex finds a school's group in what a teacher typed: "groep 5",
// "gr5", "g5", "5", "groep 1/2", "1-2", "5B", or a configured name or alias
// such as "kleuters" or "de dolfijnen". It is built once per school and
// read-only afterwards, so it is safe for concurrent use.
type GroupIndex struct {
	groups    []bot.Group
	ids       map[string][]string // normalised id → group ids
	aliases   map[string][]string // normalised alias → group ids
	keys      []groupKeyEntry     // every normalised id and alias, for prefixes
	maxTokens int                 // the most words a group can be typed with
}

type groupKeyEntry struct{ key, id string }

// NewGroupIndex indexes groups by id and alias. Matching a typed group
// tries, in order: the exact id, the exact alias, then a prefix that only
// one group has ("1-2" for "1-2a" when there is no "1-2b").
func NewGroupIndex(groups []bot.Group) *GroupIndex {
	x := &GroupIndex{
		groups:  slices.Clone(groups),
		ids:     map[string][]string{},
		aliases: map[string][]string{},
	}
	add := func(m map[string][]string, typed, id string) {
		k := groupKey(typed)
		if k == "" {
			return
		}
		if !slices.Contains(m[k], id) {
			m[k] = append(m[k], id)
		}
		x.keys = append(x.keys, groupKeyEntry{k, id})
		x.maxTokens = max(x.maxTokens, len(chattext.Fields(typed)))
	}
	for _, g := range groups {
		add(x.ids, g.ID, g.ID)
		for _, a := range g.Aliases {
			add(x.aliases, a, g.ID)
		}
	}
	// "groep", a separator typed as a word ("1 / 2") and an article.
	x.maxTokens = min(x.maxTokens+3, 8)
	return x
}

// Groups returns the indexed groups in configuration order.
func (x *GroupIndex) Groups() []bot.Group {
	if x == nil {
		return nil
	}
	return x.groups
}

// Lookup finds the group named by s alone, as in "groep 1/2".
func (x *GroupIndex) Lookup(s string) (bot.Group, error) {
	f := chattext.Fields(s)
	id, n, amb := x.match(f)
	if n != len(f) || id == "" {
		return bot.Group{}, &GroupError{Ambiguous: amb, Groups: x.Groups()}
	}
	g, _ := x.group(id)
	return g, nil
}

// Shadowed lists the configured ids and aliases that a command word hides:
// "/hulp klaar" always means done, even for a group called "klaar" (which
// stays reachable as "/hulp groep klaar"). Configuration checks can warn.
func (x *GroupIndex) Shadowed() []string {
	var out []string
	for _, g := range x.Groups() {
		for _, name := range append([]string{g.ID}, g.Aliases...) {
			if kind, n := matchVerb(chattext.Fields(name)); kind != verbNone && n > 0 {
				out = append(out, name)
			}
		}
	}
	return out
}

func (x *GroupIndex) group(id string) (bot.Group, bool) {
	for _, g := range x.groups {
		if g.ID == id {
			return g, true
		}
	}
	return bot.Group{}, false
}

// match finds the group the words f start with. It returns the group id and
// how many words name it; or, when a prefix fits several groups, those.
// Longer readings win over shorter ones, and every exact match over every
// prefix, so "groep 5 boos" is group 5 with the note "boos", and "groep 5 b"
// is 5b when the school has a 5b. A word that adds nothing to the group
// (emoji, a dash) is no part of it: it starts the note, so "groep 5 😀 hulp"
// keeps its "😀".
func (x *GroupIndex) match(f []string) (id string, n int, ambiguous []string) {
	if x == nil || len(f) == 0 {
		return "", 0, nil
	}
	top := min(len(f), x.maxTokens)
	keys := make([]string, top+1)
	prev := ""
	for k := 1; k <= top; k++ {
		key := groupKey(strings.Join(f[:k], " "))
		if key != prev {
			keys[k] = key
		} // else the k-th word adds nothing: no reading ends on it
		prev = key
	}
	for k := top; k >= 1; k-- {
		if keys[k] == "" {
			continue
		}
		for _, m := range []map[string][]string{x.ids, x.aliases} {
			switch ids := m[keys[k]]; {
			case len(ids) == 1:
				return ids[0], k, nil
			case len(ids) > 1:
				return "", 0, ids
			}
		}
	}
	for k := top; k >= 1; k-- {
		switch ids := x.prefixed(keys[k]); {
		case len(ids) == 1:
			return ids[0], k, nil
		case len(ids) > 1:
			return "", 0, ids
		}
	}
	return "", 0, nil
}

// prefixed lists the groups with a key that starts with key. A number must
// end where a group's number ends ("1" is not a prefix of "12"), and a word
// needs three letters at least.
func (x *GroupIndex) prefixed(key string) []string {
	if key == "" || (!isDigit(key[0]) && len(key) < 3) {
		return nil
	}
	var out []string
	for _, e := range x.keys {
		rest, ok := strings.CutPrefix(e.key, key)
		if !ok || rest == "" || (isDigit(key[len(key)-1]) && isDigit(rest[0])) {
			continue
		}
		if !slices.Contains(out, e.id) {
			out = append(out, e.id)
		}
	}
	return out
}

// groupKey normalises a group as typed or configured, so both compare:
// lower case without accents; "groep", "group" and an article dropped in
// front, "gr", "gr." and "g" in front of a number; "/", "&", "+", "en" or a
// space between numbers become "-"; other spaces and punctuation go.
//
//	"Groep 1/2" → "1-2"   "gr. 5B" → "5b"   "De Dolfijnen" → "dolfijnen"
func groupKey(s string) string {
	s = " " + strings.Join(chattext.Fields(fold(s)), " ") + " "
	s = strings.ReplaceAll(s, " en ", " / ")
	s = strings.ReplaceAll(s, " and ", " / ")
	s = strings.TrimSpace(s)
	for {
		t := stripGroupWord(s)
		if t == s {
			break
		}
		s = t
	}
	var b strings.Builder
	sep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c) || (c >= 'a' && c <= 'z'):
			if sep && isDigit(c) && b.Len() > 0 && isDigit(b.String()[b.Len()-1]) {
				b.WriteByte('-')
			}
			b.WriteByte(c)
			sep = false
		case c == ' ' || c == '/' || c == '-' || c == '&' || c == '+' || c == '_' || c == ',':
			sep = true
		case c >= 0x80:
			// A letter of another script: keep it whole.
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteString(s[i : i+size])
			}
			i += size - 1
		}
	}
	return b.String()
}

// stripGroupWord drops one leading "groep", article, or "gr"/"g" before a
// number.
func stripGroupWord(s string) string {
	for _, w := range []string{"groep", "group", "grp", "de", "het", "the"} {
		if rest, ok := strings.CutPrefix(s, w+" "); ok {
			return strings.TrimLeft(rest, " ")
		}
	}
	for _, w := range []string{"groep", "group", "grp", "gr.", "gr", "g"} {
		if rest, ok := strings.CutPrefix(s, w); ok {
			rest = strings.TrimLeft(rest, " .")
			if rest != "" && isDigit(rest[0]) {
				return rest
			}
		}
	}
	return s
}

// looksLikeGroup reports whether a word was meant as a group ("groep",
// "gr5", "9b") rather than as a command, so a miss lists the groups
// instead of the usage.
func looksLikeGroup(w string) bool {
	w = fold(w)
	if w == "" {
		return false
	}
	if isDigit(w[0]) || strings.HasPrefix(w, "groep") || strings.HasPrefix(w, "group") || w == "gr" || w == "gr." || w == "g" {
		return true
	}
	return stripGroupWord(w) != w
}

// GroupError says the typed group is not one of the school's groups, or
// fits several. It carries the school's groups so the reply can list them,
// and matches bot.ErrUnknownGroup with errors.Is.
type GroupError struct {
	Ambiguous []string    // group ids that all fit, when more than one did
	Groups    []bot.Group // the school's groups
}

func (e *GroupError) Error() string {
	if len(e.Ambiguous) > 1 {
		return "ambiguous group"
	}
	return bot.ErrUnknownGroup.Error()
}

// Unwrap makes errors.Is(err, bot.ErrUnknownGroup) hold.
func (e *GroupError) Unwrap() error { return bot.ErrUnknownGroup }
