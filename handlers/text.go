package handlers

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxInput caps what Parse reads, in bytes. A request with a full note
// (bot.MaxNoteLen runes) fits with room to spare; anything longer is not a
// chat command.
const MaxInput = 1000

// checkText rejects what no person types on purpose: invalid UTF-8, control
// characters other than tab and line breaks, and the bidirectional controls
// that can make a note read differently from what it says.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return ErrInvalidText
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return ErrInvalidText
		}
	}
	return nil
}

// foldMap takes the accents off the letters Dutch, English and the
// neighbouring languages use, after lower-casing.
var foldMap = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a",
	'æ': "ae", 'ç': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u",
	'ý': "y", 'ÿ': "y", 'ß': "ss", 'ĳ': "ij",
	'‘': "'", '’': "'", '`': "'", '´': "'",
}

// fold lower-cases s and takes the accents off, also when they come as
// combining marks: "Oké", "oke\u0301" and "OKE" all fold to "oke".
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := foldMap[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// word is a command word as typed: folded, without trailing punctuation
// ("Oké!" → "oke"); a lone "?" stays.
func word(s string) string {
	s = fold(s)
	if t := strings.TrimRight(s, ".,!?:;…"); t != "" {
		return t
	}
	return s
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
