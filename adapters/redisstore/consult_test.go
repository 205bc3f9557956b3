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
	// Answered, the question is kept a week to meet about it, not the
	// record's whole retention.
	if ttl := f.pttl("note:c1"); ttl <= 7*24*time.Hour-time.Minute || ttl > 7*24*time.Hour {
		t.Errorf("question kept %s after the answer; want a week", ttl)
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
	if ttl := f.pttl("note:c1"); ttl <= 7*24*time.Hour-time.Minute || ttl > 7*24*time.Hour {
		t.Errorf("question kept %s once on the agenda; want a week", ttl)
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

// TestHeldConsult: a held question is kept a while under its own key and
// reaches nobody; its author sends it (the consult is asked, the question
// queued to the helper, and the hold becomes a marker, in one step) or
// drops it, once — also when both are pressed at the same moment — and
// nobody else can; an expired hold sends nothing. Each is counted.
func TestHeldConsult(t *testing.T) {
	hold := func(f *fixture, id string) {
		f.t.Helper()
		if err := f.s.HoldConsult(f.ctx, t0, school, id, week, month, marie, "5", "Daan is steeds zo stil", 2*time.Minute); err != nil {
			f.t.Fatal(err)
		}
	}
	held := func(id string) bot.Request {
		r := request(id, t0)
		r.Kind, r.Note, r.DayPart = bot.KindConsult, "Daan is steeds zo stil", ""
		return r
	}
	t.Run("sent", func(t *testing.T) {
		f := newFixture(t)
		hold(f, "c1")
		hold(f, "c1") // a repeat changes nothing
		f.checkTTL("consulthold:c1", 2*time.Minute)
		if n := f.rdb.Exists(f.ctx, f.key("req:c1")).Val(); n != 0 || len(f.told("c1")) != 0 {
			t.Fatal("a held question was asked")
		}
		h, err := f.s.HeldConsult(f.ctx, school, "c1")
		if err != nil || h.Author != marie.Identity() || h.Group != "5" || h.Question != "Daan is steeds zo stil" || h.Done != "" {
			t.Fatalf("HeldConsult = %+v, %v", h, err)
		}
		other := held("c1")
		other.Requester = joost
		if _, err := f.s.SendHeldConsult(f.ctx, t0, other, "bram", t0.Add(32*time.Hour), retention); !errors.Is(err, bot.ErrNotYours) {
			t.Errorf("someone else sends it: %v; want ErrNotYours", err)
		}
		r, err := f.s.SendHeldConsult(f.ctx, t0, held("c1"), "bram", t0.Add(32*time.Hour), retention)
		if err != nil || r.State != bot.StateAsked || r.Note != "Daan is steeds zo stil" || !has(f.told("c1"), "consult/1") {
			t.Fatalf("sent: %+v, %v, told %v", r, err, f.told("c1"))
		}
		if h := f.hash("consulthold:c1"); h["done"] != "sent" || h["question"] != "" || h["group"] != "" {
			t.Errorf("the hold after sending: %v; want a marker without the question", h)
		}
		if done, err := f.s.DropHeldConsult(f.ctx, t0, school, "c1", marie); !errors.Is(err, bot.ErrNotHeld) || done != "sent" {
			t.Errorf("cancel after sending: %q, %v; want ErrNotHeld, sent", done, err)
		}
		if st := f.stats(); st["held_consult"] != 1 || st["held_consult_sent"] != 1 || st["consults"] != 1 {
			t.Errorf("counters %v", st)
		}
	})
	t.Run("dropped", func(t *testing.T) {
		f := newFixture(t)
		hold(f, "c1")
		if _, err := f.s.DropHeldConsult(f.ctx, t0, school, "c1", joost); !errors.Is(err, bot.ErrNotYours) {
			t.Errorf("someone else cancels: %v", err)
		}
		if done, err := f.s.DropHeldConsult(f.ctx, t0, school, "c1", marie); err != nil || done != "cancelled" {
			t.Fatalf("cancel: %q, %v", done, err)
		}
		if _, err := f.s.SendHeldConsult(f.ctx, t0, held("c1"), "bram", t0.Add(32*time.Hour), retention); !errors.Is(err, bot.ErrNotHeld) {
			t.Errorf("send after cancelling: %v; want ErrNotHeld", err)
		}
		if n := f.rdb.Exists(f.ctx, f.key("req:c1"), f.key("note:c1")).Val(); n != 0 || len(f.told("c1")) != 0 {
			t.Error("a cancelled question was asked")
		}
		if h := f.hash("consulthold:c1"); h["question"] != "" {
			t.Errorf("the question is kept after cancelling: %v", h)
		}
		if st := f.stats(); st["held_consult"] != 1 || st["held_consult_cancelled"] != 1 || st["consults"] != 0 {
			t.Errorf("counters %v", st)
		}
	})
	t.Run("expired", func(t *testing.T) {
		f := newFixture(t)
		hold(f, "c1")
		f.rdb.Del(f.ctx, f.key("consulthold:c1")) // the hold passed
		if _, err := f.s.SendHeldConsult(f.ctx, t0, held("c1"), "bram", t0.Add(32*time.Hour), retention); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("send after the hold: %v; want ErrNotFound", err)
		}
		if _, err := f.s.HeldConsult(f.ctx, school, "c1"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("read after the hold: %v; want ErrNotFound", err)
		}
		if n := f.rdb.Exists(f.ctx, f.key("req:c1")).Val(); n != 0 {
			t.Error("an expired hold was asked")
		}
	})
	t.Run("send and cancel at once", func(t *testing.T) {
		f := newFixture(t)
		hold(f, "c1")
		var sent, dropped atomic.Int32
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Go(func() {
				if i%2 == 0 {
					if _, err := f.s.SendHeldConsult(f.ctx, t0, held("c1"), "bram", t0.Add(32*time.Hour), retention); err == nil {
						sent.Add(1)
					}
					return
				}
				if _, err := f.s.DropHeldConsult(f.ctx, t0, school, "c1", marie); err == nil {
					dropped.Add(1)
				}
			})
		}
		wg.Wait()
		asked := f.rdb.Exists(f.ctx, f.key("req:c1")).Val()
		// A repeated send of one that was sent answers as a duplicate, and
		// counts as sent: what matters is one outcome.
		if dropped.Load() > 1 || (dropped.Load() == 1) == (asked == 1) {
			t.Errorf("%d sends, %d cancels, asked %d; want exactly one outcome", sent.Load(), dropped.Load(), asked)
		}
	})
}
