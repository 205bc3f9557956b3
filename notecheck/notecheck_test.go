package notecheck

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	d := New("Kindcentrum De Vaart", "Dolfijnen", "Anne de Vries", "Bram Jansen", "Mees", "5b")
	tests := []struct {
		note string
		want Finding
	}{
		{"", Finding{}},
		{"onrust na gym", Finding{}},
		{"daan slaat", Finding{Name, "daan"}},
		{"Daan slaat", Finding{Name, "Daan"}},
		{"ruzie met DAAN", Finding{Name, "DAAN"}},
		{"jongen met ADHD", Finding{Health, "ADHD"}},
		{"ADHD-medicatie vergeten", Finding{Health, "ADHD-medicatie"}},
		{"kind net uit Syrie, spreekt geen Nederlands", Finding{}},
		{"Juf Marie vraagt hulp", Finding{}},
		{"meester Ahmed en juf Fatima", Finding{}},
		{"Bram komt eraan", Finding{}},        // the helper
		{"Mees is er al", Finding{}},          // a helper of this school
		{"Roos huilt", Finding{Name, "Roos"}}, // a name that is a word, capitalised
		{"roos op het hoofd", Finding{}},      // the word
		{"roos slaat", Finding{Name, "roos"}},
		{"daan en roos", Finding{Name, "daan"}},
		{"roos", Finding{Name, "roos"}}, // a note of only a name
		{"Lieve collega's", Finding{}},
		{"Lieve slaat", Finding{Name, "Lieve"}},
		{"timmeren loopt uit de hand", Finding{}}, // a name inside a word
		{"😡😡", Finding{}},
		{"😡Daan😡", Finding{Name, "Daan"}},
		{"محمد يبكي", Finding{Name, "محمد"}},
		{"@anne kom je?", Finding{}},
		{"Sems jas", Finding{Name, "Sems"}},
		{"daantje huilt", Finding{Name, "daantje"}},
		{"Xiomara huilt", Finding{Name, "Xiomara"}},
		{"Vanochtend onrustig", Finding{}},
		{"Schoolpleinruzie", Finding{}}, // a compound of ordinary words
		{"lokaal B12", Finding{}},
		{"IB'er en CJG", Finding{}},
		{"Bij De Vaart", Finding{}},
		{"ASS, overprikkeld", Finding{Health, "ASS"}},
		{"can someone add a chair", Finding{}}, // add, can: English words, not ADD or Can
	}
	for _, tt := range tests {
		t.Run(tt.note, func(t *testing.T) {
			if got := d.Check(tt.note); got != tt.want {
				t.Errorf("Check(%q) = %+v; want %+v", tt.note, got, tt.want)
			}
		})
	}
}

func TestAll(t *testing.T) {
	d := New()
	got := d.All("Daan (ADHD) en Daan slaan Sem")
	want := []Finding{{Name, "Daan"}, {Health, "ADHD"}, {Name, "Sem"}}
	if !slices.Equal(got, want) {
		t.Errorf("All = %+v; want %+v", got, want)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{None: "none", Name: "name", Health: "health"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q; want %q", k, k.String(), want)
		}
	}
}

// TestLists checks the embedded lists: read, folded, and the first names
// that are words are first names.
func TestLists(t *testing.T) {
	l := loadLexicon()
	if len(l.words) < 50000 || len(l.names) < 1000 || len(l.places) < 500 || len(l.school) < 500 {
		t.Fatalf("lists too short: words %d, names %d, places %d, school %d", len(l.words), len(l.names), len(l.places), len(l.school))
	}
	if !slices.IsSorted(l.words) {
		t.Error("words.txt is not sorted")
	}
	for w := range l.names {
		if w != fold(w) || strings.ContainsAny(w, " \t") {
			t.Errorf("first name %q is not folded", w)
		}
	}
	for _, w := range []string{"roos", "mees", "bram", "storm"} {
		if !l.nameWord[w] {
			t.Errorf("%q: want a first name that is also a word", w)
		}
	}
	for _, w := range []string{"schoolplein", "vanochtend", "ruzie"} {
		if !l.ordinary(w, 3) {
			t.Errorf("%q: want an ordinary word", w)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"daan slaat", "Jongen met ADHD", "kind uit Syrië", "😡 Roos", "محمد", "Jan-Willem's", "a-'-b", "''--", "DAAN", "@x http://y"} {
		f.Add(s)
	}
	d := New("Anne de Vries", "Dolfijnen")
	f.Fuzz(func(t *testing.T, s string) {
		a, b := d.Check(s), d.Check(s)
		if a != b {
			t.Fatalf("Check(%q) = %+v then %+v", s, a, b)
		}
		all := d.All(s)
		if (a.Kind == None) != (len(all) == 0) {
			t.Fatalf("Check(%q) = %+v but All = %+v", s, a, all)
		}
		if len(all) > 0 && all[0] != a {
			t.Fatalf("Check(%q) = %+v; All starts with %+v", s, a, all[0])
		}
		for _, x := range all {
			if x.Word == "" || (utf8.ValidString(s) && !strings.Contains(s, x.Word)) {
				t.Fatalf("finding %+v is not a word of %q", x, s)
			}
		}
	})
}

// BenchmarkCheck is the check of one note, by kind of note: the school's
// detector made once (as the command layer keeps it).
func BenchmarkCheck(b *testing.B) {
	d := New("Kindcentrum De Vaart", "Dolfijnen", "Anne de Vries", "Bram Jansen")
	for _, bc := range []struct {
		name, note string
		want       Kind
	}{
		{"ordinary", "Onrust na de gym bij groep 5, juf Marie vraagt hulp", None},
		{"compound", "Schoolpleinruzie bij de fietsenstalling, twee jongens vechten", None},
		{"nationality", "kind net uit Syrie, spreekt geen Nederlands", None},
		{"name", "ruzie op het plein, daan slaat", Name},
		{"health", "jongen met ADHD, medicatie vergeten", Health},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if got := d.Check(bc.note).Kind; got != bc.want {
					b.Fatalf("%q: %v; want %v", bc.note, got, bc.want)
				}
			}
		})
	}
}
