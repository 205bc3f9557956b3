package outbox

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// BenchmarkRequestToDelivery is one request for help from the store's
// create to the helper's DM handed to the platform and recorded: the
// script with its notice, the render's read of the request, the delivery's
// record. On a real Redis (REDIS_URL) it also reports the commands Redis
// ran per request, those inside scripts included (INFO commandstats).
func BenchmarkRequestToDelivery(b *testing.B) {
	rdb, prefix := redistest.Client(b), redistest.Prefix(b)
	// sent counts deliveries; a delivery wakes the wait for the last one.
	var mu sync.Mutex
	sent, delivered := 0, sync.NewCond(&mu)
	p := senderFunc(func(context.Context, message.Message) error {
		mu.Lock()
		defer mu.Unlock()
		sent++
		delivered.Broadcast()
		return nil
	})
	o := New(rdb, prefix, []string{"de-vaart"}, p, time.Now, Options{}, quiet)
	o.SetRenderer(&renderer{})
	store := redisstore.New(rdb, prefix, quiet)
	store.SetCourier(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); o.Run(ctx) }()
	defer func() { cancel(); <-done }()
	eventually(b, "the outbox delivering", o.running.Load)
	before := commands(b, rdb)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		now := time.Now()
		id := "b" + strconv.Itoa(i)
		i++
		r := bot.Request{ID: id, SchoolID: "de-vaart", Group: "5", Week: "2026-W49", Month: "2026-12", Requester: bot.Address{Platform: shell, Handle: "marie"}, CreatedAt: now}
		// One helper, free again for each request: the benchmark is the
		// path, not routing among many.
		if _, err := store.CreateAndOffer(ctx, now, r, []bot.Candidate{{HelperID: "h" + strconv.Itoa(i)}}, now.Add(time.Minute), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	mu.Lock()
	for sent < i {
		delivered.Wait()
	}
	mu.Unlock()
	b.StopTimer()
	if after := commands(b, rdb); after >= 0 && before >= 0 {
		b.ReportMetric(float64(after-before)/float64(i), "redis-cmds/op")
	}
}

// commands is the number of commands Redis has run, -1 when it cannot say
// (the embedded Redis has no commandstats).
func commands(b *testing.B, rdb redis.UniversalClient) int64 {
	if !redistest.Real() {
		return -1
	}
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, line := range strings.Split(info, "\n") {
		_, rest, ok := strings.Cut(line, ":calls=")
		if !ok {
			continue
		}
		v, _, _ := strings.Cut(rest, ",")
		c, _ := strconv.ParseInt(v, 10, 64)
		n += c
	}
	return n
}
