package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestDoneNoteKeptAGrace plays a request closed with a note in the
// terminal chat: the teacher reads the note, and Redis keeps it in a key
// of its own that expires within the note grace (an hour), not in the
// record. Then the record is made as an earlier version left it — the note
// in the record, closed two hours ago — and hulpbot starts again: at start
// the note is taken out of the record.
func TestDoneNoteKeptAGrace(t *testing.T) {
	getenv := env(t, map[string]string{"REDIS_URL": testRedisURL(t)})
	out := play(t, getenv, strings.Join([]string{
		"/hulp groep 5 onrust na gym",
		"/als anne",
		"/knop 1",
		"/hulp klaar rustig gepraat",
	}, "\n")+"\n")
	inOrder(t, out, "anne> /hulp klaar rustig gepraat", "[→ juf.marie]", "rustig gepraat")

	ctx := context.Background()
	opts, err := redis.ParseURL(getenv("REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	recs := rdb.Keys(ctx, getenv("HULPBOT_REDIS_PREFIX")+":*:req:*").Val()
	if len(recs) != 1 {
		t.Fatalf("records %v; want one", recs)
	}
	rk := recs[0]
	dk := strings.Replace(rk, ":req:", ":donenote:", 1)
	if rdb.HExists(ctx, rk, "done_note").Val() {
		t.Error("the record holds the closing note")
	}
	if v, ttl := rdb.Get(ctx, dk).Val(), rdb.PTTL(ctx, dk).Val(); v != "rustig gepraat" || ttl <= 0 || ttl > time.Hour {
		t.Errorf("closing note %q kept for %v; want it for at most the grace, an hour", v, ttl)
	}

	// As an earlier version left it.
	rdb.Del(ctx, dk)
	rdb.HSet(ctx, rk, "done_note", "rustig gepraat", "closed", time.Now().Add(-2*time.Hour).UnixMilli())
	play(t, getenv, "")
	if rdb.HExists(ctx, rk, "done_note").Val() || rdb.Exists(ctx, dk).Val() != 0 {
		t.Errorf("after a start the closing note of two hours ago is still kept: %v", rdb.HGetAll(ctx, rk).Val())
	}
}
