package redisstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestOpen: the client of a configured hulpbot gives up within a second,
// retries once, and has a pool and small buffers sized for hulpbot, unless
// the URL names its own.
func TestOpen(t *testing.T) {
	for _, tc := range []struct {
		name, url      string
		pool, readBuf  int
		pipeReadBuffer int
	}{
		{"defaults", "redis://127.0.0.1:1/0", 64, 8 << 10, 32 << 10},
		{"the URL's pool size", "redis://127.0.0.1:1/0?pool_size=7", 7, 8 << 10, 32 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rdb, closeRedis, err := Open(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			defer closeRedis()
			o := rdb.(*redis.Client).Options()
			for _, d := range []struct {
				name string
				got  time.Duration
			}{{"dial", o.DialTimeout}, {"read", o.ReadTimeout}, {"write", o.WriteTimeout}} {
				if d.got != time.Second {
					t.Errorf("%s timeout = %s, want 1s", d.name, d.got)
				}
			}
			if o.MaxRetries != 1 {
				t.Errorf("MaxRetries = %d, want 1", o.MaxRetries)
			}
			if o.PoolSize != tc.pool {
				t.Errorf("PoolSize = %d, want %d", o.PoolSize, tc.pool)
			}
			if o.ReadBufferSize != tc.readBuf || o.WriteBufferSize != tc.readBuf {
				t.Errorf("buffers = %d/%d, want %d", o.ReadBufferSize, o.WriteBufferSize, tc.readBuf)
			}
			if o.PipelineReadBufferSize != tc.pipeReadBuffer || o.PipelineWriteBufferSize != tc.pipeReadBuffer {
				t.Errorf("pipeline buffers = %d/%d, want %d", o.PipelineReadBufferSize, o.PipelineWriteBufferSize, tc.pipeReadBuffer)
			}
		})
	}

	// Nobody listens on port 1: the first command fails fast, not after a
	// minute.
	rdb, closeRedis, err := Open("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	defer closeRedis()
	start := time.Now()
	if err := rdb.Ping(context.Background()).Err(); err == nil {
		t.Error("Ping of a Redis nobody runs: no error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Ping of a Redis nobody runs took %s, want about a second at most", d)
	}

	for _, url := range []string{"", "mysql://127.0.0.1/0"} {
		if _, _, err := Open(url); err == nil {
			t.Errorf("Open(%q): no error", url)
		} else if url == "" && !strings.Contains(err.Error(), "real Redis") {
			t.Errorf("Open(\"\") = %v, want it to say a configured hulpbot needs a real Redis", err)
		}
	}
}

// TestOpenEmbedded: the demo's Redis answers, and is gone once closed.
func TestOpenEmbedded(t *testing.T) {
	ctx := context.Background()
	rdb, closeRedis, err := OpenEmbedded(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(rdb, "", nil)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	addr := rdb.(*redis.Client).Options().Addr
	closeRedis()
	other := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer other.Close()
	if err := other.Ping(ctx).Err(); err == nil {
		t.Errorf("the embedded Redis at %s still answers after close", addr)
	}
}
