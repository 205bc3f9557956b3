package redisstore

import (
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/redis/go-redis/v9"
)

// TestMigrateLayout: data written the old way — every school alone, Bram
// a helper of each of his schools — moves at start to the pool of De Vaart
// and De Klim: the request, its counters and its notices with it, Bram's
// two states joined (engaged at De Vaart, away by De Klim); a second start
// moves nothing; and when the configuration splits the pool again, the
// keys go back.
func TestMigrateLayout(t *testing.T) {
	f := newFixture(t)
	old := f.s // no pools: as an earlier version wrote
	until := t0.Add(8 * time.Hour)
	v1 := f.createAt(vaart, "v1", t0, cands("bram"))
	if v1.State != bot.StateOffered {
		t.Fatalf("v1 = %v", v1.State)
	}
	if _, err := old.SetAvailability(f.ctx, klim, "b-jansen", bot.Availability{Status: bot.Away, Until: until}); err != nil {
		t.Fatal(err)
	}
	f.createAt(klim, "k1", t0, cands("carla"))
	// Old De Vaart's keys, as an earlier version named them.
	if n, _ := f.rdb.Exists(f.ctx, f.prefix+":{de-vaart}:req:v1", f.prefix+":{de-vaart}:outbox:urgent").Result(); n != 2 {
		t.Fatalf("old keys: %d of 2", n)
	}

	start := func(dir *bot.Directory) *Store {
		t.Helper()
		s := New(f.rdb, f.prefix, slog.New(slog.DiscardHandler))
		s.UsePools(dir)
		if err := s.MigrateLayout(f.ctx, dir); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := start(pooledDirectory(t))
	f.s = s

	if n, _ := f.rdb.Exists(f.ctx, f.prefix+":{de-vaart}:req:v1", f.prefix+":{de-klim}:req:k1").Result(); n != 0 {
		t.Errorf("%d old request keys left", n)
	}
	if r, err := s.Request(f.ctx, vaart, "v1"); err != nil || r.HelperID != "bram" {
		t.Errorf("v1 after the move = %+v, %v", r, err)
	}
	if n, _ := f.rdb.ZCard(f.ctx, s.Base(vaart)+"outbox:urgent").Result(); n != 1 {
		t.Errorf("De Vaart's queued offer: %d in the moved outbox; want 1", n)
	}
	if st, err := s.WeekStats(f.ctx, klim, week); err != nil || st["requests"] != 1 {
		t.Errorf("De Klim's week = %v, %v; want its request counted", st, err)
	}
	for sc, id := range map[string]string{vaart: "bram", klim: "b-jansen"} {
		st, err := s.HelperStates(f.ctx, sc, []string{id})
		if err != nil || st[id].Engaged != "v1" || st[id].Status != bot.Away || !st[id].Until.Equal(until) {
			t.Errorf("Bram at %s = %+v, %v; want engaged in v1 and away until %v", sc, st[id], err, until)
		}
	}
	if st, _ := s.HelperStates(f.ctx, klim, []string{"carla"}); st["carla"].Engaged != "k1" {
		t.Errorf("Carla = %+v; want engaged in k1", st["carla"])
	}
	// Bram is one person now: De Klim cannot have him while he holds v1.
	if _, err := s.SetAvailability(f.ctx, klim, "b-jansen", bot.Availability{Status: bot.Available}); err != nil {
		t.Fatal(err)
	}
	if r := f.createAt(klim, "k2", t0, cands("b-jansen")); r.State != bot.StateEscalated {
		t.Errorf("k2 = %v to %q; want escalated while Bram holds v1", r.State, r.HelperID)
	}

	before := f.snapshot()
	start(pooledDirectory(t))
	sameSnapshot(t, before, f.snapshot())

	// Accepted at De Vaart, closed: free at De Klim.
	f.finish(vaart, "bram", "v1", t0)
	if st, _ := s.HelperStates(f.ctx, klim, []string{"b-jansen"}); st["b-jansen"].Engaged != "" {
		t.Errorf("Bram at De Klim after closing v1 = %+v; want free", st["b-jansen"])
	}

	// Split: De Klim's Bram is somebody else's account now.
	f.createAt(vaart, "v2", t0.Add(time.Minute), cands("bram"))
	split, err := bot.NewDirectory([]*bot.School{
		pooledSchool(vaart, helperOn("anne", "anne"), helperOn("bram", "bram")),
		pooledSchool(klim, helperOn("b-jansen", "b.jansen"), helperOn("carla", "carla")),
		pooledSchool(horst, helperOn("bram", "bram.horst")),
	})
	if err != nil {
		t.Fatal(err)
	}
	split.LinkPeople(mattermost)
	s = start(split)
	f.s = s
	if got := s.Base(vaart); got != f.prefix+":{de-vaart}:" {
		t.Fatalf("De Vaart's base after the split = %q", got)
	}
	if r, err := s.Request(f.ctx, vaart, "v2"); err != nil || r.State != bot.StateOffered {
		t.Errorf("v2 after the split = %+v, %v", r, err)
	}
	st, _ := s.HelperStates(f.ctx, vaart, []string{"bram"})
	if st["bram"].Engaged != "v2" {
		t.Errorf("Bram at De Vaart after the split = %+v; want engaged in v2", st["bram"])
	}
	st, _ = s.HelperStates(f.ctx, klim, []string{"b-jansen", "carla"})
	if st["b-jansen"].Engaged != "" || st["carla"].Engaged != "k1" {
		t.Errorf("De Klim after the split: b-jansen %+v, carla %+v; want free, engaged in k1", st["b-jansen"], st["carla"])
	}
	// Freeing Bram at De Vaart works on the moved record.
	if _, err := s.Advance(f.ctx, t0.Add(time.Hour), vaart, "v2", 0, bot.ReasonTimeout, "", nil, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.HelperStates(f.ctx, vaart, []string{"bram"}); st["bram"].Engaged != "" {
		t.Errorf("Bram after v2 lapsed = %+v; want free", st["bram"])
	}
	if n, _ := f.rdb.Exists(f.ctx, f.prefix+":{pool.de-klim}:helpers").Result(); n != 0 {
		t.Errorf("the dissolved pool's helpers hash is left")
	}
}

// TestJoinStates: away holds over available, the first engaged keeps the
// person, the latest assignment counts.
func TestJoinStates(t *testing.T) {
	st, dropped := joinStates([]map[string]string{
		{hStatus: "available", hEngaged: "r1", hSchool: "a", hLast: "100"},
		{hStatus: "away", hUntil: "500", hEngaged: "r2", hSchool: "b", hLast: "300"},
		{hStatus: "away", hUntil: "400", hLast: "200"},
	})
	want := map[string]string{hStatus: "away", hUntil: "500", hEngaged: "r1", hSchool: "a", hLast: "300"}
	if packState(st) != packState(want) || dropped != 1 {
		t.Errorf("joinStates = %v, dropped %d; want %v, 1", st, dropped, want)
	}
}

// TestMigrateLayoutConcurrentStarts: four replicas start at once on data
// written before pools; one moves the keys, the others wait for it and
// find nothing left to move — no list gains an item twice.
func TestMigrateLayoutConcurrentStarts(t *testing.T) {
	f := newFixture(t)
	v1 := f.createAt(vaart, "v1", t0, cands("bram"))
	f.accept("bram", v1.ID, t0.Add(time.Minute)) // De Vaart's school: the fixture's
	f.createAt(klim, "k1", t0, cands("carla"))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s := New(f.rdb, f.prefix, slog.New(slog.DiscardHandler))
			dir := pooledDirectory(t)
			s.UsePools(dir)
			errs <- s.MigrateLayout(f.ctx, dir)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := New(f.rdb, f.prefix, slog.New(slog.DiscardHandler))
	s.UsePools(pooledDirectory(t))
	if n, _ := f.rdb.LLen(f.ctx, s.Base(vaart)+"tta:"+week).Result(); n != 1 {
		t.Errorf("De Vaart's times to accept: %d after four starts; want 1", n)
	}
	if st, _ := s.HelperStates(f.ctx, klim, []string{"b-jansen", "carla"}); st["b-jansen"].Engaged != "v1" || st["carla"].Engaged != "k1" {
		t.Errorf("after four starts: Bram %+v, Carla %+v", st["b-jansen"], st["carla"])
	}
	if keys, _ := scanAll(f.ctx, f.rdb, f.prefix+":{de-vaart}:*"); len(keys) != 0 {
		t.Errorf("old keys left: %v", keys)
	}
}

// TestMoveKeys: keys of every type move with their time to live, in
// batches; a key already at the new name keeps its own entries and time to
// live and gains the old one's; the helpers hash of a school alone, the
// keys of a school that does not move and keys of another prefix stay.
func TestMoveKeys(t *testing.T) {
	f := newFixture(t)
	ctx, rdb, p := f.ctx, f.rdb, f.prefix
	from, to := p+":{s1}:", p+":{pool.s0}:s1:"
	stay := p + ":{s10}:req:r1" // s10 is not s1
	other := p + "x:{s1}:req:r1"
	n := migrateBatch + 3 // more than one batch
	for i := range n {
		if err := rdb.Set(ctx, from+"str:"+strconv.Itoa(i), "v", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rdb.HSet(ctx, from+"req:r1", "state", "offered", "group", "5").Err())
	must(rdb.PExpire(ctx, from+"req:r1", 2*time.Hour).Err())
	must(rdb.HSet(ctx, to+"req:r1", "state", "accepted").Err()) // written there already
	must(rdb.ZAdd(ctx, from+"active", redis.Z{Score: 1, Member: "r1"}).Err())
	must(rdb.RPush(ctx, from+"waits", "10", "20").Err())
	must(rdb.RPush(ctx, to+"waits", "5").Err())
	must(rdb.SAdd(ctx, from+"seen", "a", "b").Err())
	must(rdb.HSet(ctx, from+"helpers", "anne", "available").Err())
	must(rdb.Set(ctx, stay, "x", 0).Err())
	must(rdb.Set(ctx, other, "x", 0).Err())

	s := New(rdb, p, slog.New(slog.DiscardHandler))
	moved, err := s.moveKeys(ctx, map[string]string{from: to})
	if err != nil {
		t.Fatal(err)
	}
	if want := n + 4; moved != want {
		t.Errorf("moved %d keys, want %d", moved, want)
	}
	left, err := scanAll(ctx, rdb, globEscape(from)+"*")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(left, []string{from + "helpers"}) {
		t.Errorf("left at the old place: %v; want only the helpers hash", left)
	}
	if ttl := rdb.PTTL(ctx, to+"str:"+strconv.Itoa(n-1)).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("moved string's time to live = %s, want about an hour", ttl)
	}
	if got := rdb.HGetAll(ctx, to+"req:r1").Val(); got["state"] != "accepted" || got["group"] != "5" {
		t.Errorf("merged hash = %v; want its own state and the old group", got)
	}
	if ttl := rdb.PTTL(ctx, to+"req:r1").Val(); ttl != -time.Nanosecond && ttl != -1 && ttl > 0 {
		t.Errorf("merged hash's time to live = %s; want its own (none)", ttl)
	}
	if got := rdb.ZRange(ctx, to+"active", 0, -1).Val(); !slices.Equal(got, []string{"r1"}) {
		t.Errorf("active = %v", got)
	}
	if got := rdb.LRange(ctx, to+"waits", 0, -1).Val(); !slices.Equal(got, []string{"5", "10", "20"}) {
		t.Errorf("waits = %v; want its own first, then the moved", got)
	}
	if got := rdb.SMembers(ctx, to+"seen").Val(); len(got) != 2 {
		t.Errorf("seen = %v", got)
	}
	for _, k := range []string{stay, other} { // one by one: other slots on a cluster
		if n, err := rdb.Exists(ctx, k).Result(); err != nil || n != 1 {
			t.Errorf("%s was moved (%d, %v): it is of another school or prefix", k, n, err)
		}
	}
}
