package chattext

import (
	"slices"
	"testing"
)

func TestFields(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"groep 5  onrust\tna\ngym", []string{"groep", "5", "onrust", "na", "gym"}},
		{"groep\u200b5\u2060boos\ufeff", []string{"groep", "5", "boos"}},
		{" \u200b ", nil},
	}
	for _, tt := range tests {
		if got := Fields(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Fields(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
