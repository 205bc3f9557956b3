// Package chattext reads text as people type it in a chat: one way to split
// it into words, shared by the command grammar and the posts that quote
// what people wrote.
package chattext

import (
	"strings"
	"unicode"
)

// Fields splits s on white space; the invisible spaces that chat clients
// paste (zero-width space, word joiner, byte order mark) separate too.
func Fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == 0x200B || r == 0x2060 || r == 0xFEFF
	})
}
