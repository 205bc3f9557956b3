package mmbot

import (
	"strings"
	"unicode"
)

// zwsp is the zero-width space put after an @ so that Mattermost sees no
// mention: its mention parser splits words on it, the reader sees nothing.
const zwsp = "\u200b"

// plain makes text show in Mattermost as typed. Handlers put notes and
// names into texts as people typed them, so:
//
//   - every @ before anything but white space gets a zero-width space after it, so
//     "@all", "@channel", "@here" or "@bram" in a note notifies nobody (an
//     e-mail address just stops being a link);
//   - the markdown characters that would turn a note into a link, an image,
//     a table, code or emphasis are escaped with a backslash, which
//     Mattermost's markdown renders as the character itself;
//   - except _, * and ~ in a bare http(s) address (up to the next white
//     space): Mattermost makes the address a link before it looks for
//     emphasis, and a backslash there would become part of the link (a
//     year overview link whose token holds a _ no longer opened).
func plain(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	rs := []rune(s)
	inURL := false
	for i, r := range rs {
		switch {
		case unicode.IsSpace(r):
			inURL = false
		case !inURL && urlAt(rs[i:]):
			inURL = true
		}
		switch {
		case r == '@' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) && string(rs[i+1]) != zwsp:
			b.WriteRune(r)
			b.WriteString(zwsp)
		case inURL && strings.ContainsRune("_*~", r):
			b.WriteRune(r)
		case strings.ContainsRune("\\`*_~[]<>|", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// urlAt reports whether rs starts with http:// or https://, in any case.
func urlAt(rs []rune) bool {
	for _, p := range []string{"http://", "https://"} {
		if len(rs) >= len(p) && strings.EqualFold(string(rs[:len(p)]), p) {
			return true
		}
	}
	return false
}
