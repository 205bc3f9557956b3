package bot

import (
	"testing"
	"time"
)

// A held request's wait counts from its release: until then it had reached
// nobody, and the time was the teacher's own.
func TestTimeToAccept(t *testing.T) {
	created := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		r        Request
		wantSent time.Time
		want     time.Duration
		ok       bool
	}{
		{"never held", Request{CreatedAt: created, AcceptedAt: created.Add(45 * time.Second)}, created, 45 * time.Second, true},
		{"held, let go, accepted", Request{CreatedAt: created, ReleasedAt: created.Add(2 * time.Minute), AcceptedAt: created.Add(3 * time.Minute)},
			created.Add(2 * time.Minute), time.Minute, true},
		{"held, let go, not accepted", Request{CreatedAt: created, ReleasedAt: created.Add(time.Minute)}, created.Add(time.Minute), 0, false},
		{"not accepted", Request{CreatedAt: created}, created, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.SentAt(); !got.Equal(tt.wantSent) {
				t.Errorf("SentAt = %v; want %v", got, tt.wantSent)
			}
			if got, ok := tt.r.TimeToAccept(); got != tt.want || ok != tt.ok {
				t.Errorf("TimeToAccept = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
