package redisstore

import (
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
