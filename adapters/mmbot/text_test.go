package mmbot

import (
	"testing"
	"unicode"
)

func TestPlain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Kun je even helpen? Hulpvraag voor groep 5, 10:41.", "Kun je even helpen? Hulpvraag voor groep 5, 10:41."},
		{"@all help", "@\u200ball help"},
		{"hey @channel en @here!", "hey @\u200bchannel en @\u200bhere!"},
		{"vraag @bram.", "vraag @\u200bbram."},
		{"@@all", "@\u200b@\u200ball"},
		{"juf@school.nl", "juf@\u200bschool.nl"},
		{"een @ los", "een @ los"},
		{"eindigt op @", "eindigt op @"},
		{"[klik](http://x) ![img](http://y)", `\[klik\](http://x) !\[img\](http://y)`},
		{"*vet* _schuin_ ~weg~ `code` a|b <http://x>", `\*vet\* \_schuin\_ \~weg\~ \` + "`" + `code\` + "`" + ` a\|b \<http://x\>`},
		{`back\slash`, `back\\slash`},
		{"juf.anna", "juf.anna"},
		// A bare address is a link before emphasis is looked for: its
		// _ * ~ stay as they are, or the backslash joins the link.
		{"link:\nhttps://hulp.test/overzicht/open?t=eyJr.kflZx_Abk~w*x end_", "link:\nhttps://hulp.test/overzicht/open?t=eyJr.kflZx_Abk~w*x end\\_"},
		{"(HTTP://x/_a_) _b_", "(HTTP://x/_a_) \\_b\\_"},
		{"zie:http://x/_a", "zie:http://x/_a"},
		{"http://x/[a](b)", "http://x/\\[a\\](b)"},
		{"http://x/@all", "http://x/@\u200ball"},
		{"✅ Anne komt eraan (groep 5) — 10:42", "✅ Anne komt eraan (groep 5) — 10:42"},
	} {
		if got := plain(tc.in); got != tc.want {
			t.Errorf("plain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// mention reports an @ followed by something Mattermost could read as a
// name: anything but white space or the zero-width space.
func mention(s string) bool {
	rs := []rune(s)
	for i, r := range rs {
		if r == '@' && i+1 < len(rs) && rs[i+1] != 0x200b && !unicode.IsSpace(rs[i+1]) {
			return true
		}
	}
	return false
}

func FuzzPlain(f *testing.F) {
	for _, s := range []string{"@all", "x@@here", "[a](b)", "@\u200ball", "@\u00adall", "a\\@all"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := plain(s)
		if mention(got) {
			t.Fatalf("plain(%q) = %q still holds a mention", s, got)
		}
	})
}
