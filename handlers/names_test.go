package handlers

import (
	"testing"

	"github.com/hulpbot/hulpbot/notecheck"
)

func TestLooksLikeName(t *testing.T) {
	known := []string{"Anne", "Bram", "Sanne", "Kindcentrum De Vaart", "Dolfijnen", "de dolfijnen", "5b"}
	tests := []struct {
		note string
		want bool
	}{
		// Names.
		{"Tim slaat", true},
		{"ruzie met Tim", true},
		{"Onrust. Sem huilt", true},
		{"Boos kind, Noor wil niet naar binnen", true},
		{"Jan-Willem rent weg", true},
		{"na gym: Daan en Ayoub", true},
		{"Sem's jas kwijt", true},
		{"(Fleur) is overstuur", true},
		{"Mo huilt", true},
		{"ruzie tussen Lucas en Anne", true}, // Anne is a helper; Lucas is not
		{"tim slaat", true},                  // lower case too
		{"daan slaat", true},
		{"Roos huilt", true},

		// Ordinary notes.
		{"", false},
		{"onrust na gym", false},
		{"Onrust na gym", false},
		{"Ruzie op het plein", false},
		{"Boos kind", false},
		{"Kind huilt in de gang", false},
		{"Paniek bij de Speelzaal", false},
		{"SPOED", false},
		{"IB'er gevraagd", false},
		{"CJG gebeld, pm'er is er", false},
		{"Juf Marie vraagt hulp", false},
		{"meester Ahmed is bij de gym", false},
		{"Op Maandag na de Gym", false},
		{"lokaal B12", false},
		{"Na overleg met Anne", false},
		{"Bram komt eraan", false}, // the helper
		{"Dolfijnen onrustig", false},
		{"Bij De Vaart op het Schoolplein", false},
		{"Time-out nodig", false},
		{"Veilig Thuis gebeld", false},
		{"Na de Kerst onrustig", false},
		{"Fight at the playground", false},
		{"Upset after lunch", false},
		{"5B onrustig", false},
		{"Ik kom eraan", false},
		{"kind net uit Syrie, spreekt geen Nederlands", false},
		{"jongen met ADHD", false}, // health, not a name
	}
	for _, tt := range tests {
		t.Run(tt.note, func(t *testing.T) {
			if got := LooksLikeName(tt.note, known...); got != tt.want {
				t.Errorf("LooksLikeName(%q) = %v; want %v", tt.note, got, tt.want)
			}
		})
	}
}

func TestSensitive(t *testing.T) {
	known := NewKnownWords("Anne de Vries", "Bram Jansen", "Dolfijnen")
	tests := []struct {
		note string
		want notecheck.Finding
	}{
		{"onrust na gym", notecheck.Finding{}},
		{"daan slaat", notecheck.Finding{Kind: notecheck.Name, Word: "daan"}},
		{"jongen met ADHD", notecheck.Finding{Kind: notecheck.Health, Word: "ADHD"}},
		{"medicatie vergeten", notecheck.Finding{Kind: notecheck.Health, Word: "medicatie"}},
		{"kind net uit Syrie, spreekt geen Nederlands", notecheck.Finding{}},
		{"Anne en Bram zijn er", notecheck.Finding{}},
	}
	for _, tt := range tests {
		if got := known.Check(tt.note); got != tt.want {
			t.Errorf("Check(%q) = %+v; want %+v", tt.note, got, tt.want)
		}
		if got := known.Sensitive(tt.note); got != (tt.want.Kind != notecheck.None) {
			t.Errorf("Sensitive(%q) = %v; want %v", tt.note, got, !got)
		}
	}
	if !(KnownWords{}).Sensitive("daan slaat") {
		t.Error("the zero KnownWords lets a name pass")
	}
}
