package notecheck

import (
	"bufio"
	"embed"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The word lists, read once: what they hold and where they come from is in
// data/README.md.
//
//go:embed data/*.txt
var dataFS embed.FS

// lexicon is the word lists, read once and shared by every Detector: they
// never change while the process runs.
type lexicon struct {
	words    sortedWords     // ordinary Dutch words (OpenTaal), compounds left out
	names    map[string]bool // first names
	nameWord map[string]bool // first names that are also ordinary words
	starter  map[string]bool // …of which so common at a sentence's start that a capital proves nothing
	school   map[string]bool // words of a school day that are no name
	places   map[string]bool // countries, nationalities, languages, places
	health   healthWords
}

var loadLexicon = sync.OnceValue(func() *lexicon {
	l := &lexicon{
		words:    sortedWords(lines("data/words.txt")),
		names:    map[string]bool{},
		nameWord: map[string]bool{},
		starter:  map[string]bool{},
		school:   map[string]bool{},
		places:   map[string]bool{},
	}
	slices.Sort(l.words) // sorted already; a sort of sorted input is cheap and makes it sure
	for _, w := range lines("data/firstnames.txt") {
		l.names[w] = true
	}
	for _, w := range lines("data/namewords.txt") {
		w, start := strings.CutSuffix(w, " start")
		l.nameWord[w], l.names[w] = true, true
		l.starter[w] = start
	}
	for _, w := range lines("data/schoolwords.txt") {
		l.school[w] = true
	}
	for _, w := range lines("data/places.txt") {
		l.places[w] = true
	}
	l.health = newHealthWords(lines("data/health.txt"))
	return l
})

// lines are the lines of an embedded list without comments and blank
// lines, folded (an entry that starts with "=" keeps its case).
func lines(name string) []string {
	f, err := dataFS.Open(name)
	if err != nil {
		panic("notecheck: embedded " + name + ": " + err.Error()) // a build without its data is no build
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		if s[0] != '=' {
			s = fold(s)
		}
		out = append(out, s)
	}
	return out
}

// sortedWords is a sorted list searched by halving: a hundred thousand
// words cost a few hundred kilobytes less than as a map.
type sortedWords []string

func (s sortedWords) has(w string) bool {
	_, ok := slices.BinarySearch(s, w)
	return ok
}

// ordinary reports whether w (folded) is an ordinary Dutch word: in the
// list, or a compound of listed words (schoolplein + ruzie, with the
// linking s, e or en of Dutch compounds), up to depth parts deep. The list
// was made without the compounds this finds (data/mkwords.py), with the
// same rule.
func (l *lexicon) ordinary(w string, depth int) bool {
	if l.words.has(w) {
		return true
	}
	if depth == 0 || len(w) < 2*minPart || !isASCII(w) {
		return false // the list is ASCII only; so are its compounds
	}
	for i := minPart; i <= len(w)-minPart; i++ {
		if l.prefix(w[:i]) && l.ordinary(w[i:], depth-1) {
			return true
		}
	}
	return false
}

// minPart is the shortest part of a compound: with three letters, names
// split into short words too (wil + helmina, mina).
const minPart = 4

// prefix reports whether a is the first part of a compound: a listed word,
// or one with Dutch's linking s, e or en (schaapskooi, pannenkoek).
func (l *lexicon) prefix(a string) bool {
	if l.words.has(a) {
		return true
	}
	for _, link := range []string{"s", "e", "en"} {
		if t, ok := strings.CutSuffix(a, link); ok && len(t) >= minPart && l.words.has(t) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// healthWords are the entries of data/health.txt by kind.
type healthWords struct {
	exact    map[string]bool   // folded
	upper    map[string]bool   // as written, in capitals
	prefix   map[byte][]string // by first byte
	infix    []string
	minInfix int // the shortest infix: a shorter word holds none
}

func newHealthWords(entries []string) healthWords {
	h := healthWords{exact: map[string]bool{}, upper: map[string]bool{}, prefix: map[byte][]string{}}
	for _, e := range entries {
		switch {
		case e[0] == '=':
			h.upper[e[1:]] = true
		case len(e) > 2 && e[0] == '*' && e[len(e)-1] == '*':
			in := e[1 : len(e)-1]
			h.infix = append(h.infix, in)
			if h.minInfix == 0 || len(in) < h.minInfix {
				h.minInfix = len(in)
			}
		case e[len(e)-1] == '*':
			h.prefix[e[0]] = append(h.prefix[e[0]], e[:len(e)-1])
		default:
			h.exact[e] = true
		}
	}
	return h
}

// match reports whether a word (as written, and folded) is health data.
func (h healthWords) match(raw, f string) bool {
	if h.exact[f] || h.upper[raw] {
		return true
	}
	if f == "" {
		return false
	}
	for _, p := range h.prefix[f[0]] {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	if len(f) < h.minInfix {
		return false
	}
	for _, p := range h.infix {
		if strings.Contains(f, p) {
			return true
		}
	}
	return false
}

// fold lower-cases s and takes the accents off ("Zoë" → "zoe", "Ayşe" →
// "ayse"), as the lists were folded.
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r = unicode.ToLower(r); r {
		case 'ł':
			r = 'l'
		case 'ı':
			r = 'i'
		case 'ø':
			r = 'o'
		case 'ß':
			b.WriteString("ss")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		case '’', '‘', '`', '´':
			r = '\''
		}
		b.WriteRune(r)
	}
	return b.String()
}
