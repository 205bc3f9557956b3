package notecheck

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a note as written, without the punctuation around
// it.
type token struct {
	raw   string // as written: "Sem's", "ADHD-medicatie"
	f     string // folded: "sem's", "adhd-medicatie"
	start bool   // first of its sentence (or of a line, or after a colon)
	glued bool   // nothing but spaces between it and the next token
	skip  bool   // a mention (@anne) or a link: a platform's account or an address, no child
}

// tokenize splits text into words. Letters and digits make a word, with
// the apostrophes and hyphens between them ("auto's", "Jan-Willem"); emoji
// and every other symbol separate words and are otherwise ignored.
func tokenize(text string) []token {
	var (
		toks  = make([]token, 0, len(text)/5+1)
		start = true
		punct bool // something but spaces came between the last token and this one
	)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '@' || hasLinkAt(text, i) {
			j := i
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(r2) {
					break
				}
				j += s2
			}
			toks = append(toks, token{raw: text[i:j], skip: true})
			punct = false
			i = j
			continue
		}
		if !isWordRune(r) {
			if endsSentence(r) {
				start = true
			}
			if !unicode.IsSpace(r) {
				punct = true
			}
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			switch {
			case isWordRune(r2) || unicode.Is(unicode.Mn, r2):
				j += s2
				continue
			case isJoiner(r2):
				if n, _ := utf8.DecodeRuneInString(text[j+s2:]); j+s2 < len(text) && isWordRune(n) {
					j += s2
					continue
				}
			}
			break
		}
		if len(toks) > 0 && !punct {
			toks[len(toks)-1].glued = true
		}
		raw := text[i:j]
		toks = append(toks, token{raw: raw, f: fold(raw), start: start})
		start = false
		punct = false
		i = j
	}
	return toks
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isJoiner joins two words into one: an apostrophe or a hyphen.
func isJoiner(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', '´', '-', '‐', '‑':
		return true
	}
	return false
}

func endsSentence(r rune) bool {
	switch r {
	case '.', '!', '?', ':', ';', '…', '\n', '•', '·', '¡', '¿':
		return true
	}
	return false
}

func hasLinkAt(s string, i int) bool {
	rest := s[i:]
	return strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://") || strings.HasPrefix(rest, "www.")
}
