package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

// Two schools share Bram, a CJG coach: "bram" at De Vaart, "b-jansen" at De
// Klim (ids are per school), one Mattermost account. Anne helps at De Vaart
// only, Carla at De Klim only, and De Horst shares nobody.
const (
	vaart = "de-vaart"
	klim  = "de-klim"
	horst = "de-horst"
)

func pooledSchool(id string, helpers ...bot.Helper) *bot.School {
	return &bot.School{ID: id, Name: id, Language: "nl", Location: time.UTC, Groups: []bot.Group{{ID: "5"}},
		OfferTimeout: timeout, Retention: retention, Helpers: helpers}
}

func helperOn(id, mm string) bot.Helper {
	return bot.Helper{ID: id, Name: id, Role: bot.RoleCJGCoach, Accounts: bot.Accounts{{Platform: mattermost, Handle: mm}}}
}

func pooledDirectory(t testing.TB) *bot.Directory {
	t.Helper()
	d, err := bot.NewDirectory([]*bot.School{
		pooledSchool(vaart, helperOn("anne", "anne"), helperOn("bram", "bram")),
		pooledSchool(klim, helperOn("b-jansen", "Bram"), helperOn("carla", "carla")),
		pooledSchool(horst, helperOn("bram", "bram.horst")),
	})
	if err != nil {
		t.Fatal(err)
	}
	d.LinkPeople(mattermost)
	return d
}

func newPooled(t testing.TB) *fixture {
	t.Helper()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	s := New(rdb, prefix, slog.New(slog.DiscardHandler))
	s.UsePools(pooledDirectory(t))
	f := &fixture{ctx: context.Background(), rdb: rdb, prefix: prefix, s: s}
	if tt, ok := t.(*testing.T); ok {
		f.t = tt
	}
	return f
}

func requestAt(sc, id string, now time.Time) bot.Request {
	r := request(id, now)
	r.SchoolID = sc
	return r
}

func TestPoolLayout(t *testing.T) {
	f := newPooled(t)
	p := f.prefix
	for _, c := range []struct{ school, base string }{
		{vaart, p + ":{pool.de-klim}:de-vaart:"},
		{klim, p + ":{pool.de-klim}:de-klim:"},
		{horst, p + ":{de-horst}:"},
		{"elders", p + ":{elders}:"},
	} {
		if got := f.s.Base(c.school); got != c.base {
			t.Errorf("Base(%s) = %q, want %q", c.school, got, c.base)
		}
	}
	for _, c := range []struct{ school, helper, person string }{
		{vaart, "bram", "de-klim/b-jansen"},
		{klim, "b-jansen", "de-klim/b-jansen"},
		{vaart, "anne", "de-vaart/anne"},
		{horst, "bram", "bram"},
	} {
		if got := f.s.lay(c.school).person(c.helper); got != c.person {
			t.Errorf("person(%s, %s) = %q, want %q", c.school, c.helper, got, c.person)
		}
	}
	// A request lives under its school's base, in the pool's slot.
	f.s.CreateAndOffer(f.ctx, t0, requestAt(vaart, "r1", t0), cands("bram"), t0.Add(timeout), retention)
	if n, _ := f.rdb.Exists(f.ctx, p+":{pool.de-klim}:de-vaart:req:r1").Result(); n != 1 {
		t.Errorf("request not under the school's base in the pool's slot")
	}
	st, err := f.s.HelperStates(f.ctx, klim, []string{"b-jansen"})
	if err != nil || st["b-jansen"].Engaged != "r1" {
		t.Errorf("Bram at De Klim = %+v, %v; want engaged in De Vaart's r1", st["b-jansen"], err)
	}
}

// TestSharedHelperNeverDoubleBooked: both schools ask at once, many times
// over; Bram is offered at most one request, whichever school asked first,
// and the other school's request goes on to its own helper or escalates.
func TestSharedHelperNeverDoubleBooked(t *testing.T) {
	f := newPooled(t)
	const rounds, perSchool = 20, 8
	for round := range rounds {
		now := t0.Add(time.Duration(round) * time.Hour)
		var wg sync.WaitGroup
		type got struct {
			r   bot.Request
			err error
		}
		out := make(chan got, 2*perSchool)
		for i := range perSchool {
			for _, sc := range []string{vaart, klim} {
				wg.Go(func() {
					id := fmt.Sprintf("r%d-%s-%d", round, sc, i)
					r, err := f.s.CreateAndOffer(f.ctx, now, requestAt(sc, id, now), []bot.Candidate{{HelperID: map[string]string{vaart: "bram", klim: "b-jansen"}[sc]}}, now.Add(timeout), retention)
					out <- got{r, err}
				})
			}
		}
		wg.Wait()
		close(out)
		offered := 0
		var engaged string
		for g := range out {
			if g.err != nil {
				t.Fatalf("round %d: %v", round, g.err)
			}
			if g.r.State == bot.StateOffered {
				offered++
				engaged = g.r.ID
			}
		}
		if offered != 1 {
			t.Fatalf("round %d: Bram was offered %d requests at once; want 1", round, offered)
		}
		// Both schools see the same Bram: engaged in the one offer.
		for sc, id := range map[string]string{vaart: "bram", klim: "b-jansen"} {
			st, err := f.s.HelperStates(f.ctx, sc, []string{id})
			if err != nil || st[id].Engaged != engaged {
				t.Fatalf("round %d: Bram at %s = %+v, %v; want engaged in %s", round, sc, st[id], err, engaged)
			}
		}
		// Free him for the next round: the offer lapses.
		school := vaart
		if strings.Contains(engaged, klim) {
			school = klim
		}
		if _, err := f.s.Advance(f.ctx, now.Add(timeout), school, engaged, 1, bot.ReasonTimeout, "", nil, now.Add(2*timeout)); err != nil {
			t.Fatalf("round %d: time out %s: %v", round, engaged, err)
		}
	}
}

// TestStatusHoldsAtEverySchool: "afwezig" at De Vaart makes Bram away at De
// Klim too; nothing is offered to him there until he is back.
func TestStatusHoldsAtEverySchool(t *testing.T) {
	f := newPooled(t)
	until := t0.Add(8 * time.Hour)
	if _, err := f.s.SetAvailability(f.ctx, vaart, "bram", bot.Availability{Status: bot.Away, Until: until}); err != nil {
		t.Fatal(err)
	}
	st, err := f.s.HelperStates(f.ctx, klim, []string{"b-jansen", "carla"})
	if err != nil {
		t.Fatal(err)
	}
	if st["b-jansen"].Status != bot.Away || !st["b-jansen"].Until.Equal(until) {
		t.Errorf("Bram at De Klim = %+v; want away until %v", st["b-jansen"], until)
	}
	if st["carla"].Status != "" {
		t.Errorf("Carla = %+v; want untouched", st["carla"])
	}
	r, err := f.s.CreateAndOffer(f.ctx, t0, requestAt(klim, "k1", t0), cands("b-jansen"), t0.Add(timeout), retention)
	if err != nil || r.State != bot.StateEscalated {
		t.Errorf("De Klim's request = %v, %v; want escalated (Bram is away)", r.State, err)
	}
	// De Horst's Bram is someone else (another account): not away.
	r, err = f.s.CreateAndOffer(f.ctx, t0, requestAt(horst, "h1", t0), cands("bram"), t0.Add(timeout), retention)
	if err != nil || r.State != bot.StateOffered {
		t.Errorf("De Horst's request = %v, %v; want offered to its own Bram", r.State, err)
	}
	// Back at De Klim: available at De Vaart too.
	if _, err := f.s.SetAvailability(f.ctx, klim, "b-jansen", bot.Availability{Status: bot.Available}); err != nil {
		t.Fatal(err)
	}
	r, err = f.s.CreateAndOffer(f.ctx, t0, requestAt(vaart, "v1", t0), cands("bram"), t0.Add(timeout), retention)
	if err != nil || r.State != bot.StateOffered || r.HelperID != "bram" {
		t.Errorf("De Vaart's request = %v to %q, %v; want offered to bram", r.State, r.HelperID, err)
	}
}

// TestLeastRecentlyAssignedAcrossSchools: Bram was offered a request at De
// Vaart after Carla's last at De Klim, so De Klim's next goes to Carla,
// though De Klim never assigned Bram anything.
func TestLeastRecentlyAssignedAcrossSchools(t *testing.T) {
	f := newPooled(t)
	both := []bot.Candidate{{HelperID: "b-jansen"}, {HelperID: "carla"}}
	r := f.createAt(klim, "k1", t0, []bot.Candidate{{HelperID: "carla"}})
	f.finish(klim, "carla", r.ID, t0)
	r = f.createAt(vaart, "v1", t0.Add(time.Minute), cands("bram"))
	f.finish(vaart, "bram", r.ID, t0.Add(time.Minute))
	r = f.createAt(klim, "k2", t0.Add(time.Hour), both)
	if r.HelperID != "carla" {
		t.Errorf("De Klim's request went to %q; want carla (Bram was assigned more recently, at De Vaart)", r.HelperID)
	}
}

// TestCommandsActAtTheirSchool: Bram busy at De Klim cannot close it, or
// accept it, through De Vaart; he is busy there all the same.
func TestCommandsActAtTheirSchool(t *testing.T) {
	f := newPooled(t)
	r := f.createAt(klim, "k1", t0, cands("b-jansen"))
	if _, err := f.s.Accept(f.ctx, t0, vaart, "bram", "", 0); !errors.Is(err, bot.ErrNoOffer) {
		t.Errorf("accept at De Vaart = %v; want ErrNoOffer", err)
	}
	if _, err := f.s.Accept(f.ctx, t0, klim, "b-jansen", "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Resolve(f.ctx, t0, vaart, "bram", ""); !errors.Is(err, bot.ErrNoActiveRequest) {
		t.Errorf("resolve at De Vaart = %v; want ErrNoActiveRequest", err)
	}
	// Picking up De Vaart's escalated request: busy at De Klim.
	v := f.createAt(vaart, "v1", t0, nil)
	if _, err := f.s.Pickup(f.ctx, t0, vaart, v.ID, bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "bram"}}, "bram"); !errors.Is(err, bot.ErrBusy) {
		t.Errorf("pick up at De Vaart = %v; want ErrBusy", err)
	}
	// Away at De Vaart while busy at De Klim: nothing to pass on here.
	engaged, err := f.s.SetAvailability(f.ctx, vaart, "bram", bot.Availability{Status: bot.Away, Until: t0.Add(time.Hour)})
	if err != nil || engaged != "" {
		t.Errorf("away at De Vaart = %q, %v; want nothing engaged here", engaged, err)
	}
	engaged, err = f.s.SetAvailability(f.ctx, klim, "b-jansen", bot.Availability{Status: bot.Away, Until: t0.Add(time.Hour)})
	if err != nil || engaged != r.ID {
		t.Errorf("away at De Klim = %q, %v; want %s", engaged, err, r.ID)
	}
	if _, err := f.s.Resolve(f.ctx, t0, klim, "b-jansen", ""); err != nil {
		t.Fatal(err)
	}
	st, _ := f.s.HelperStates(f.ctx, vaart, []string{"bram"})
	if st["bram"].Engaged != "" {
		t.Errorf("after closing at De Klim Bram is %+v at De Vaart; want free", st["bram"])
	}
}

func (f *fixture) createAt(sc, id string, now time.Time, cs []bot.Candidate) bot.Request {
	f.t.Helper()
	r, err := f.s.CreateAndOffer(f.ctx, now, requestAt(sc, id, now), cs, now.Add(timeout), retention)
	if err != nil {
		f.t.Fatalf("CreateAndOffer(%s, %s): %v", sc, id, err)
	}
	return r
}

// finish accepts and resolves helper's request id at school.
func (f *fixture) finish(sc, helper, id string, now time.Time) {
	f.t.Helper()
	if _, err := f.s.Accept(f.ctx, now, sc, helper, id, 0); err != nil {
		f.t.Fatalf("accept %s: %v", id, err)
	}
	if _, err := f.s.Resolve(f.ctx, now, sc, helper, ""); err != nil {
		f.t.Fatalf("resolve %s: %v", id, err)
	}
}

// TestPoolsOnCluster: on a real Redis Cluster, the schools of a pool share
// a slot and every script of a shared helper runs there (a key of another
// slot would be refused): both schools ask at once and Bram is offered one
// request; data written before pools moves across slots at start.
func TestPoolsOnCluster(t *testing.T) {
	cl := redistest.Cluster(t)
	rdb, closeRedis, err := Open(cl.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer closeRedis()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := pooledDirectory(t)

	// Written before pools: De Klim's Bram away, De Vaart's offered r0.
	old := New(rdb, "hb", nil)
	if _, err := old.SetAvailability(ctx, klim, "b-jansen", bot.Availability{Status: bot.Away, Until: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if r, err := old.CreateAndOffer(ctx, t0, requestAt(vaart, "r0", t0), cands("bram"), t0.Add(timeout), retention); err != nil || r.State != bot.StateOffered {
		t.Fatalf("r0 = %+v, %v", r, err)
	}
	s := New(rdb, "hb", nil)
	s.UsePools(dir)
	if err := s.MigrateLayout(ctx, dir); err != nil {
		t.Fatal(err)
	}
	st, err := s.HelperStates(ctx, klim, []string{"b-jansen"})
	if err != nil || st["b-jansen"].Engaged != "r0" || st["b-jansen"].Status != bot.Away {
		t.Fatalf("Bram at De Klim after the move = %+v, %v; want away and engaged in r0", st["b-jansen"], err)
	}
	if _, err := s.Advance(ctx, t0.Add(timeout), vaart, "r0", 1, bot.ReasonTimeout, "", nil, t0.Add(2*timeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAvailability(ctx, klim, "b-jansen", bot.Availability{Status: bot.Available}); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	offered := make(chan string, 20)
	for i := range 10 {
		for sc, h := range map[string]string{vaart: "bram", klim: "b-jansen"} {
			wg.Go(func() {
				id := fmt.Sprintf("%s-%d", sc, i)
				r, err := s.CreateAndOffer(ctx, t0, requestAt(sc, id, t0), cands(h), t0.Add(timeout), retention)
				if err != nil {
					t.Errorf("%s: %v", id, err)
				}
				if r.State == bot.StateOffered {
					offered <- id
				}
			})
		}
	}
	wg.Wait()
	close(offered)
	if n := len(offered); n != 1 {
		t.Fatalf("Bram offered %d requests at once; want 1", n)
	}
	id := <-offered
	school := vaart
	if strings.HasPrefix(id, klim) {
		school = klim
	}
	h := map[string]string{vaart: "bram", klim: "b-jansen"}[school]
	if _, err := s.Accept(ctx, t0, school, h, id, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(ctx, t0, school, h, ""); err != nil {
		t.Fatal(err)
	}
	a, b := s.lay(vaart), s.lay(klim)
	na, _ := rdb.(*redis.ClusterClient).MasterForKey(ctx, a.base+"req:x")
	nb, _ := rdb.(*redis.ClusterClient).MasterForKey(ctx, b.pool+"helpers")
	if na.Options().Addr != nb.Options().Addr {
		t.Errorf("the pool's keys are on %s and %s", na.Options().Addr, nb.Options().Addr)
	}
}
