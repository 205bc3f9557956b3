package redisstore

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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

// BenchmarkCreateAndOfferPooled is BenchmarkCreateAndOffer at a school of
// a pool of two, whose helpers are people shared with the other school:
// the person lookup and the pool's one helpers hash on the hot path.
func BenchmarkCreateAndOfferPooled(b *testing.B) {
	s := New(redistest.Client(b), redistest.Prefix(b), slog.New(slog.DiscardHandler))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		// A pool of its own per iteration, so every call offers.
		a, k := "a-"+strconv.Itoa(i), "k-"+strconv.Itoa(i)
		i++
		b.StopTimer()
		d, err := bot.NewDirectory([]*bot.School{
			pooledSchool(a, helperOn("anne", "anne"), helperOn("bram", "bram"), helperOn("cees", "cees")),
			pooledSchool(k, helperOn("anne", "anne"), helperOn("bram", "bram")),
		})
		if err != nil {
			b.Fatal(err)
		}
		d.LinkPeople(mattermost)
		s.layout = layoutOf(s.prefix, d)
		b.StartTimer()
		r := requestAt(a, "r1", t0)
		got, err := s.CreateAndOffer(ctx, t0, r, []bot.Candidate{cand("anne", 0), cand("bram", 0), cand("cees", 1)}, t0.Add(timeout), retention)
		if err != nil || got.State != bot.StateOffered {
			b.Fatalf("%v, %v", got.State, err)
		}
	}
}

// BenchmarkMigrateLayoutUnchanged is the cost MigrateLayout adds to a
// start when the configuration's pools did not change: 1,000 schools of
// 20 helpers each, two pools of two among them, placed by an earlier start.
func BenchmarkMigrateLayoutUnchanged(b *testing.B) {
	var schools []*bot.School
	for i := range 1000 {
		var hs []bot.Helper
		for j := range 20 {
			mm := "h" + strconv.Itoa(i) + "x" + strconv.Itoa(j)
			if i < 4 && j == 0 {
				mm = "shared" + strconv.Itoa(i/2) // schools 0+1 and 2+3 share one
			}
			hs = append(hs, helperOn("h"+strconv.Itoa(j), mm))
		}
		schools = append(schools, pooledSchool("s"+strconv.Itoa(i), hs...))
	}
	d, err := bot.NewDirectory(schools)
	if err != nil {
		b.Fatal(err)
	}
	d.LinkPeople(mattermost)
	s := New(redistest.Client(b), redistest.Prefix(b), slog.New(slog.DiscardHandler))
	ctx := context.Background()
	if err := s.MigrateLayout(ctx, d); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.MigrateLayout(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHoldAndLetGo is a held request and the press that sends it
// without its note: two scripts, as create-and-offer is one.
func BenchmarkHoldAndLetGo(b *testing.B) {
	s := New(redistest.Client(b), redistest.Prefix(b), slog.New(slog.DiscardHandler))
	ctx := context.Background()
	cs := []bot.Candidate{cand("anne", 0), cand("bram", 0), cand("cees", 1)}
	i := 0
	for b.Loop() {
		r := request("r1", t0)
		r.SchoolID = "bench-" + strconv.Itoa(i)
		i++
		if _, err := s.Hold(ctx, t0, r, t0.Add(bot.HoldFor), retention); err != nil {
			b.Fatal(err)
		}
		got, err := s.LetGo(ctx, t0, r.SchoolID, "r1", marie, bot.ReleaseWithoutNote, cs, t0.Add(timeout), time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		if got.State != bot.StateOffered || got.Note != "" {
			b.Fatalf("state %s note %q, want offered without a note", got.State, got.Note)
		}
	}
}

// BenchmarkYearFigures reads a school year with figures in every month:
// twelve months' counters and waits and every survey period, in one
// pipelined round trip. With REDIS_URL set it runs on that Redis.
func BenchmarkYearFigures(b *testing.B) {
	s := New(redistest.Client(b), redistest.Prefix(b), slog.New(slog.DiscardHandler))
	ctx := context.Background()
	y := bot.SchoolYear{Start: 2026}
	for i, m := range y.Months() {
		for j := range 20 {
			r := request("r"+strconv.Itoa(i)+"-"+strconv.Itoa(j), t0)
			r.Month = m
			if _, err := s.CreateAndOffer(ctx, t0, r, nil, t0.Add(timeout), retention); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		f, err := s.YearFigures(ctx, school, y)
		if err != nil {
			b.Fatal(err)
		}
		if f.Months[0].Requests != 20 {
			b.Fatalf("%d requests in August, want 20", f.Months[0].Requests)
		}
	}
}

// BenchmarkRecordClosing counts one answer at closing: one script.
func BenchmarkRecordClosing(b *testing.B) {
	s := New(redistest.Client(b), redistest.Prefix(b), slog.New(slog.DiscardHandler))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		b.StopTimer()
		sc := "bench-" + strconv.Itoa(i)
		i++
		r := request("r1", t0)
		r.SchoolID = sc
		if _, err := s.CreateAndOffer(ctx, t0, r, []bot.Candidate{cand("anne", 0)}, t0.Add(timeout), retention); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Accept(ctx, t0, sc, "anne", "r1", 0); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Resolve(ctx, t0, sc, "anne", ""); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.RecordClosing(ctx, t0, sc, "r1", "anne", "", bot.StepSupport, "gesprek"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMigrateLayoutFirst is the first start after the upgrade to
// pools of a deployment of 500 schools in pools of five, ten helpers each
// (the first one shared across the pool), every school with a request and
// every helper with a state, all written the old way: every key and every
// state moves once. The data is rewritten, untimed, for each run.
func BenchmarkMigrateLayoutFirst(b *testing.B) {
	const schools, poolOf, helpers = 500, 5, 10
	var scs []*bot.School
	for i := range schools {
		var hs []bot.Helper
		for j := range helpers {
			mm := "h" + strconv.Itoa(i) + "x" + strconv.Itoa(j)
			if j == 0 {
				mm = "shared" + strconv.Itoa(i/poolOf)
			}
			hs = append(hs, helperOn("h"+strconv.Itoa(j), mm))
		}
		scs = append(scs, pooledSchool("s"+strconv.Itoa(i), hs...))
	}
	d, err := bot.NewDirectory(scs)
	if err != nil {
		b.Fatal(err)
	}
	d.LinkPeople(mattermost)
	rdb := redistest.Client(b)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		prefix := redistest.Prefix(b) + ":" + strconv.Itoa(i)
		old := New(rdb, prefix, log)
		for _, sc := range scs {
			r := request("r1", t0)
			r.SchoolID = sc.ID
			if _, err := old.CreateAndOffer(ctx, t0, r, cands("h1"), t0.Add(timeout), retention); err != nil {
				b.Fatal(err)
			}
			for _, h := range sc.Helpers[2:] {
				if _, err := old.SetAvailability(ctx, sc.ID, h.ID, bot.Availability{Status: bot.Away, Until: t0.Add(time.Hour)}); err != nil {
					b.Fatal(err)
				}
			}
		}
		s := New(rdb, prefix, log)
		s.UsePools(d)
		b.StartTimer()
		if err := s.MigrateLayout(ctx, d); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if st, err := s.HelperStates(ctx, "s7", []string{"h1", "h9"}); err != nil || st["h1"].Engaged != "r1" || st["h9"].Status != bot.Away {
			b.Fatalf("s7 after the move: %+v, %v", st, err)
		}
		b.StartTimer()
	}
}

// BenchmarkIdleLook measures the sweeper's look when nothing is due, at
// 10,000 schools of which 100 have an offer waiting: the full look over
// every school (SchoolsWithDueWork, the only look before the due index,
// now its safety net) against the look at the due index (DueSchools).
// commands/op counts what the client sent, pipelined commands one each.
func BenchmarkIdleLook(b *testing.B) {
	const schools, waiting = 10_000, 100
	cnt := &commandCounter{}
	rdb := redistest.Client(b)
	rdb.AddHook(cnt)
	s := New(rdb, redistest.Prefix(b), slog.New(slog.DiscardHandler))
	ctx := context.Background()
	ids := make([]string, schools)
	for i := range ids {
		ids[i] = "bench-" + strconv.Itoa(i)
	}
	for i := 0; i < schools; i += schools / waiting {
		r := request("r1", t0)
		r.SchoolID = ids[i]
		if _, err := s.CreateAndOffer(ctx, t0, r, []bot.Candidate{cand("anne", 0)}, t0.Add(timeout), retention); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		look func() (int, time.Time, error)
	}{
		{"full", func() (int, time.Time, error) {
			due, next, err := s.SchoolsWithDueWork(ctx, ids, t0)
			return len(due), next, err
		}},
		{"index", func() (int, time.Time, error) {
			due, next, err := s.DueSchools(ctx, t0, nil)
			return len(due), next, err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cnt.n.Store(0)
			for b.Loop() {
				n, next, err := bc.look()
				if err != nil || n != 0 || !next.Equal(t0.Add(timeout)) {
					b.Fatalf("look = %d due, next %s, %v; want none, next %s", n, next, err, t0.Add(timeout))
				}
			}
			b.ReportMetric(float64(cnt.n.Load())/float64(b.N), "commands/op")
		})
	}
}

// commandCounter is a go-redis hook that counts the commands sent.
type commandCounter struct{ n atomic.Int64 }

func (*commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}
