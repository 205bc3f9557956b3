package cronspec

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec string
		ok   bool
		from time.Time
		next time.Time
	}{
		{spec: "15 8 * * MON", ok: true, from: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), next: time.Date(2026, 12, 7, 8, 15, 0, 0, ams)},
		// Summer time begins on Sunday 29 March 2026: Monday 08:15 is 06:15 UTC.
		{spec: "15 8 * * MON", ok: true, from: time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), next: time.Date(2026, 3, 30, 8, 15, 0, 0, ams)},
		{spec: "", ok: false},
		{spec: "15 8 * *", ok: false},
		{spec: "0 25 * * *", ok: false},
		{spec: "*/0 * * * *", ok: false}, // a zero step: robfig/cron panics on it
	}
	for _, tt := range tests {
		s, err := Parse(tt.spec, ams)
		if (err == nil) != tt.ok {
			t.Errorf("Parse(%q) error = %v, want ok %v", tt.spec, err, tt.ok)
			continue
		}
		if tt.ok {
			if got := s.Next(tt.from); !got.Equal(tt.next) {
				t.Errorf("Parse(%q).Next(%v) = %v, want %v", tt.spec, tt.from, got, tt.next)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"15 8 * * MON", "0 16 * * FRI", "*/5 * * * *", "0 0 1 1 *", "*/0 * * * *"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		if s, err := Parse(spec, time.UTC); err == nil && s == nil {
			t.Fatalf("Parse(%q): no schedule and no error", spec)
		}
	})
}
