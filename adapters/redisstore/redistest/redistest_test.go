package redistest

import (
	"context"
	"strings"
	"testing"
)

func TestClientAndPrefix(t *testing.T) {
	c := Client(t)
	p, q := Prefix(t), Prefix(t)
	if p == q {
		t.Errorf("Prefix gave %q twice", p)
	}
	if strings.ContainsAny(p, "{}*?[]\\ ") {
		t.Errorf("Prefix %q has characters that need escaping in keys or patterns", p)
	}
	ctx := context.Background()
	if err := c.Set(ctx, p+":k", "v", 0).Err(); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got := c.Get(ctx, p+":k").Val(); got != "v" {
		t.Errorf("Get = %q, want v", got)
	}
}

func TestSafe(t *testing.T) {
	got := safe("TestX/sub case {a}*" + strings.Repeat("x", 60))
	if len(got) > 40 || strings.ContainsAny(got, "/ {}*") {
		t.Errorf("safe = %q", got)
	}
}
