package redisstore

import (
	"errors"
	"sync"
	"testing"

	"github.com/hulpbot/hulpbot/bot"
)

func TestAskedIndexAndSurveyAnswers(t *testing.T) {
	f := newFixture(t)
	f.create("r1", t0, nil)
	f.create("r2", t0, nil) // marie twice: once in the index
	slack := bot.Address{Platform: "slack", Handle: "U0KEES0001"}
	r := request("r3", t0)
	r.Requester = slack
	if _, err := f.s.CreateAndOffer(f.ctx, t0, r, nil, t0.Add(timeout), retention); err != nil {
		t.Fatal(err)
	}
	asked, err := f.s.Asked(f.ctx, school, []string{month, "2026-10"})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 {
		t.Fatalf("asked = %v, want marie and kees", asked)
	}
	found := false
	for p, a := range asked {
		if a == slack {
			found = true // the handle as the platform has it, not lower-cased
		}
		if len(p) < 16 || p == a.Handle {
			t.Errorf("field %q is not a pseudonym", p)
		}
	}
	if !found {
		t.Errorf("asked = %v, want %v among them", asked, slack)
	}
	if ttl := f.pttl("asked:" + month); ttl <= 0 {
		t.Errorf("asked index has no TTL")
	}

	// Answers count once per person and question, from any number of taps.
	var wg sync.WaitGroup
	var mu sync.Mutex
	oks := 0
	for range 10 {
		wg.Go(func() {
			err := f.s.RecordSurveyAnswer(f.ctx, school, bot.SurveyPulse, month, "supported", marie, 4)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				oks++
			case !errors.Is(err, bot.ErrDuplicate):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if oks != 1 {
		t.Errorf("%d answers counted, want 1", oks)
	}
	if err := f.s.RecordSurveyAnswer(f.ctx, school, bot.SurveyPulse, month, "confident", marie, 2); err != nil {
		t.Errorf("the other question: %v", err)
	}
	if err := f.s.RecordSurveyAnswer(f.ctx, school, bot.SurveyPulse, month, "supported", slack, 5); err != nil {
		t.Errorf("someone else: %v", err)
	}
	y, err := f.s.YearFigures(f.ctx, school, bot.SchoolYear{Start: 2026})
	if err != nil {
		t.Fatal(err)
	}
	for _, sv := range y.Surveys {
		if sv.Survey == bot.SurveyPulse && sv.Period == month && sv.Question == "supported" {
			if sv.Answers != [5]int{0, 0, 0, 1, 1} {
				t.Errorf("supported = %v", sv.Answers)
			}
			if _, ok := sv.Mean(); ok {
				t.Error("a mean from 2 answers")
			}
		}
	}

	// Sent once: what was marked is reported.
	ps := []string{"p1", "p2"}
	if err := f.s.MarkSurveySent(f.ctx, school, bot.SurveyPulse, month, ps[:1]); err != nil {
		t.Fatal(err)
	}
	sent, err := f.s.SurveySent(f.ctx, school, bot.SurveyPulse, month, ps)
	if err != nil || !sent["p1"] || sent["p2"] {
		t.Errorf("sent = %v, %v", sent, err)
	}
}
