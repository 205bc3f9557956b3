package redisstore

import (
	"maps"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// TestNoteErasedAtClose: a note lives in a key of its own for the request's
// retention while the request is open, and only a grace once it closes —
// resolved, cancelled, or taken from the fallback channel — while the
// record stays for its retention; no counter ever holds it.
func TestNoteErasedAtClose(t *testing.T) {
	const grace = 30 * time.Minute
	closers := []struct {
		name  string
		cands []bot.Candidate
		close func(f *fixture, now time.Time) error
	}{
		{"resolved", cands("anne"), func(f *fixture, now time.Time) error {
			f.accept("anne", "r1", now)
			_, err := f.s.Resolve(f.ctx, now, school, "anne", "rustig gepraat")
			return err
		}},
		{"cancelled", cands("anne"), func(f *fixture, now time.Time) error {
			_, err := f.s.Cancel(f.ctx, now, school, marie, "r1")
			return err
		}},
		{"picked up from the channel", nil, func(f *fixture, now time.Time) error {
			_, err := f.s.Pickup(f.ctx, now, school, "r1", kernteamlid, "")
			return err
		}},
	}
	for _, tt := range closers {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.s.SetNoteGrace(grace)
			f.create("r1", t0, tt.cands)
			if _, ok := f.hash("req:r1")[fNote]; ok {
				t.Error("the record holds the note; it belongs in its own key")
			}
			f.checkTTL("note:r1", retention)
			if r, err := f.s.Request(f.ctx, school, "r1"); err != nil || r.Note != "onrust na gym" {
				t.Fatalf("open request: note %q, %v", r.Note, err)
			}
			if err := tt.close(f, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			f.checkTTL("note:r1", grace)
			f.checkTTL("req:r1", retention)
			// Within the grace the messages that carry it can still be
			// rendered.
			if r, _ := f.s.Request(f.ctx, school, "r1"); r.Note != "onrust na gym" {
				t.Errorf("within the grace: note %q", r.Note)
			}
			// The grace over: the record without its note.
			f.rdb.Del(f.ctx, f.key("note:r1"))
			r, err := f.s.Request(f.ctx, school, "r1")
			if err != nil || r.Note != "" || r.Group != "5" {
				t.Errorf("after the grace: %+v, %v; want the record without its note", r, err)
			}
		})
	}
}

// TestNoteGraceNotLonger: a grace longer than what is left of the
// retention does not keep a note longer than its record.
func TestNoteGraceNotLonger(t *testing.T) {
	f := newFixture(t)
	f.s.SetNoteGrace(2 * retention)
	f.create("r1", t0, cands("anne"))
	f.age()
	if _, err := f.s.Cancel(f.ctx, t0, school, marie, "r1"); err != nil {
		t.Fatal(err)
	}
	// Both were set in the same script; read one after the other.
	if n, r := f.pttl("note:r1"), f.pttl("req:r1"); n > r+time.Second {
		t.Errorf("the note expires in %v, after its record (%v)", n, r)
	}
}

// TestNoteOfAnEarlierVersion: a record written before notes were kept apart
// holds its note in its own field: read as before, and moved to its key
// with the grace when the request closes.
func TestNoteOfAnEarlierVersion(t *testing.T) {
	f := newFixture(t)
	f.s.SetNoteGrace(time.Minute)
	r := request("r1", t0)
	r.Note = ""
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, cands("anne"), t0.Add(timeout), retention); err != nil {
		t.Fatal(err)
	}
	f.rdb.HSet(f.ctx, f.key("req:r1"), fNote, "oude toelichting")
	if got, _ := f.s.Request(f.ctx, school, "r1"); got.Note != "oude toelichting" {
		t.Fatalf("old record: note %q", got.Note)
	}
	got, err := f.s.Cancel(f.ctx, t0, school, marie, "r1")
	if err != nil || got.Note != "oude toelichting" {
		t.Fatalf("cancel: note %q, %v", got.Note, err)
	}
	if _, ok := f.hash("req:r1")[fNote]; ok {
		t.Error("the closed record still holds its note")
	}
	f.checkTTL("note:r1", time.Minute)
}

// TestDoneNoteErasedAtClose: the helper's closing note ("/hulp klaar
// <note>") is kept like the request's note, in a key of its own, a grace
// from the close — never in the record, which stays for its retention —
// whether a helper closes the request or someone who picked it up from
// the fallback channel.
func TestDoneNoteErasedAtClose(t *testing.T) {
	const grace = 30 * time.Minute
	closers := []struct {
		name  string
		cands []bot.Candidate
		close func(f *fixture, now time.Time, note string) (bot.Request, error)
	}{
		{"resolved by the helper", cands("anne"), func(f *fixture, now time.Time, note string) (bot.Request, error) {
			f.accept("anne", "r1", now)
			return f.s.Resolve(f.ctx, now, school, "anne", note)
		}},
		{"resolved by who picked it up", nil, func(f *fixture, now time.Time, note string) (bot.Request, error) {
			if _, err := f.s.Pickup(f.ctx, now, school, "r1", kernteamlid, ""); err != nil {
				return bot.Request{}, err
			}
			return f.s.ResolvePicked(f.ctx, now, school, kernteamlid.Address, note)
		}},
	}
	for _, tt := range closers {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.s.SetNoteGrace(grace)
			f.create("r1", t0, tt.cands)
			r, err := tt.close(f, t0.Add(time.Minute), "rustig gepraat")
			if err != nil {
				t.Fatal(err)
			}
			// The resolve notice is rendered from the request: it has it.
			if r.DoneNote != "rustig gepraat" {
				t.Errorf("the closing script's answer: done note %q", r.DoneNote)
			}
			if _, ok := f.hash("req:r1")[fDoneNote]; ok {
				t.Error("the record holds the closing note; it belongs in its own key")
			}
			f.checkTTL("donenote:r1", grace)
			f.checkTTL("req:r1", retention)
			if r, _ := f.s.Request(f.ctx, school, "r1"); r.DoneNote != "rustig gepraat" {
				t.Errorf("within the grace: done note %q", r.DoneNote)
			}
			f.rdb.Del(f.ctx, f.key("donenote:r1")) // the grace over
			if r, err := f.s.Request(f.ctx, school, "r1"); err != nil || r.DoneNote != "" || r.State != bot.StateResolved {
				t.Errorf("after the grace: %+v, %v; want the record without its closing note", r, err)
			}
		})
	}

	t.Run("no note, no key", func(t *testing.T) {
		f := newFixture(t)
		f.create("r1", t0, cands("anne"))
		f.accept("anne", "r1", t0)
		if _, err := f.s.Resolve(f.ctx, t0, school, "anne", ""); err != nil {
			t.Fatal(err)
		}
		if n := f.rdb.Exists(f.ctx, f.key("donenote:r1")).Val(); n != 0 {
			t.Error("an empty closing note was kept")
		}
	})
	t.Run("not longer than its record", func(t *testing.T) {
		f := newFixture(t)
		f.s.SetNoteGrace(2 * retention)
		f.create("r1", t0, cands("anne"))
		f.accept("anne", "r1", t0)
		f.age()
		if _, err := f.s.Resolve(f.ctx, t0, school, "anne", "klaar"); err != nil {
			t.Fatal(err)
		}
		if n, r := f.pttl("donenote:r1"), f.pttl("req:r1"); n > r+time.Second || n <= 0 {
			t.Errorf("the closing note expires in %v, its record in %v", n, r)
		}
	})
}

// TestMigrateDoneNotes: records an earlier version wrote keep the closing
// note in their field done_note for their whole retention. The migration
// at start takes it out of every record: a note still within its grace
// after the close moves to its key for what is left of the grace, an older
// one (or one of a record without a close time) is erased; a second run
// finds nothing; records without one, and keys that are no record, are
// left alone.
func TestMigrateDoneNotes(t *testing.T) {
	const grace = time.Hour
	f := newFixture(t)
	f.s.SetNoteGrace(grace)
	now := time.Now()
	old := func(id string, closed time.Time, note string) {
		f.create(id, t0, cands("anne"))
		f.accept("anne", id, t0)
		if _, err := f.s.Resolve(f.ctx, t0, school, "anne", ""); err != nil {
			t.Fatal(err)
		}
		// As the earlier resolve.lua left it.
		f.rdb.HSet(f.ctx, f.key("req:"+id), fDoneNote, note)
		if closed.IsZero() {
			f.rdb.HDel(f.ctx, f.key("req:"+id), "closed")
		} else {
			f.rdb.HSet(f.ctx, f.key("req:"+id), "closed", closed.UnixMilli())
		}
	}
	old("recent", now.Add(-10*time.Minute), "rustig gepraat")
	old("stale", now.Add(-2*time.Hour), "met de klas gesproken")
	old("noclose", time.Time{}, "klaar")
	f.create("none", t0, cands("bram"))                           // open, no closing note
	f.rdb.Set(f.ctx, f.key("req:odd"), "not a record", time.Hour) // WRONGTYPE for a hash command
	before := f.hash("req:none")

	moved, erased, err := f.s.MigrateDoneNotes(f.ctx, now)
	if err != nil || moved != 1 || erased != 2 {
		t.Fatalf("migrated %d, erased %d, %v; want 1 and 2", moved, erased, err)
	}
	for _, id := range []string{"recent", "stale", "noclose"} {
		if _, ok := f.hash("req:" + id)[fDoneNote]; ok {
			t.Errorf("%s still holds its closing note in the record", id)
		}
	}
	f.checkTTL("donenote:recent", 50*time.Minute)
	if r, _ := f.s.Request(f.ctx, school, "recent"); r.DoneNote != "rustig gepraat" {
		t.Errorf("a closing note within its grace reads %q after the migration", r.DoneNote)
	}
	for _, id := range []string{"stale", "noclose"} {
		if r, _ := f.s.Request(f.ctx, school, id); r.DoneNote != "" || f.rdb.Exists(f.ctx, f.key("donenote:"+id)).Val() != 0 {
			t.Errorf("%s keeps its closing note %q past its grace", id, r.DoneNote)
		}
	}
	if after := f.hash("req:none"); !maps.Equal(before, after) {
		t.Errorf("a record without a closing note changed: %v → %v", before, after)
	}
	if moved, erased, err := f.s.MigrateDoneNotes(f.ctx, now); err != nil || moved+erased != 0 {
		t.Errorf("a second run: %d, %d, %v; want nothing", moved, erased, err)
	}
}
