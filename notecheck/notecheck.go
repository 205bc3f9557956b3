// Package notecheck decides whether a teacher's note seems to name a child
// or to hold health data (a diagnosis, a condition, medication): the kind of
// note hulpbot holds before anyone else reads it.
//
// It reads names in any case and place: a first name from its list
// ("daan slaat", "ruzie met Ayoub"), a capitalised word that is no ordinary
// Dutch word ("Xiomara huilt"), a possessive or pet form of a first name
// ("Sems jas", "daantje"). It lets pass what a school writes every day: its
// own words (groups, the names of its helpers and coordinators), roles and
// places in and around school, countries, nationalities and languages
// ("kind net uit Syrie"), a colleague after juf or meester, mentions
// (@anne) and links. A first name that is also an ordinary word ("Roos",
// "Mees", "Storm") counts when it is capitalised, in lower case only beside
// another name or before a verb a child does ("mees slaat"). A word in
// another alphabet cannot be checked against the lists and counts as a
// possible name. Emoji are ignored.
//
// What it catches and misses, measured on testdata/corpus.tsv, is in
// docs/privacy.md; the word lists and their licences in data/README.md.
package notecheck

import (
	"unicode"
	"unicode/utf8"
)

// Kind is what a finding is about.
type Kind int

const (
	None   Kind = iota // nothing found
	Name               // seems to name a person
	Health             // a diagnosis, condition, medication or treatment
)

func (k Kind) String() string {
	switch k {
	case Name:
		return "name"
	case Health:
		return "health"
	}
	return "none"
}

// Finding is what was found and the word that made it, as written, so a
// message can say which.
type Finding struct {
	Kind Kind
	Word string
}

// Detector checks notes of one school. Safe for concurrent use.
type Detector struct {
	lex   *lexicon
	known map[string]bool
}

// New returns a Detector for a school whose own words are known: its
// name, groups, helpers and coordinators, places and roles. A known word is
// never a child's name (a helper called Bram is no child called Bram).
func New(known ...string) *Detector {
	d := &Detector{lex: loadLexicon(), known: map[string]bool{}}
	for _, k := range known {
		for _, t := range tokenize(k) {
			if !t.skip {
				d.known[t.f] = true
				d.known[stripPossessive(t.f)] = true
			}
		}
	}
	return d
}

// Check returns the first finding in text, or a Finding of Kind None.
func (d *Detector) Check(text string) Finding {
	var f Finding
	d.scan(text, func(x Finding) bool { f = x; return false })
	return f
}

// All returns every finding in text, in the order of the text, each word
// once.
func (d *Detector) All(text string) []Finding {
	var out []Finding
	seen := map[Finding]bool{}
	d.scan(text, func(x Finding) bool {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
		return true
	})
	return out
}

// MaxText is how much of a text is read, in bytes: a note is at most a
// few hundred characters; more is not a note and is read in part.
const MaxText = 4096

// scan calls found with each finding until it returns false.
func (d *Detector) scan(text string, found func(Finding) bool) {
	if len(text) > MaxText {
		text = text[:MaxText]
	}
	toks := tokenize(text)
	words, letters, lower := 0, 0, 0
	for _, t := range toks {
		if t.skip {
			continue
		}
		words++
		for _, r := range t.raw {
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsLower(r) {
					lower++
				}
			}
		}
	}
	c := checker{d: d, toks: toks, words: words, shouting: letters >= 4 && lower == 0, isName: make([]bool, len(toks))}
	for i, t := range toks {
		if t.skip {
			continue
		}
		if d.health(t) {
			if !found(Finding{Kind: Health, Word: t.raw}) {
				return
			}
			continue // a word of health is no name (Concerta, Autism)
		}
		if c.name(i) {
			c.isName[i] = true
			if !found(Finding{Kind: Name, Word: t.raw}) {
				return
			}
		}
	}
}

// health reports whether a word is health data: itself, a part of it
// between hyphens, or its stem before 'er ("ADHD'er").
func (d *Detector) health(t token) bool {
	h := d.lex.health
	if h.match(t.raw, t.f) {
		return true
	}
	for _, p := range splitJoined(t.raw) {
		if h.match(p, fold(p)) {
			return true
		}
	}
	return false
}

// splitJoined are the parts of a word joined by hyphens or apostrophes
// ("ADHD-medicatie" → ADHD, medicatie); nil for a single word.
func splitJoined(w string) []string {
	var parts []string
	last := 0
	for i, r := range w {
		if isJoiner(r) {
			parts = append(parts, w[last:i])
			last = i + len(string(r))
		}
	}
	if parts == nil {
		return nil
	}
	return append(parts, w[last:])
}

// checker checks the words of one text for names.
type checker struct {
	d        *Detector
	toks     []token
	words    int  // tokens that are words (no mentions or links)
	shouting bool // the whole text in capitals: capitals tell nothing
	isName   []bool
}

// name reports whether token i seems to be a person's name.
func (c *checker) name(i int) bool {
	t := c.toks[i]
	if i > 0 && titles[c.toks[i-1].f] {
		return false // juf Marie, meester Ahmed: a colleague
	}
	if otherScript(t.raw) {
		return true // cannot be checked against the lists: hold it
	}
	if c.notName(t.f) {
		return false
	}
	parts := splitJoined(t.raw)
	if parts == nil || c.d.lex.ordinary(t.f, 3) {
		return c.word(i, t.raw, t.f, t.start)
	}
	for k, p := range parts {
		// The parts after an apostrophe ("Sem's", "ib'er") are too short
		// to be words of their own; a hyphen's are ("Jan-Willem").
		if len(p) >= 2 && c.word(i, p, fold(p), t.start && k == 0) {
			return true
		}
	}
	return false
}

// notName: a word of the school, of a school day, or a place.
func (c *checker) notName(f string) bool {
	l := c.d.lex
	s := stripPossessive(f)
	return c.d.known[f] || c.d.known[s] || l.school[f] || l.school[s] || l.places[f] || l.places[s]
}

// word reports whether one word (a token, or a part of one between
// hyphens) seems to be a name.
func (c *checker) word(i int, raw, f string, start bool) bool {
	l := c.d.lex
	first, _ := utf8.DecodeRuneInString(raw)
	if utf8.RuneCountInString(raw) < 2 || c.notName(f) {
		return false
	}
	upper, capital := true, unicode.IsUpper(first)
	for _, r := range raw {
		if unicode.IsDigit(r) {
			return false // lokaal B12, 5B
		}
		if unicode.IsLower(r) {
			upper = false
		}
	}
	if c.shouting {
		capital = false // in a text all in capitals they tell nothing
	} else if upper {
		// An abbreviation (IB, CJG, BSO), unless it is a first name
		// that is no word, shouted (DAAN).
		return len(f) >= 3 && l.names[f] && !l.nameWord[f]
	}
	f = stripPossessive(f)
	if l.names[f] {
		if !l.nameWord[f] {
			return true
		}
		if capital && !(start && l.starter[f]) {
			return true
		}
		return c.nameContext(i)
	}
	if b := nameBase(l, f); b != "" && !l.ordinary(f, 3) {
		return true // Sems, daantje, Noortje
	}
	if !capital {
		return false // a lower-case word not a first name: an ordinary word, or a name we cannot know
	}
	return !l.ordinary(f, 3) // Xiomara, Yilmaz; not Vanochtend, Schoolpleinruzie
}

// nameContext reports whether an ordinary word that is also a first name
// (roos, mees, storm) is used as a name here: it is the whole note, it
// comes before a verb a child does ("mees slaat"), or beside a name ("daan
// en mees", "mees en daan").
func (c *checker) nameContext(i int) bool {
	if c.words == 1 {
		return true
	}
	toks := c.toks
	if i+1 < len(toks) && toks[i].glued && childVerbs[toks[i+1].f] {
		return true
	}
	if i >= 2 && conjunctions[toks[i-1].f] && c.isName[i-2] {
		return true
	}
	if i+2 < len(toks) && toks[i].glued && conjunctions[toks[i+1].f] {
		n := toks[i+2]
		l := c.d.lex
		if !n.skip && !c.notName(n.f) && l.names[stripPossessive(n.f)] && !l.nameWord[stripPossessive(n.f)] && !titles[toks[i+1].f] {
			return true
		}
	}
	return false
}

// stripPossessive takes 's or ' off a word ("sem's" → "sem").
func stripPossessive(f string) string {
	for _, s := range []string{"'s", "'"} {
		if len(f) > len(s)+1 && f[len(f)-len(s):] == s {
			return f[:len(f)-len(s)]
		}
	}
	return f
}

// nameBase is the first name a Dutch possessive or pet form comes from
// ("sems" → "sem", "daantje" → "daan", "noortje" → "noor", "semmie" →
// "sem"), or "". Only first names that are no ordinary word count.
func nameBase(l *lexicon, f string) string {
	for _, suf := range []string{"s", "tje", "je", "pje", "ie", "tjes", "jes"} {
		b, ok := cutSuffix(f, suf)
		if !ok || len(b) < 2 {
			continue
		}
		cands := []string{b}
		if n := len(b); n >= 3 && b[n-1] == b[n-2] {
			cands = append(cands, b[:n-1]) // semmie → sem
		}
		for _, x := range cands {
			if l.names[x] && !l.nameWord[x] {
				return x
			}
		}
	}
	return ""
}

func cutSuffix(s, suf string) (string, bool) {
	if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
		return s[:len(s)-len(suf)], true
	}
	return s, false
}

// otherScript reports whether a word has letters of another alphabet than
// the Latin one (Arabic, Cyrillic, Greek, …).
func otherScript(w string) bool {
	if isASCII(w) || utf8.RuneCountInString(w) < 2 {
		return false
	}
	for _, r := range w {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}

// titles come before a colleague's name: the word after is no child.
var titles = setOf(
	"juf", "juffrouw", "meester", "mevrouw", "meneer", "mevr", "dhr", "mw", "mr", "mrs", "ms", "miss", "sir",
	"collega", "directeur", "directrice", "conciërge", "concierge", "ib'er", "ibber", "pm'er", "coach", "stagiair",
	"stagiaire", "invaller", "invaljuf", "invalmeester", "gymjuf", "gymmeester", "teacher", "dokter", "dr",
)

// conjunctions join two names: "Daan en Mees", "Roos & Ayoub".
var conjunctions = setOf("en", "of", "met", "tussen", "and", "or", "with", "&", "+")

// childVerbs are what a child does, right after its name ("mees slaat"):
// the third person, present and past.
var childVerbs = setOf(
	"slaat", "sloeg", "schopt", "schopte", "huilt", "huilde", "bijt", "beet", "scheldt", "schold", "rent", "rende",
	"gooit", "gooide", "pest", "pestte", "weigert", "weigerde", "duwt", "duwde", "spuugt", "spuugde", "krabt",
	"knijpt", "vloekt", "dreigt", "dreigde", "loopt", "liep", "zit", "zat", "ligt", "lag", "wil", "wilde", "zegt",
	"zei", "is", "was", "heeft", "had", "doet", "deed", "vecht", "vocht", "gilt", "gilde", "schreeuwt", "schreeuwde",
	"valt", "viel", "komt", "kwam", "gaat", "ging", "kan", "kon", "mag", "moet", "durft", "praat", "luistert",
	"hits", "kicks", "cries", "runs", "bites", "is", "was", "has", "won't", "refuses",
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
