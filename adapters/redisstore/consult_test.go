package redisstore

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// consult asks bram to think along about group 5, for marie, due at due.
func (f *fixture) consult(id string, now, due time.Time) bot.Request {
	f.t.Helper()
	r := request(id, now)
	r.Kind, r.Note, r.DayPart = bot.KindConsult, "hoe help ik een stil kind mee te doen?", ""
	out, err := f.s.CreateConsult(f.ctx, now, r, "bram", due, retention)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// told lists the kinds of notice queued about request id.
func (f *fixture) told(id string) []string {
	var out []string
	for k := range f.queued() {
		if parts := strings.Split(k, "/"); len(parts) > 3 && parts[1] == id {
			out = append(out, parts[2]+"/"+parts[3])
		}
	}
	return out
}

func has(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

func TestConsultLifecycle(t *testing.T) {
	f := newFixture(t)
	due := t0.Add(32 * time.Hour)
	r := f.consult("c1", t0, due)
	if r.Kind != bot.KindConsult || r.State != bot.StateAsked || r.HelperID != "bram" || !r.Deadline.Equal(due) || r.Note == "" {
		t.Fatalf("created %+v", r)
	}
	if !has(f.told("c1"), "consult/1") {
		t.Errorf("told %v; want the question to bram", f.told("c1"))
	}
	st := f.stats()
	if st["consults"] != 1 || st["requests"] != 0 {
		t.Errorf("counters %v; want one consult and no request for help", st)
	}
	// A repeat changes nothing.
	before := f.snapshot()
	again := request("c1", t0)
	again.Kind = bot.KindConsult
	if _, err := f.s.CreateConsult(f.ctx, t0, again, "bram", due, retention); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("repeat: %v; want ErrDuplicate", err)
	}
	// Only bram answers; nothing changes for anne.
	if _, err := f.s.AnswerConsult(f.ctx, t0, school, "c1", "anne", bot.AnswerToday, ""); !errors.Is(err, bot.ErrNotYours) {
		t.Errorf("answer by anne: %v; want ErrNotYours", err)
	}
	if _, err := f.s.AnswerConsult(f.ctx, t0, school, "", "anne", bot.AnswerToday, ""); !errors.Is(err, bot.ErrNoActiveRequest) {
		t.Errorf("answer by anne without an id: %v; want ErrNoActiveRequest", err)
	}
	sameSnapshot(t, before, f.snapshot())

	a, err := f.s.AnswerConsult(f.ctx, t0.Add(time.Hour), school, "", "bram", bot.AnswerMoment, "do 14:00")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "c1" || a.State != bot.StateAnswered || a.Answer != bot.AnswerMoment || a.Moment != "do 14:00" || !a.AnsweredAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("answered %+v", a)
	}
	if !has(f.told("c1"), "consult_answered/1") || len(f.members("consultdue")) != 0 {
		t.Errorf("told %v, due %v; want the teacher told and no deadline left", f.told("c1"), f.members("consultdue"))
	}
	if _, err := f.s.AnswerConsult(f.ctx, t0, school, "c1", "bram", bot.AnswerToday, ""); !errors.Is(err, bot.ErrClosed) {
		t.Errorf("answered twice: %v; want ErrClosed", err)
	}
	// Closed by the teacher; someone else may not.
	other := bot.Address{Platform: mattermost, Handle: "juf.els"}
	if _, err := f.s.CloseConsult(f.ctx, t0, school, "c1", other.Identity(), ""); !errors.Is(err, bot.ErrNotYours) {
		t.Errorf("closed by someone else: %v; want ErrNotYours", err)
	}
	c, err := f.s.CloseConsult(f.ctx, t0.Add(2*time.Hour), school, "c1", marie.Identity(), "")
	if err != nil || c.State != bot.StateResolved {
		t.Errorf("closed: %+v, %v", c, err)
	}
	if _, err := f.s.CloseConsult(f.ctx, t0, school, "c1", "", "bram"); !errors.Is(err, bot.ErrClosed) {
		t.Errorf("closed twice: %v; want ErrClosed", err)
	}
	st = f.stats()
	if st["consults_answered"] != 1 || st["consults_closed"] != 1 || st["resolved"] != 0 {
		t.Errorf("counters %v", st)
	}
	// A consult is no request for help: urgent commands do not find it.
	if _, err := f.s.Resolve(f.ctx, t0, school, "bram", ""); !errors.Is(err, bot.ErrNoActiveRequest) {
		t.Errorf("/hulp klaar finds the consult: %v", err)
	}
}

func TestConsultDueRemindsThenAgenda(t *testing.T) {
	f := newFixture(t)
	due, next := t0.Add(32*time.Hour), t0.Add(56*time.Hour)
	f.consult("c1", t0, due)
	if refs, _ := f.s.DueConsults(f.ctx, school, due.Add(-time.Second), 10); len(refs) != 0 {
		t.Errorf("due before its time: %v", refs)
	}
	before := f.snapshot()
	if _, err := f.s.ConsultDue(f.ctx, due.Add(-time.Second), school, "c1", next, retention); !errors.Is(err, bot.ErrStale) {
		t.Errorf("moved on early: %v; want ErrStale", err)
	}
	sameSnapshot(t, before, f.snapshot())

	refs, err := f.s.DueConsults(f.ctx, school, due, 10)
	if err != nil || len(refs) != 1 || refs[0].RequestID != "c1" {
		t.Fatalf("DueConsults = %v, %v", refs, err)
	}
	r, err := f.s.ConsultDue(f.ctx, due, school, "c1", next, retention)
	if err != nil || r.OfferNo != bot.ConsultStageReminded || !r.Deadline.Equal(next) {
		t.Fatalf("first deadline: %+v, %v; want reminded, due again next", r, err)
	}
	if !has(f.told("c1"), "consult_reminder/2") {
		t.Errorf("told %v; want the reminder", f.told("c1"))
	}
	if _, err := f.s.ConsultDue(f.ctx, due, school, "c1", next, retention); !errors.Is(err, bot.ErrStale) {
		t.Errorf("the first deadline twice: %v; want ErrStale", err)
	}
	if _, err := f.s.ConsultDue(f.ctx, next, school, "c1", next.Add(24*time.Hour), retention); err != nil {
		t.Fatal(err)
	}
	if !has(f.told("c1"), "consult_agenda/3") || len(f.members("consultdue")) != 0 {
		t.Errorf("told %v, due %v; want the teacher told and nothing due", f.told("c1"), f.members("consultdue"))
	}
	themes, _ := f.s.AgendaThemes(f.ctx, school)
	if len(themes) != 1 || themes[0].ConsultID != "c1" || themes[0].Group != "5" || themes[0].Text != "" || !themes[0].At.Equal(t0) {
		t.Errorf("agenda = %+v; want the consult, by group and day, without its question", themes)
	}
	st := f.stats()
	if st["consults_reminded"] != 1 || st["consults_to_agenda"] != 1 {
		t.Errorf("counters %v", st)
	}
	// Still answerable from the agenda.
	if _, err := f.s.AnswerConsult(f.ctx, next, school, "c1", "bram", bot.AnswerCall, ""); err != nil {
		t.Errorf("answer after the agenda: %v", err)
	}
}

// TestConsultDueOnceAcrossReplicas: three sweepers find the same deadline
// at the same moment; the helper is reminded once.
func TestConsultDueOnceAcrossReplicas(t *testing.T) {
	f := newFixture(t)
	due := t0.Add(32 * time.Hour)
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		f.consult(id, t0, due)
	}
	var moved atomic.Int32
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			refs, err := f.s.DueConsults(f.ctx, school, due, 10)
			if err != nil {
				t.Error(err)
				return
			}
			for _, ref := range refs {
				_, err := f.s.ConsultDue(f.ctx, due, school, ref.RequestID, due.Add(24*time.Hour), retention)
				switch {
				case err == nil:
					moved.Add(1)
				case !errors.Is(err, bot.ErrStale):
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if moved.Load() != 4 || f.stats()["consults_reminded"] != 4 {
		t.Errorf("moved %d, counters %v; want each of 4 consults reminded once", moved.Load(), f.stats())
	}
}

// TestConsultAnswerRacesDeadline: the answer and the deadline race; either
// the answer wins and nothing is reminded, or the reminder goes out before
// the answer — never an answered consult reminded.
func TestConsultAnswerRacesDeadline(t *testing.T) {
	for range 20 {
		f := newFixture(t)
		due := t0.Add(32 * time.Hour)
		f.consult("c1", t0, due)
		var wg sync.WaitGroup
		var answerErr, dueErr error
		wg.Go(func() { _, answerErr = f.s.AnswerConsult(f.ctx, due, school, "c1", "bram", bot.AnswerThisWeek, "") })
		wg.Go(func() { _, dueErr = f.s.ConsultDue(f.ctx, due, school, "c1", due.Add(24*time.Hour), retention) })
		wg.Wait()
		if answerErr != nil {
			t.Fatalf("answer: %v", answerErr)
		}
		if dueErr != nil && !errors.Is(dueErr, bot.ErrClosed) && !errors.Is(dueErr, bot.ErrStale) {
			t.Fatalf("due: %v", dueErr)
		}
		if len(f.members("consultdue")) != 0 {
			t.Fatalf("an answered consult is still due: %v", f.members("consultdue"))
		}
	}
}
