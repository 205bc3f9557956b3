package pseudonym

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

var hex16 = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestOf(t *testing.T) {
	ctx := context.Background()
	a := WithKey([]byte("deployment-key-one-0123456789"))
	b := WithKey([]byte("deployment-key-two-0123456789"))
	anne, _ := a.Of(ctx, "anne")
	again, _ := a.Of(ctx, "anne")
	bram, _ := a.Of(ctx, "bram")
	other, _ := b.Of(ctx, "anne")
	if !hex16.MatchString(anne) {
		t.Errorf("pseudonym %q, want 16 hex digits", anne)
	}
	if anne != again {
		t.Errorf("pseudonym of anne: %q then %q; want the same", anne, again)
	}
	if anne == bram || anne == other {
		t.Errorf("anne %q, bram %q, anne with another key %q: want all different", anne, bram, other)
	}
	if strings.Contains(anne, "anne") {
		t.Errorf("pseudonym %q holds the name", anne)
	}
}

// TestLoad: the key is loaded on first use and until a load succeeds; a
// log line does not wait for it.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	down := errors.New("redis down")
	k := New(func(context.Context) ([]byte, error) {
		if calls.Add(1) == 1 {
			return nil, down
		}
		return []byte("0123456789abcdef"), nil
	})
	if _, ok := k.IfLoaded("anne"); ok || calls.Load() != 0 {
		t.Fatalf("IfLoaded before any load: ok %v after %d loads; want false, none", ok, calls.Load())
	}
	if _, err := k.Of(ctx, "anne"); !errors.Is(err, down) {
		t.Fatalf("Of with the key's store down = %v, want %v", err, down)
	}
	p, err := k.Of(ctx, "anne")
	if err != nil || !hex16.MatchString(p) {
		t.Fatalf("Of after the store came back = %q, %v", p, err)
	}
	if q, ok := k.IfLoaded("anne"); !ok || q != p {
		t.Errorf("IfLoaded = %q, %v; want %q, true", q, ok, p)
	}
	_, _ = k.Of(ctx, "bram")
	if n := calls.Load(); n != 2 {
		t.Errorf("%d loads, want 2 (one failed, one kept)", n)
	}
}

func TestShortKey(t *testing.T) {
	k := New(func(context.Context) ([]byte, error) { return []byte("short"), nil })
	if _, err := k.Of(context.Background(), "anne"); !errors.Is(err, ErrNoKey) {
		t.Errorf("Of with a 5-byte key = %v, want ErrNoKey", err)
	}
}
