package handlers

import "testing"

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

		// Ordinary notes.
		{"", false},
		{"onrust na gym", false},
		{"Onrust na gym", false},
		{"Ruzie op het plein", false},
		{"Boos kind", false},
		{"Kind huilt in de gang", false},
		{"Paniek bij de Speelzaal", false},
		{"tim slaat", false}, // lower case goes unnoticed: a reminder, not a filter
		{"SPOED", false},
		{"IB'er gevraagd", false},
		{"CJG gebeld, pm'er is er", false},
		{"Juf Marie vraagt hulp", false},
		{"meester Ahmed is bij de gym", false},
		{"Op Maandag na de Gym", false},
		{"lokaal B12", false},
		{"Na overleg met Anne", false},
		{"Dolfijnen onrustig", false},
		{"Bij De Vaart op het Schoolplein", false},
		{"Time-out nodig", false},
		{"Veilig Thuis gebeld", false},
		{"Na de Kerst onrustig", false},
		{"Fight at the playground", false},
		{"Upset after lunch", false},
		{"5B onrustig", false},
		{"Ik kom eraan", false},
	}
	for _, tt := range tests {
		t.Run(tt.note, func(t *testing.T) {
			if got := LooksLikeName(tt.note, known...); got != tt.want {
				t.Errorf("LooksLikeName(%q) = %v; want %v", tt.note, got, tt.want)
			}
		})
	}
}
