package redisstore

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

func TestRecordClosingCountsOncePerStep(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.accept("anne", "r1", t0.Add(time.Second))
	at := t0.Add(time.Minute)
	rec := func(helper string, step bot.ClosingStep, key string) error {
		return f.s.RecordClosing(f.ctx, at, school, "r1", helper, "", step, key)
	}
	// Not resolved yet: nothing to answer.
	if err := rec("anne", bot.StepSupport, "gesprek"); !errors.Is(err, bot.ErrClosed) {
		t.Fatalf("before resolve: %v, want ErrClosed", err)
	}
	if _, err := f.s.Resolve(f.ctx, at, school, "anne", ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		helper string
		step   bot.ClosingStep
		key    string
		want   error
	}{
		{"someone else", "bram", bot.StepSupport, "gesprek", bot.ErrNotYours},
		{"support", "anne", bot.StepSupport, "gesprek", nil},
		{"support again", "anne", bot.StepSupport, "tips", bot.ErrDuplicate},
		{"outcome", "anne", bot.StepOutcome, "in_groep", nil},
		{"outcome again", "anne", bot.StepOutcome, "in_groep", bot.ErrDuplicate},
		{"skip after both", "anne", bot.StepSkip, "", bot.ErrDuplicate},
	} {
		err := rec(tc.helper, tc.step, tc.key)
		if (tc.want == nil && err != nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	for _, k := range []string{"week:" + week, "month:" + month} {
		h := f.hash(k)
		if h["support:gesprek"] != "1" || h["outcome:in_groep"] != "1" || h["support:tips"] != "" {
			t.Errorf("%s = %v", k, h)
		}
	}
	if err := f.s.RecordClosing(f.ctx, at, school, "gone", "anne", "", bot.StepSupport, "gesprek"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("expired request: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "Gesprek", "a:b", "support:x"} {
		if err := rec("anne", bot.StepSupport, bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}

func TestRecordClosingSkip(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.accept("anne", "r1", t0.Add(time.Second))
	if _, err := f.s.Resolve(f.ctx, t0.Add(time.Minute), school, "anne", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordClosing(f.ctx, t0, school, "r1", "anne", "", bot.StepSkip, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordClosing(f.ctx, t0, school, "r1", "anne", "", bot.StepOutcome, "in_groep"); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("outcome after skip: %v, want ErrDuplicate", err)
	}
	for k := range f.hash("month:" + month) {
		if k != "requests" && k != "offers" && k != "accepted" && k != "accepted_first" && k != "accepted_in_time" &&
			k != "resolved" && k != "group:5" && k != "daypart:ochtend" {
			t.Errorf("skip counted %s", k)
		}
	}
}

// Taps from several devices at once count once.
func TestRecordClosingRace(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, cands("anne"))
	f.accept("anne", "r1", t0.Add(time.Second))
	if _, err := f.s.Resolve(f.ctx, t0.Add(time.Minute), school, "anne", ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	oks := make(chan struct{}, 20)
	for range 20 {
		wg.Go(func() {
			if err := f.s.RecordClosing(f.ctx, t0, school, "r1", "anne", "", bot.StepSupport, "wandeling"); err == nil {
				oks <- struct{}{}
			} else if !errors.Is(err, bot.ErrDuplicate) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(oks)
	if n := len(oks); n != 1 {
		t.Errorf("%d taps counted, want 1", n)
	}
	if v := f.hash("month:" + month)["support:wandeling"]; v != "1" {
		t.Errorf("support:wandeling = %s, want 1", v)
	}
}

// Someone who is no helper and took the request from the fallback channel
// answers for the request they closed; nobody else does.
func TestRecordClosingByPicker(t *testing.T) {
	f := newFixture(t)
	sanne := bot.Address{Platform: mattermost, Handle: "IB.Sanne"}
	f.create("r1", t0, nil)
	if _, err := f.s.Pickup(f.ctx, t0.Add(time.Minute), school, "r1", bot.Actor{Address: sanne, Name: "Sanne"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ResolvePicked(f.ctx, t0.Add(time.Hour), school, sanne, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordClosing(f.ctx, t0, school, "r1", "", marie.Identity(), bot.StepSupport, "gesprek"); !errors.Is(err, bot.ErrNotYours) {
		t.Errorf("someone else: %v, want ErrNotYours", err)
	}
	if err := f.s.RecordClosing(f.ctx, t0, school, "r1", "anne", "", bot.StepSupport, "gesprek"); !errors.Is(err, bot.ErrNotYours) {
		t.Errorf("a helper who did not pick it up: %v, want ErrNotYours", err)
	}
	if err := f.s.RecordClosing(f.ctx, t0, school, "r1", "", sanne.Identity(), bot.StepSupport, "ouders"); err != nil {
		t.Fatalf("the picker: %v", err)
	}
	if v := f.hash("month:" + month)["support:ouders"]; v != "1" {
		t.Errorf("support:ouders = %q, want 1", v)
	}
}
