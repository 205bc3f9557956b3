package fuzzy

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		stop int
		want int
	}{
		{"beschikbaar", "beschikbaar", 0, 0},
		{"beschikbr", "beschikbaar", 0, 2},
		{"grops", "groups", 0, 1},
		{"annuleer", "annuleren", 0, 2},
		{"", "wie", 0, 3},
		{"été", "ete", 0, 2}, // runes, not bytes
		{"overzicht", "ok", 3, 3},
		{"klaar", "kalar", 3, 2},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b, tt.stop); got != tt.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.stop, got, tt.want)
		}
	}
}
