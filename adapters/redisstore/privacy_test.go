package redisstore

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

var (
	joost = bot.Address{Platform: mattermost, Handle: "Meester.Joost"}
	anneP = Person{Address: bot.Address{Platform: mattermost, Handle: "anne"}, HelperID: "anne"}
)

// privacyDay writes a school's day through the store's own changes: marie
// asks twice (one Anne closes with a note, one she withdraws), joost asks
// once (Anne closes it), and one of marie's stays open until closeOpen.
func privacyDay(f *fixture) (open string) {
	f.t.Helper()
	ctx := f.ctx
	f.create("r1", t0, cands("anne"))
	f.accept("anne", "r1", t0.Add(time.Minute))
	if _, err := f.s.Resolve(ctx, t0.Add(10*time.Minute), school, "anne", "rustig gepraat"); err != nil {
		f.t.Fatal(err)
	}
	f.create("r2", t0.Add(20*time.Minute), cands("bram"))
	if _, err := f.s.Cancel(ctx, t0.Add(21*time.Minute), school, marie, "r2"); err != nil {
		f.t.Fatal(err)
	}
	rj := request("r3", t0.Add(30*time.Minute))
	rj.Requester, rj.RequesterName = joost, "Joost"
	if _, err := f.s.CreateAndOffer(ctx, rj.CreatedAt, rj, cands("anne"), rj.CreatedAt.Add(timeout), retention); err != nil {
		f.t.Fatal(err)
	}
	f.accept("anne", "r3", t0.Add(31*time.Minute))
	if _, err := f.s.Resolve(ctx, t0.Add(40*time.Minute), school, "anne", "klaar"); err != nil {
		f.t.Fatal(err)
	}
	f.create("r4", t0.Add(50*time.Minute), cands("bram"))
	return "r4"
}

func TestExportAndErasePerson(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	open := privacyDay(f)
	mariP := Person{Address: bot.Address{Platform: mattermost, Handle: "Marie"}} // handles compare without case

	got, err := f.s.ExportPerson(ctx, school, mariP, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Asked) != 3 || len(got.Helped) != 0 {
		t.Fatalf("marie's export: %d asked, %d helped; want 3 and 0: %+v", len(got.Asked), len(got.Helped), got)
	}
	for _, r := range got.Asked {
		if r[fRqHandle] != "marie" || r[fNote] == "" && r[fID] == open {
			t.Errorf("marie's request %s: handle %q, note %q", r[fID], r[fRqHandle], r[fNote])
		}
	}
	if len(got.ActiveIndex) != 1 || got.ActiveIndex[0] != open {
		t.Errorf("marie's open requests %v; want [%s]", got.ActiveIndex, open)
	}

	anne, err := f.s.ExportPerson(ctx, school, anneP, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(anne.Helped) != 2 || len(anne.Asked) != 0 || len(anne.HelperState) == 0 {
		t.Fatalf("anne's export: %d helped, %d asked, state %v; want 2, 0, a state", len(anne.Helped), len(anne.Asked), anne.HelperState)
	}
	// Her closing notes, kept in their own keys for a grace, are in it.
	for _, r := range anne.Helped {
		if want := map[string]string{"r1": "rustig gepraat", "r3": "klaar"}[r[fID]]; r[fDoneNote] != want {
			t.Errorf("anne's export of %s: closing note %q; want %q", r[fID], r[fDoneNote], want)
		}
	}

	// An open request: nothing changes.
	statsBefore := f.stats()
	before := f.hash("req:" + open)
	if _, err := f.s.ErasePerson(ctx, school, mariP); !errors.Is(err, ErrActive) {
		t.Fatalf("erase with an open request: %v; want ErrActive", err)
	}
	if after := f.hash("req:" + open); !maps.Equal(before, after) {
		t.Errorf("a refused erasure changed the open request: %v → %v", before, after)
	}
	if _, err := f.s.Cancel(ctx, t0.Add(55*time.Minute), school, marie, open); err != nil {
		t.Fatal(err)
	}
	statsBefore = f.stats()

	erased, err := f.s.ErasePerson(ctx, school, mariP)
	if err != nil {
		t.Fatal(err)
	}
	if erased.Asked != 3 {
		t.Errorf("erased %+v; want 3 requests asked", erased)
	}
	again, err := f.s.ExportPerson(ctx, school, mariP, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Empty() {
		t.Errorf("after erasure marie's export holds %+v", again)
	}
	if s := f.stats(); !maps.Equal(s, statsBefore) {
		t.Errorf("statistics changed by an erasure: %v → %v", statsBefore, s)
	}
	r1 := f.hash("req:r1")
	if r1[fState] != string(bot.StateResolved) || r1[fGroup] != "5" || r1[fRqHandle] != "" || r1[fRqName] != "" || r1[fMine] != "" {
		t.Errorf("r1 after marie's erasure: %v; want resolved, group 5, no requester", r1)
	}
	if n, _ := f.rdb.Exists(ctx, f.key("note:r1")).Result(); n != 0 || r1[fNote] != "" {
		t.Errorf("r1's note is still kept")
	}
	if r1[fHelper] != "anne" {
		t.Errorf("r1's helper %q; marie's erasure must leave anne", r1[fHelper])
	}
	// Joost is untouched.
	if r3 := f.hash("req:r3"); r3[fRqHandle] != joost.Handle {
		t.Errorf("joost's request lost its requester: %v", r3)
	}

	// Anne, a helper.
	if _, err := f.s.ErasePerson(ctx, school, anneP); err != nil {
		t.Fatal(err)
	}
	after, err := f.s.ExportPerson(ctx, school, anneP, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Empty() {
		t.Errorf("after erasure anne's export holds %+v", after)
	}
	if r3 := f.hash("req:r3"); r3[fHelper] != "" || r3[fTried] != "" || r3[fState] != string(bot.StateResolved) {
		t.Errorf("r3 after anne's erasure: %v", r3)
	}
	if n := f.rdb.Exists(ctx, f.key("donenote:r1"), f.key("donenote:r3")).Val(); n != 0 {
		t.Errorf("%d of anne's closing notes are kept after her erasure", n)
	}
	if s := f.stats(); !maps.Equal(s, statsBefore) {
		t.Errorf("statistics changed by an erasure: %v → %v", statsBefore, s)
	}
}

func TestErasePersonBadInput(t *testing.T) {
	f := newFixture(t)
	for _, p := range []Person{{}, {Address: bot.Address{Platform: mattermost}}} {
		if _, err := f.s.ErasePerson(f.ctx, school, p); err == nil {
			t.Errorf("ErasePerson(%+v): no error", p)
		}
		if _, err := f.s.ExportPerson(f.ctx, school, p, t0); err == nil {
			t.Errorf("ExportPerson(%+v): no error", p)
		}
	}
	if _, err := f.s.ErasePerson(f.ctx, "a{b}", anneP); err == nil {
		t.Error("ErasePerson with a bad school: no error")
	}
}

func TestAudit(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	f.s.SetAuditRetention(48 * time.Hour)
	sanne := bot.Address{Platform: mattermost, Handle: "ib.sanne"}
	entries := []bot.AuditEntry{
		{At: t0, Who: sanne, Action: bot.AuditOverview, Detail: week},
		{At: t0, Who: sanne, Action: bot.AuditOverview, Detail: week}, // the same moment twice: two entries
		{At: t0.Add(time.Hour), Who: sanne, Action: bot.AuditOverviewCSV},
	}
	for _, e := range entries {
		if err := f.s.RecordAudit(ctx, school, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.s.Audit(ctx, school, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[2].Action != bot.AuditOverviewCSV || got[0].Who != sanne || !got[0].At.Equal(t0) || got[0].Detail != week {
		t.Fatalf("Audit = %+v; want the three entries", got)
	}
	f.checkTTL("audit", 48*time.Hour)
	// Past its retention an entry is not shown, and the next record drops it.
	if got, _ := f.s.Audit(ctx, school, t0.Add(48*time.Hour+30*time.Minute)); len(got) != 1 {
		t.Errorf("after the retention of two entries: %+v; want one", got)
	}
	if err := f.s.RecordAudit(ctx, school, bot.AuditEntry{At: t0.Add(49 * time.Hour), Who: sanne, Action: bot.AuditOverview}); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.rdb.ZCard(ctx, f.key("audit")).Result(); n != 2 {
		t.Errorf("audit holds %d entries; want 2 (the expired ones dropped)", n)
	}
	// Sanne's export shows her views.
	d, err := f.s.ExportPerson(ctx, school, Person{Address: sanne}, t0.Add(49*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Audit) != 2 {
		t.Errorf("sanne's export has %d audit entries; want 2", len(d.Audit))
	}
	if err := f.s.RecordAudit(ctx, "", entries[0]); err == nil {
		t.Error("RecordAudit without a school: no error")
	}
}

// TestErasePersonRacesClose: an erasure that races the close of the
// person's open request either finds it open and changes nothing, or finds
// it closed and makes it anonymous — never half of each. Retried until it
// goes through, it leaves a closed request without its requester, and the
// counters as the close left them.
func TestErasePersonRacesClose(t *testing.T) {
	for round := range 20 {
		f := newFixture(t)
		ctx := f.ctx
		id := fmt.Sprintf("race%d", round)
		f.create(id, t0, cands("anne"))
		f.accept("anne", id, t0.Add(time.Minute))
		mariP := Person{Address: marie}

		var wg sync.WaitGroup
		refused := 0
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := f.s.Resolve(ctx, t0.Add(2*time.Minute), school, "anne", "klaar"); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			for {
				_, err := f.s.ErasePerson(ctx, school, mariP)
				if err == nil {
					return
				}
				if !errors.Is(err, ErrActive) {
					t.Error(err)
					return
				}
				refused++
				time.Sleep(time.Millisecond)
			}
		}()
		wg.Wait()
		r := f.hash("req:" + id)
		if r[fState] != string(bot.StateResolved) || r[fRqHandle] != "" || r[fMine] != "" || r[fHelper] != "anne" {
			t.Fatalf("round %d (%d refusals): %v; want resolved by anne, no requester", round, refused, r)
		}
		if s := f.stats(); s["resolved"] != 1 || s["requests"] != 1 {
			t.Fatalf("round %d: counters %v; want one request, one resolved", round, s)
		}
	}
}

// TestErasePersonInPool: Bram helps at De Vaart ("bram") and De Klim
// ("b-jansen"), one person with one state in the pool's people hash. His
// export at each school finds his requests there and his one state; once
// erased at both, nothing of him is left, and the other schools' records
// of the pool keep their helper.
func TestErasePersonInPool(t *testing.T) {
	f := newPooled(t)
	ctx := f.ctx
	bram := bot.Address{Platform: mattermost, Handle: "bram"}
	ids := map[string]string{vaart: "bram", klim: "b-jansen"}
	for i, sc := range []string{vaart, klim} {
		id := fmt.Sprintf("pool%d", i)
		at := t0.Add(time.Duration(i) * time.Hour)
		if _, err := f.s.CreateAndOffer(ctx, at, requestAt(sc, id, at), cands(ids[sc]), at.Add(timeout), retention); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Accept(ctx, at.Add(time.Minute), sc, ids[sc], id, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Resolve(ctx, at.Add(2*time.Minute), sc, ids[sc], "klaar"); err != nil {
			t.Fatal(err)
		}
	}
	carla := requestAt(klim, "carla1", t0.Add(3*time.Hour))
	if _, err := f.s.CreateAndOffer(ctx, carla.CreatedAt, carla, cands("carla"), carla.CreatedAt.Add(timeout), retention); err != nil {
		t.Fatal(err)
	}
	for sc, id := range ids {
		d, err := f.s.ExportPerson(ctx, sc, Person{Address: bram, HelperID: id}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Helped) != 1 || d.Helped[0][fSchool] != sc || len(d.HelperState) == 0 {
			t.Errorf("bram's export at %s: %+v; want his one request there and his state", sc, d)
		}
	}
	for sc, id := range ids {
		if _, err := f.s.ErasePerson(ctx, sc, Person{Address: bram, HelperID: id}); err != nil {
			t.Fatal(err)
		}
	}
	for sc, id := range ids {
		d, err := f.s.ExportPerson(ctx, sc, Person{Address: bram, HelperID: id}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Empty() {
			t.Errorf("after erasure bram's export at %s: %+v", sc, d)
		}
	}
	r, err := f.s.Request(ctx, klim, "carla1")
	if err != nil || r.HelperID != "carla" {
		t.Errorf("carla's offer after bram's erasure: %+v, %v", r, err)
	}
}

// TestExportAndEraseHeldConsult: a meedenken question held for its
// teacher's choice is in her export, question and all, and her erasure
// removes it (never sent), leaving someone else's.
func TestExportAndEraseHeldConsult(t *testing.T) {
	f := newFixture(t)
	mariP := Person{Address: marie}
	for _, h := range []struct {
		id  string
		who bot.Address
	}{{"c1", marie}, {"c2", joost}} {
		if err := f.s.HoldConsult(f.ctx, t0, school, h.id, week, month, h.who, "5", "Daan is steeds zo stil", 2*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	d, err := f.s.ExportPerson(f.ctx, school, mariP, t0)
	if err != nil {
		t.Fatal(err)
	}
	want := []HeldConsultView{{ID: "c1", Group: "5", Question: "Daan is steeds zo stil", Held: "held"}}
	if !slices.Equal(d.HeldConsults, want) {
		t.Fatalf("export's held consults %+v; want %+v", d.HeldConsults, want)
	}
	e, err := f.s.ErasePerson(f.ctx, school, mariP)
	if err != nil || e.HeldConsults != 1 {
		t.Fatalf("erase: %+v, %v; want one held consult removed", e, err)
	}
	if d, _ := f.s.ExportPerson(f.ctx, school, mariP, t0); !d.Empty() {
		t.Errorf("after erasure: %+v", d)
	}
	if _, err := f.s.HeldConsult(f.ctx, school, "c2"); err != nil {
		t.Errorf("joost's held consult: %v; want it kept", err)
	}
}
