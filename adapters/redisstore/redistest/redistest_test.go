package redistest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
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

func TestCounter(t *testing.T) {
	c := Client(t)
	p := Prefix(t)
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil { // the connection made before counting
		t.Fatal(err)
	}
	n := Count(c)
	c.Set(ctx, p+":a", "1", 0)
	c.Get(ctx, p+":a")
	_, _ = c.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.Incr(ctx, p+":b")
		pl.Expire(ctx, p+":b", time.Minute)
		return nil
	})
	_, _ = c.Pipelined(ctx, func(pl redis.Pipeliner) error {
		pl.Get(ctx, p+":a")
		pl.Get(ctx, p+":b")
		return nil
	})
	if got := n.Trips(); !slices.Equal(got, []string{"set", "get", "multi incr expire exec", "get get"}) {
		t.Errorf("trips = %q, want set, get, the transaction, the pipeline", got)
	}
	n.Reset()
	if got := n.N(); got != 0 {
		t.Errorf("after Reset N = %d", got)
	}
}
