package redisstore

import (
	"context"
	"log/slog"
	"strconv"
	"testing"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

// BenchmarkCreateAndOffer measures the hot path: a request created and
// offered to one of three free helpers. Each iteration is a school of its
// own, so every call offers (nobody is engaged yet) and runs the whole
// script. With REDIS_URL set it runs on that Redis.
func BenchmarkCreateAndOffer(b *testing.B) {
	s := New(redistest.Client(b), redistest.Prefix(b), slog.New(slog.DiscardHandler))
	ctx := context.Background()
	cs := []bot.Candidate{cand("anne", 0), cand("bram", 0), cand("cees", 1)}
	i := 0
	for b.Loop() {
		r := request("r1", t0)
		r.SchoolID = "bench-" + strconv.Itoa(i)
		i++
		got, err := s.CreateAndOffer(ctx, t0, r, cs, t0.Add(timeout), retention)
		if err != nil {
			b.Fatal(err)
		}
		if got.State != bot.StateOffered {
			b.Fatalf("state %s, want offered", got.State)
		}
	}
}
