package handlers

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/chattext"
	"github.com/hulpbot/hulpbot/internal/fuzzy"
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
// how many words name it; or, when a prefix fits several groups, those
// (and how many words fit them).
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
				return "", k, ids
			}
		}
	}
	for k := top; k >= 1; k-- {
		switch ids := x.prefixed(keys[k]); {
		case len(ids) == 1:
			return ids[0], k, nil
		case len(ids) > 1:
			return "", k, ids
		}
	}
	return "", 0, nil
}

// near lists the groups the words f start with seem to mean when no group
// fits them as typed, and how many words that took: "groep 2" when the
// school has 1-2 (a number of a combination group), "groep 5b" when it
// has 5 (a letter too many), "dolfijen" for the Dolfijnen (a typo or two).
// Longer readings win; at most three groups, in configuration order.
func (x *GroupIndex) near(f []string) (ids []string, n int) {
	if x == nil || len(f) == 0 {
		return nil, 0
	}
	top := min(len(f), x.maxTokens)
	for k := top; k >= 1; k-- {
		key := groupKey(strings.Join(f[:k], " "))
		if key == "" || (k > 1 && key == groupKey(strings.Join(f[:k-1], " "))) {
			continue
		}
		if ids := x.nearKey(key); len(ids) > 0 {
			return ids, k
		}
	}
	return nil, 0
}

// maxNear is how many groups a question offers.
const maxNear = 3

// nearKey lists the groups key seems to mean (near).
func (x *GroupIndex) nearKey(key string) []string {
	var out []string
	add := func(id string) {
		if len(out) < maxNear && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if isDigit(key[0]) {
		num := strings.TrimRightFunc(key, func(r rune) bool { return r < utf8.RuneSelf && !isDigit(byte(r)) && r != '-' })
		if num != key && len(key)-len(num) <= 2 { // "5b" → 5, "1-2c" → 1-2; "5bonrust" is a note
			for _, id := range x.ids[num] {
				add(id)
			}
			for _, id := range x.prefixed(num) {
				add(id)
			}
		}
		if !strings.Contains(key, "-") { // "2" → 1-2, "2b" → 1-2b
			for _, e := range x.keys {
				for _, part := range strings.Split(e.key, "-")[1:] {
					if part == key || strings.TrimRightFunc(part, func(r rune) bool { return !unicode.IsDigit(r) }) == key {
						add(e.id)
					}
				}
			}
		}
		return out
	}
	if len(key) < 4 {
		return nil
	}
	limit := 1
	if len(key) >= 7 {
		limit = 2
	}
	for _, e := range x.keys {
		if isDigit(e.key[0]) {
			continue
		}
		if d := fuzzy.Distance(key, e.key, limit+1); d <= limit {
			add(e.id)
		}
	}
	return out
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
	s = " " + strings.Join(numberWords(chattext.Fields(fold(s))), " ") + " "
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

// numbers are the group numbers as words, folded.
var numbers = map[string]string{
	"een": "1", "twee": "2", "drie": "3", "vier": "4", "vijf": "5", "zes": "6", "zeven": "7", "acht": "8",
	"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
}

// numberWords writes a group number typed as a word as digits, right after
// "groep" only ("groep vijf" is 5, "groep een en twee" is 1-2): elsewhere
// "een" is an article and "twee kinderen" a note.
func numberWords(f []string) []string {
	if len(f) < 2 || (f[0] != "groep" && f[0] != "group" && f[0] != "gr" && f[0] != "gr.") {
		return f
	}
	d, ok := numbers[f[1]]
	if !ok {
		return f
	}
	f = slices.Clone(f)
	f[1] = d
	if len(f) >= 4 && (f[2] == "en" || f[2] == "and" || f[2] == "/" || f[2] == "-" || f[2] == "&") {
		if d, ok := numbers[f[3]]; ok {
			f[3] = d
		}
	}
	return f
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
	Suggest   []string    // group ids that nearly fit, when none fitted
	Groups    []bot.Group // the school's groups
	// HasNote: a note followed the group, which a click on one of the
	// groups does not carry.
	HasNote bool
}

func (e *GroupError) Error() string {
	if len(e.Ambiguous) > 1 {
		return "ambiguous group"
	}
	return bot.ErrUnknownGroup.Error()
}

// Unwrap makes errors.Is(err, bot.ErrUnknownGroup) hold.
func (e *GroupError) Unwrap() error { return bot.ErrUnknownGroup }
