package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

// posts records what the weekly jobs queued, safe for several goroutines.
type posts struct {
	mu    sync.Mutex
	msgs  []message.Message
	fail  error // every Send fails with it
	down  int   // the next this many Sends fail: the outbox's Redis is down
	tries int   // Sends so far, failed or not
}

// errQueueDown is what the outbox answers while its Redis is down.
var errQueueDown = fmt.Errorf("outbox: queue: %w", bot.ErrUnavailable)

func (p *posts) Send(_ context.Context, m message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tries++
	if p.fail != nil {
		return p.fail
	}
	if p.down > 0 {
		p.down--
		return errQueueDown
	}
	p.msgs = append(p.msgs, m)
	return nil
}

func (p *posts) attempts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tries
}

func (p *posts) all() []message.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs)
}

// weeklySchool is De Vaart with a kernteam, a digest to a channel, a
// coordinator and helpers on a timetable: Anne mornings, Bram afternoons,
// Chris all Tuesday.
func weeklySchool(t *testing.T) *bot.School {
	t.Helper()
	parts := bot.DefaultDayParts()
	sched := func(entries ...string) bot.Schedule {
		s, err := bot.ParseSchedule(entries, parts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sc := &bot.School{
		ID: "de-vaart", Name: "De Vaart", Language: "nl", Location: amsterdam,
		Groups:        []bot.Group{{ID: "1-2"}, {ID: "3"}, {ID: "4"}, {ID: "5"}},
		DayParts:      parts,
		RolesPriority: []bot.Role{bot.RoleJeugdhulpverlener, bot.RoleCJGCoach},
		Helpers: []bot.Helper{
			{ID: "anne", Name: "Anne", Role: bot.RoleJeugdhulpverlener, Accounts: bot.Accounts{{Platform: mattermost, Handle: "anne"}, {Platform: shell, Handle: "anne"}}, Schedule: sched("ma-vr ochtend")},
			{ID: "bram", Name: "Bram", Role: bot.RoleCJGCoach, Accounts: bot.Accounts{{Platform: mattermost, Handle: "bram"}, {Platform: shell, Handle: "bram"}}, Schedule: sched("ma-vr middag")},
			{ID: "chris", Name: "Chris", Role: bot.RoleJeugdhulpverlener, Accounts: bot.Accounts{{Platform: shell, Handle: "chris"}}, Schedule: sched("di")},
		},
		Coordinators: []bot.Coordinator{
			{Name: "Sanne", Accounts: bot.Accounts{{Platform: mattermost, Handle: "ib.sanne"}, {Platform: slack, Handle: "U0SANNE001"}, {Platform: shell, Handle: "ib.sanne"}}},
			{Name: "Dirk", Accounts: bot.Accounts{{Platform: slack, Handle: "U0DIRK0001"}}},
		},
		FallbackChannel: "kernteam", OfferTimeout: 2 * time.Minute, Retention: 720 * time.Hour,
		Teams:    []bot.TeamLink{{Platform: mattermost, Team: "de-vaart"}, {Platform: shell}},
		Kernteam: bot.Kernteam{Channel: "kernteam", Reminder: "15 8 * * MON", Meeting: "donderdag 14:00"},
		Digest:   bot.Digest{Cron: "0 16 * * FRI", Channel: "coordinatie"},
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

// replica is one hulpbot process's weekly jobs on a shared Redis.
type replica struct {
	jobs   *WeeklyJobs
	weekly *bot.Weekly
	store  *redisstore.Store
	sent   *posts
}

// newReplica posts on platforms, Mattermost when none are given.
func newReplica(t *testing.T, rdb redis.UniversalClient, prefix string, sc *bot.School, o WeeklyOptions, platforms ...bot.Platform) *replica {
	t.Helper()
	dir, err := bot.NewDirectory([]*bot.School{sc})
	if err != nil {
		t.Fatal(err)
	}
	store := redisstore.New(rdb, prefix, quiet)
	weekly := bot.NewWeekly(store, bot.NewCalendar(), quiet)
	sent := &posts{}
	o.Schools, o.UseCases, o.Send = dir, weekly, sent
	if o.Leases == nil {
		o.Leases = store
	}
	if o.Log == nil {
		o.Log = quiet
	}
	if platforms == nil {
		platforms = []bot.Platform{mattermost}
	}
	o.Posts = catalog.NewWeeklyPosts(weekly, platforms, store.Pseudonyms(), o.Log)
	return &replica{jobs: NewWeeklyJobs(o), weekly: weekly, store: store, sent: sent}
}

// newMemReplica is a replica without Redis, for tests on synctest's clock
// (in a bubble, a wait for Redis is no wait the clock can skip): leases in
// memory (o.Leases, its own when nil), and posts unworded (o.Posts,
// tickPosts{} when nil).
func newMemReplica(t *testing.T, sc *bot.School, o WeeklyOptions) *replica {
	t.Helper()
	dir, err := bot.NewDirectory([]*bot.School{sc})
	if err != nil {
		t.Fatal(err)
	}
	sent := &posts{}
	o.Schools, o.UseCases, o.Send = dir, schoolDays{}, sent
	if o.Leases == nil {
		o.Leases = &memLeases{}
	}
	if o.Posts == nil {
		o.Posts = tickPosts{}
	}
	if o.Log == nil {
		o.Log = quiet
	}
	return &replica{jobs: NewWeeklyJobs(o), sent: sent}
}

// schoolDays plans ticks on the school's own closed days.
type schoolDays struct{}

func (schoolDays) Plan(s *bot.School, job bot.Job, at time.Time) bot.Tick {
	return bot.PlanTick(s, job, at, s.Holidays)
}

// tickPosts composes one post per tick, keyed by the tick, to a channel
// named after its job: what the scheduler queues, without the words
// (the catalogue's tests have those). Success stories are posted only when
// stories is set.
type tickPosts struct{ stories bool }

func (p tickPosts) Compose(_ context.Context, sc *bot.School, t bot.Tick) ([]message.Message, func(context.Context) error, error) {
	if t.Job == bot.JobSuccesses && !p.stories {
		return nil, nil, nil
	}
	key := t.Key(sc.Location)
	return []message.Message{{SchoolID: sc.ID, Key: "weekly/" + sc.ID + "/" + key, To: bot.Recipient{Channel: string(t.Job)}, Text: key}}, nil, nil
}

func TestEachTickPostsOnceAcrossReplicas(t *testing.T) {
	for _, n := range []int{2, 3, 5} {
		t.Run(fmt.Sprintf("%d replicas", n), func(t *testing.T) {
			rdb, prefix := redistest.Client(t), redistest.Prefix(t)
			sc := weeklySchool(t)
			reps := make([]*replica, n)
			for i := range reps {
				reps[i] = newReplica(t, rdb, prefix, sc, WeeklyOptions{})
			}
			ctx := context.Background()
			// A story for each week, so the success post has something to say.
			for _, wk := range []string{"2026-W48", "2026-W49", "2026-W50"} {
				if err := reps[0].store.AddStory(ctx, sc.ID, wk, "fijn gesprek in "+wk, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			ticks := []struct {
				job bot.Job
				at  time.Time
			}{
				{bot.JobReminder, ams(2026, 11, 30, 8, 15)},
				{bot.JobDigest, ams(2026, 12, 4, 16, 0)},
				{bot.JobSuccesses, ams(2026, 12, 4, 16, 0)},
				{bot.JobReminder, ams(2026, 12, 7, 8, 15)},
				{bot.JobDigest, ams(2026, 12, 11, 16, 0)},
				{bot.JobSuccesses, ams(2026, 12, 11, 16, 0)},
				{bot.JobToday, ams(2026, 12, 1, 8, 0)},
				{bot.JobToday, ams(2026, 12, 2, 8, 0)},
			}
			for _, tk := range ticks {
				outcomes := make([]Outcome, n)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i, r := range reps {
					wg.Go(func() {
						<-start
						out, err := r.jobs.RunTick(ctx, sc, tk.job, tk.at)
						if err != nil {
							t.Errorf("replica %d, %s at %s: %v", i, tk.job, tk.at, err)
						}
						outcomes[i] = out
					})
				}
				close(start)
				wg.Wait()
				slices.Sort(outcomes)
				want := append([]Outcome{Posted}, slices.Repeat([]Outcome{Taken}, n-1)...)
				slices.Sort(want)
				if !slices.Equal(outcomes, want) {
					t.Errorf("%s at %s: outcomes %v; want one posted, the rest taken", tk.job, tk.at.Format(time.RFC3339), outcomes)
				}
			}
			keys := map[string]int{}
			for _, r := range reps {
				for _, m := range r.sent.all() {
					keys[m.Key]++
				}
			}
			if len(keys) != len(ticks) {
				t.Errorf("%d distinct posts; want %d (one per tick): %v", len(keys), len(ticks), keys)
			}
			for k, c := range keys {
				if c != 1 {
					t.Errorf("post %s sent %d times", k, c)
				}
			}
		})
	}
}

// seconds parses cron expressions with a seconds field, so a test can
// watch crons tick every second.
var seconds = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow).Parse

// TestCronsPostOncePerTick: replicas whose crons fire every second, on
// synctest's clock, post each tick once between them: the one at start
// (caught up) and one a second after.
func TestCronsPostOncePerTick(t *testing.T) {
	for _, n := range []int{2, 3, 5} {
		t.Run(fmt.Sprintf("%d replicas", n), func(t *testing.T) {
			sc := weeklySchool(t)
			sc.Kernteam.Reminder = "* * * * * *"
			sc.Digest.Cron = "* * * * * *" // the success stories go then too
			sc.Successes.Nudge = bot.NudgeOff
			sc.Today.Cron = "* * * * * *"
			synctest.Test(t, func(t *testing.T) {
				leases := &memLeases{}
				reps := make([]*replica, n)
				for i := range reps {
					reps[i] = newMemReplica(t, sc, WeeklyOptions{Parse: seconds, Leases: leases, Posts: tickPosts{stories: true}})
				}
				for _, r := range reps {
					if err := r.jobs.Start(t.Context()); err != nil {
						t.Fatal(err)
					}
				}
				// The bubble starts on a whole second: its tick is caught
				// up, then the crons fire at 1 s, 2 s, … 5 s. The sleep is
				// on the bubble's clock: no real time passes.
				time.Sleep(5*time.Second + 500*time.Millisecond)
				for _, r := range reps {
					r.jobs.Stop()
				}
				keys := map[string]int{}
				ticks := map[string]bool{}
				for _, r := range reps {
					for _, m := range r.sent.all() {
						keys[m.Key]++
						// weekly/<school>/<job>@<time>/<recipient>
						ticks[strings.Split(m.Key, "/")[2]] = true
					}
				}
				for k, c := range keys {
					if c != 1 {
						t.Errorf("post %s sent %d times; want once", k, c)
					}
				}
				if want := 4 * 6; len(ticks) != want {
					t.Errorf("%d ticks posted: %v; want %d, four jobs at 0 s, 1 s, … 5 s", len(ticks), slices.Sorted(maps.Keys(ticks)), want)
				}
			})
		})
	}
}

func TestRepeatedHourPostsOnce(t *testing.T) {
	sc := weeklySchool(t)
	r := newReplica(t, redistest.Client(t), redistest.Prefix(t), sc, WeeklyOptions{})
	ctx := context.Background()
	// cron fires "30 2 * * SUN" twice on 25 October (see
	// TestCronRunsInSchoolTime): the second is the same wall-clock tick.
	first, err1 := r.jobs.RunTick(ctx, sc, bot.JobDigest, time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC))
	second, err2 := r.jobs.RunTick(ctx, sc, bot.JobDigest, time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC))
	if first != Posted || second != Taken || err1 != nil || err2 != nil {
		t.Errorf("outcomes %s (%v), %s (%v); want posted, taken", first, err1, second, err2)
	}
}

func TestHolidayPostsNothing(t *testing.T) {
	sc := weeklySchool(t)
	sc.Holidays = []bot.Holiday{{First: day(2026, 12, 19), Last: day(2027, 1, 3), Name: "Kerstvakantie"}}
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	r := newReplica(t, rdb, prefix, sc, WeeklyOptions{})
	ctx := context.Background()
	for _, tk := range []struct {
		job bot.Job
		at  time.Time
	}{{bot.JobReminder, ams(2026, 12, 21, 8, 15)}, {bot.JobDigest, ams(2027, 1, 1, 16, 0)}, {bot.JobSuccesses, ams(2026, 12, 25, 16, 0)},
		{bot.JobToday, ams(2026, 12, 22, 8, 0)}} {
		if out, err := r.jobs.RunTick(ctx, sc, tk.job, tk.at); out != Closed || err != nil {
			t.Errorf("%s at %s: %s, %v; want closed", tk.job, tk.at, out, err)
		}
	}
	if got := r.sent.all(); len(got) != 0 {
		t.Errorf("sent %d posts in the holiday", len(got))
	}
	if keys, _ := rdb.Keys(ctx, prefix+":*lease*").Result(); len(keys) != 0 {
		t.Errorf("leases taken in the holiday: %v", keys)
	}
	// The calendar of the government feed counts as well.
	sc.Holidays = nil
	r.weekly.Calendar().Set(map[string][]bot.Holiday{bot.RegionAll: {{First: day(2026, 12, 19), Last: day(2027, 1, 3)}}})
	if out, _ := r.jobs.RunTick(ctx, sc, bot.JobDigest, ams(2027, 1, 1, 16, 0)); out != Closed {
		t.Errorf("digest on 1 January with the feed's Christmas: %s; want closed", out)
	}
	if out, _ := r.jobs.RunTick(ctx, sc, bot.JobDigest, ams(2027, 1, 8, 16, 0)); out != Posted {
		t.Errorf("digest on 8 January: %s; want posted", out)
	}
}

func TestRecipients(t *testing.T) {
	ctx := context.Background()
	at := ams(2026, 12, 4, 16, 0)
	t.Run("channels on every linked platform and the terminal", func(t *testing.T) {
		sc := weeklySchool(t)
		r := newReplica(t, redistest.Client(t), redistest.Prefix(t), sc, WeeklyOptions{}, mattermost, slack, shell)
		if out, err := r.jobs.RunTick(ctx, sc, bot.JobDigest, at); out != Posted || err != nil {
			t.Fatalf("RunTick = %s, %v", out, err)
		}
		var to []string
		for _, m := range r.sent.all() {
			to = append(to, m.To.String()+"#"+m.To.Channel)
			if m.SchoolID != sc.ID || !strings.HasPrefix(m.Key, "weekly/de-vaart/digest@2026-12-04T16:00:00/") || len(m.Attachments) != 1 {
				t.Errorf("post school %q, key %q, %d attachments", m.SchoolID, m.Key, len(m.Attachments))
			}
		}
		// Not linked to a Slack workspace: no Slack post.
		if want := []string{"mattermost:#coordinatie", "shell:#coordinatie"}; !slices.Equal(to, want) {
			t.Errorf("digest went to %v; want %v", to, want)
		}
	})
	t.Run("digest without a channel: each coordinator once", func(t *testing.T) {
		sc := weeklySchool(t)
		sc.Digest.Channel = ""
		sc.Teams = append(sc.Teams, bot.TeamLink{Platform: slack, Team: "T0DEVAART1"})
		r := newReplica(t, redistest.Client(t), redistest.Prefix(t), sc, WeeklyOptions{}, mattermost, slack)
		if out, err := r.jobs.RunTick(ctx, sc, bot.JobDigest, at); out != Posted || err != nil {
			t.Fatalf("RunTick = %s, %v", out, err)
		}
		var to []string
		for _, m := range r.sent.all() {
			to = append(to, m.To.String()+"#"+m.To.Channel)
		}
		if want := []string{"mattermost:ib.sanne#", "slack:U0DIRK0001#"}; !slices.Equal(to, want) {
			t.Errorf("digest went to %v; want %v", to, want)
		}
	})
	t.Run("no stories: no success post", func(t *testing.T) {
		sc := weeklySchool(t)
		r := newReplica(t, redistest.Client(t), redistest.Prefix(t), sc, WeeklyOptions{})
		if out, err := r.jobs.RunTick(ctx, sc, bot.JobSuccesses, at); out != Nothing || err != nil {
			t.Errorf("RunTick = %s, %v; want nothing", out, err)
		}
	})
	t.Run("delivery fails", func(t *testing.T) {
		sc := weeklySchool(t)
		r := newReplica(t, redistest.Client(t), redistest.Prefix(t), sc, WeeklyOptions{})
		r.sent.fail = fmt.Errorf("no such channel: %w", message.ErrPermanent)
		if out, err := r.jobs.RunTick(ctx, sc, bot.JobReminder, ams(2026, 11, 30, 8, 15)); out != Failed || err == nil {
			t.Errorf("RunTick = %s, %v; want failed", out, err)
		}
	})
}

func TestReminderListsEachAgendaItemOnce(t *testing.T) {
	sc := weeklySchool(t)
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	r := newReplica(t, rdb, prefix, sc, WeeklyOptions{})
	w := newWeek(t, r.store, sc)
	ctx := context.Background()
	marie := actor("marie")
	req := w.ask(marie, "5", ams(2026, 11, 24, 9, 0))
	w.accept("anne", req.ID, ams(2026, 11, 24, 9, 1))
	w.resolve("anne", ams(2026, 11, 24, 9, 30))
	if err := r.weekly.MarkForKernteam(ctx, ams(2026, 11, 24, 9, 31), sc, actor("anne"), req.ID); err != nil {
		t.Fatal(err)
	}

	if out, err := r.jobs.RunTick(ctx, sc, bot.JobReminder, ams(2026, 11, 30, 8, 15)); out != Posted || err != nil {
		t.Fatalf("RunTick = %s, %v", out, err)
	}
	if out, err := r.jobs.RunTick(ctx, sc, bot.JobReminder, ams(2026, 12, 7, 8, 15)); out != Posted || err != nil {
		t.Fatalf("RunTick = %s, %v", out, err)
	}
	sent := r.sent.all()
	if len(sent) != 2 {
		t.Fatalf("sent %d reminders; want 2", len(sent))
	}
	item := "   – groep 5, di 24 nov ochtend (Anne)"
	if !strings.Contains(sent[0].Text, item) || !strings.Contains(sent[0].Text, "Agenda uit week 48") ||
		!strings.Contains(sent[0].Text, "• Hulpvragen: 1 (week ervoor 0), het vaakst groep 5 (1)") {
		t.Errorf("first reminder:\n%s\nwant week 48 with the item %q", sent[0].Text, item)
	}
	if strings.Contains(sent[1].Text, "groep 5, di") || sent[1].To.Channel != "kernteam" {
		t.Errorf("second reminder to %q lists the item again:\n%s", sent[1].To.Channel, sent[1].Text)
	}
}

// week drives the core through a week of requests, on the clock the test
// gives.
type week struct {
	t   *testing.T
	sc  *bot.School
	svc *bot.Service
}

type nobody struct{}

func (nobody) Observe(bot.Notice) {}

func newWeek(t *testing.T, store *redisstore.Store, sc *bot.School) *week {
	return &week{t: t, sc: sc, svc: bot.NewService(store, nobody{}, quiet)}
}

func actor(handle string) bot.Actor {
	return bot.Actor{Address: bot.Address{Platform: mattermost, Handle: handle}, Name: handle}
}

func (w *week) ask(by bot.Actor, group string, now time.Time) bot.Request {
	w.t.Helper()
	r, err := w.svc.RequestHelp(context.Background(), now, w.sc, bot.HelpRequest{From: by, Group: group})
	if err != nil {
		w.t.Fatalf("ask at %s: %v", now, err)
	}
	return r
}

func (w *week) accept(helper, id string, now time.Time) {
	w.t.Helper()
	if _, err := w.svc.Accept(context.Background(), now, w.sc, actor(helper), id, 0); err != nil {
		w.t.Fatalf("%s accepts %s: %v", helper, id, err)
	}
}

func (w *week) resolve(helper string, now time.Time) bot.Request {
	w.t.Helper()
	r, err := w.svc.Resolve(context.Background(), now, w.sc, actor(helper), "")
	if err != nil {
		w.t.Fatalf("%s resolves: %v", helper, err)
	}
	return r
}

// TestSeededWeekFigures plays a week of requests through the core and the
// Redis store, and checks the digest's figures against counts by hand.
func TestSeededWeekFigures(t *testing.T) {
	sc := weeklySchool(t)
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	r := newReplica(t, rdb, prefix, sc, WeeklyOptions{})
	w := newWeek(t, r.store, sc)
	ctx := context.Background()
	marie, piet, eva := actor("marie"), actor("piet"), actor("juf.eva")
	pulse := func(by bot.Actor, id string, a bot.PulseAnswer) {
		t.Helper()
		if err := r.weekly.Pulse(ctx, ams(2026, 12, 4, 17, 0), sc, by, id, a); err != nil {
			t.Fatalf("pulse %s: %v", id, err)
		}
	}

	// 1. Monday 09:00, groep 5: Anne (mornings) accepts after 60 s, closes; 👍.
	r1 := w.ask(marie, "5", ams(2026, 11, 30, 9, 0))
	w.accept("anne", r1.ID, ams(2026, 11, 30, 9, 1))
	w.resolve("anne", ams(2026, 11, 30, 9, 20))
	pulse(marie, r1.ID, bot.PulseUp)
	// 2. Monday 10:00, groep 3: Anne declines; nobody else in the morning.
	r2 := w.ask(piet, "3", ams(2026, 11, 30, 10, 0))
	if out, err := w.svc.Decline(ctx, ams(2026, 11, 30, 10, 0).Add(30*time.Second), sc, actor("anne"), r2.ID, 1); err != nil || out.State != bot.StateEscalated {
		t.Fatalf("decline: %s, %v; want escalated", out.State, err)
	}
	//    Nobody in the channel picks it up: closed at the end of the day.
	if n, err := w.svc.CloseUnpicked(ctx, ams(2026, 11, 30, 18, 0), sc); err != nil || n != 1 {
		t.Fatalf("close unpicked: %d, %v; want 1", n, err)
	}
	// 3. Tuesday 13:00, groep 4: Chris first (role), no answer; Bram accepts
	//    at 13:03 (180 s after the request); closes; "kan ik zelf".
	r3 := w.ask(eva, "4", ams(2026, 12, 1, 13, 0))
	if r3.HelperID != "chris" {
		t.Fatalf("request 3 went to %s; want chris", r3.HelperID)
	}
	if out, err := w.svc.Timeout(ctx, ams(2026, 12, 1, 13, 2), sc, r3.ID, 1); err != nil || out.HelperID != "bram" {
		t.Fatalf("timeout: %s to %s, %v; want offered to bram", out.State, out.HelperID, err)
	}
	w.accept("bram", r3.ID, ams(2026, 12, 1, 13, 3))
	w.resolve("bram", ams(2026, 12, 1, 13, 30))
	pulse(eva, r3.ID, bot.PulseSelf)
	// 4. Wednesday 18:00, groep 5: outside school hours, nobody on duty.
	if r4 := w.ask(marie, "5", ams(2026, 12, 2, 18, 0)); r4.State != bot.StateEscalated {
		t.Fatalf("request 4: %s; want escalated", r4.State)
	}
	// 5. Thursday 11:00, groep 1-2: Anne accepts after 40 s, closes; 👎.
	r5 := w.ask(marie, "1-2", ams(2026, 12, 3, 11, 0))
	w.accept("anne", r5.ID, ams(2026, 12, 3, 11, 0).Add(40*time.Second))
	w.resolve("anne", ams(2026, 12, 3, 11, 30))
	pulse(marie, r5.ID, bot.PulseDown)
	// 6. Friday 09:30, groep 3: withdrawn a minute later.
	w.ask(piet, "3", ams(2026, 12, 4, 9, 30))
	if _, err := w.svc.Cancel(ctx, ams(2026, 12, 4, 9, 31), sc, piet, ""); err != nil {
		t.Fatal(err)
	}
	// 7. Friday 10:00, groep 5: Anne accepts after 120 s, still with it.
	r7 := w.ask(eva, "5", ams(2026, 12, 4, 10, 0))
	w.accept("anne", r7.ID, ams(2026, 12, 4, 10, 2))
	// Stories: two plain, one signed.
	for _, s := range []string{"rustige gymles", "samen opgelost"} {
		if err := w.svc.ShareStory(ctx, ams(2026, 12, 2, 12, 0), sc, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.weekly.ShareSignedStory(ctx, ams(2026, 12, 3, 12, 0), sc, marie, "fijn gesprek"); err != nil {
		t.Fatal(err)
	}
	// A request in the week before does not count.
	w.ask(marie, "4", ams(2026, 11, 29, 23, 59))

	rep, err := r.weekly.Report(ctx, sc, "2026-W49")
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Week
	t.Run("counts", func(t *testing.T) {
		got := map[string]int{
			"requests": f.Requests, "offers": f.Offers, "accepted": f.Accepted, "accepted first": f.AcceptedFirst,
			"moved on": f.MovedOn(), "picked up": f.PickedUp, "declines": f.Declines, "timeouts": f.Timeouts,
			"escalated": f.Escalated, "cancelled": f.Cancelled, "resolved": f.Resolved, "no cover": f.NoCover, "unpicked": f.Unpicked,
			"groep 5": f.ByGroup["5"], "groep 3": f.ByGroup["3"], "groep 4": f.ByGroup["4"], "groep 1-2": f.ByGroup["1-2"],
			"ochtend": f.ByDayPart["ochtend"], "middag": f.ByDayPart["middag"], "buiten": f.ByDayPart["buiten"],
			"👍": f.Pulse.Up, "👎": f.Pulse.Down, "zelf": f.Pulse.Self, "stories": f.Stories,
		}
		want := map[string]int{
			"requests": 7, "offers": 7, "accepted": 4, "accepted first": 3,
			"moved on": 1, "picked up": 0, "declines": 1, "timeouts": 1,
			"escalated": 2, "cancelled": 1, "resolved": 3, "no cover": 1, "unpicked": 1,
			"groep 5": 3, "groep 3": 2, "groep 4": 1, "groep 1-2": 1,
			"ochtend": 5, "middag": 1, "buiten": 1,
			"👍": 1, "👎": 1, "zelf": 1, "stories": 3,
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if got[k] != want[k] {
				t.Errorf("%s = %d; want %d", k, got[k], want[k])
			}
		}
	})
	t.Run("waits", func(t *testing.T) {
		// Waits 60, 180, 40 and 120 s: median (60 + 120) / 2 = 90 s, p90 the 4th of 4.
		if m, _ := f.MedianWait(); m != 90*time.Second {
			t.Errorf("median wait = %v; want 1m30s", m)
		}
		if p, _ := f.P90Wait(); p != 180*time.Second {
			t.Errorf("p90 wait = %v; want 3m0s", p)
		}
	})
	t.Run("previous weeks", func(t *testing.T) {
		if len(rep.Previous) != 4 || rep.Previous[0].Week != "2026-W48" || rep.Previous[0].Requests != 1 {
			t.Errorf("previous weeks = %+v; want 4, the first week 48 with its one request", rep.Previous)
		}
	})
	t.Run("digest text", func(t *testing.T) {
		text := catalog.DigestText(sc, rep, false)
		for _, line := range []string{
			"Hulpvragen: 7 (vorige 4 schoolweken gemiddeld 0,3)",
			`Meestal binnen 2 minuten iemand onderweg; 9 van de 10 keer binnen 3 minuten`,
			"Aangenomen: 4; door de eerste hulpverlener 3, na doorzetten 1, opgepakt in het kernteam-kanaal 0",
			"In het kernteam-kanaal beland: 2, daarvan door niemand opgepakt: 1 · ingetrokken: 1 · gevraagd terwijl niemand ingeroosterd was: 1",
		} {
			if !slices.Contains(strings.Split(text, "\n"), line) {
				t.Errorf("digest has no line %q:\n%s", line, text)
			}
		}
	})
}

// memLeases are leases in memory that can be given back (LeaseReleaser),
// and fail while down.
type memLeases struct {
	mu       sync.Mutex
	held     map[string]bool
	released []string
	down     int // the next this many Leases fail
}

func (l *memLeases) Lease(_ context.Context, school, name string, _ time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down > 0 {
		l.down--
		return false, fmt.Errorf("lease: %w", bot.ErrUnavailable)
	}
	if l.held == nil {
		l.held = map[string]bool{}
	}
	if l.held[school+"/"+name] {
		return false, nil
	}
	l.held[school+"/"+name] = true
	return true, nil
}

func (l *memLeases) Release(_ context.Context, school, name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.held, school+"/"+name)
	l.released = append(l.released, school+"/"+name)
	return nil
}

func (l *memLeases) givenBack() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.released)
}

// leaseOnly hides Release: leases that cannot be given back.
type leaseOnly struct{ Leases }

// logBuffer is a log sink several goroutines write to.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// fridayAt is a clock that reads Friday 4 December 2026 at hh:mm when the
// synctest bubble it is made in starts, and runs with the bubble's clock.
func fridayAt(hh, mm int) func() time.Time {
	start, at := time.Now(), ams(2026, 12, 4, hh, mm)
	return func() time.Time { return at.Add(time.Since(start)) }
}

// TestQueueFailureKeepsTheTick: posts that could not be queued (the
// outbox's Redis down) fail the tick, but the replica keeps its lease: no
// other replica posts it, and a run again on this one resumes it without
// the lease; what was queued before is queued again under the same key
// (the outbox takes a key once).
func TestQueueFailureKeepsTheTick(t *testing.T) {
	sc := weeklySchool(t)
	sc.Digest.Channel = ""
	sc.Teams = append(sc.Teams, bot.TeamLink{Platform: slack, Team: "T0DEVAART1"})
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	a := newReplica(t, rdb, prefix, sc, WeeklyOptions{}, mattermost, slack)
	b := newReplica(t, rdb, prefix, sc, WeeklyOptions{}, mattermost, slack)
	ctx := context.Background()
	at := ams(2026, 12, 4, 16, 0)
	a.sent.down = 1 // the first coordinator's digest is not queued
	out, err := a.jobs.RunTick(ctx, sc, bot.JobDigest, at)
	if out != Failed || !errors.Is(err, bot.ErrUnavailable) || errors.Is(err, message.ErrPermanent) {
		t.Fatalf("RunTick with the queue down = %s, %v; want failed, unavailable", out, err)
	}
	if a.sent.attempts() != 2 {
		t.Errorf("%d sends, want one per coordinator, no retries", a.sent.attempts())
	}
	if out, err := b.jobs.RunTick(ctx, sc, bot.JobDigest, at); out != Taken || err != nil {
		t.Errorf("another replica: %s, %v; want taken", out, err)
	}
	if out, err := a.jobs.RunTick(ctx, sc, bot.JobDigest, at); out != Posted || err != nil {
		t.Fatalf("the run again: %s, %v; want posted", out, err)
	}
	keys := map[string]int{}
	for _, m := range a.sent.all() {
		keys[m.Key]++
	}
	if len(keys) != 2 || len(a.sent.all()) != 3 {
		t.Errorf("queued %v; want both coordinators' digests, the one queued before again under its key", keys)
	}
	if out, _ := a.jobs.RunTick(ctx, sc, bot.JobDigest, at); out != Taken {
		t.Errorf("a tick done: %s; want taken", out)
	}
}

// TestFailedTickRunsAgain: a tick that fails when it fires (the queue or
// the lease unavailable) runs again after TickRetry, within the catch-up
// window, and posts once. Time is synctest's: the minutes pass at once.
func TestFailedTickRunsAgain(t *testing.T) {
	for _, tc := range []struct {
		name        string
		queueDown   int
		leasesDown  int
		wantAttempt int // sends before the post
	}{
		{name: "queue down", queueDown: 2, wantAttempt: 3},
		{name: "lease down", leasesDown: 2, wantAttempt: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := weeklySchool(t)
			synctest.Test(t, func(t *testing.T) {
				leases := &memLeases{down: tc.leasesDown}
				// The digest of 16:00 is caught up at 16:05; it fails
				// twice, and posts at the second run again, at 16:07.
				r := newMemReplica(t, sc, WeeklyOptions{Leases: leases, Now: fridayAt(16, 5)})
				r.sent.down = tc.queueDown
				if err := r.jobs.Start(t.Context()); err != nil {
					t.Fatal(err)
				}
				defer r.jobs.Stop()
				time.Sleep(2 * DefaultTickRetry) // the bubble's clock: at once
				synctest.Wait()
				if got := r.sent.all(); len(got) != 1 || got[0].To.Channel != string(bot.JobDigest) {
					t.Fatalf("posted %d messages at 16:07, want the digest once", len(got))
				}
				// Nothing more, up to the end of the catch-up window and
				// beyond.
				time.Sleep(DefaultCatchUp) // the bubble's clock: at once
				synctest.Wait()
				if got := r.sent.all(); len(got) != 1 {
					t.Errorf("posted %d messages by 16:22, want the digest once", len(got))
				}
				if n := r.sent.attempts(); n != tc.wantAttempt {
					t.Errorf("%d sends, want %d", n, tc.wantAttempt)
				}
			})
		})
	}
}

// TestFailedTickGivenUp: a tick that cannot run again within the catch-up
// window is given up, and said so at error level.
func TestFailedTickGivenUp(t *testing.T) {
	sc := weeklySchool(t)
	synctest.Test(t, func(t *testing.T) {
		logs := &logBuffer{}
		r := newMemReplica(t, sc, WeeklyOptions{
			TickRetry: 2 * time.Minute, Now: fridayAt(16, 14), // a minute before the window closes
			Log: slog.New(slog.NewTextHandler(logs, nil)),
		})
		r.sent.down = 1
		if err := r.jobs.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the catch-up run is done
		if !strings.Contains(logs.String(), "weekly tick given up") {
			t.Errorf("no %q in the log:\n%s", "weekly tick given up", logs)
		}
		time.Sleep(DefaultCatchUp) // the bubble's clock: at once
		r.jobs.Stop()
		if n := len(r.sent.all()); n != 0 {
			t.Errorf("posted %d messages, want none", n)
		}
		if strings.Contains(logs.String(), "weekly tick runs again") {
			t.Errorf("the tick was to run again past the window:\n%s", logs)
		}
		if len(r.jobs.held) != 0 {
			t.Errorf("still held: %v, want none", r.jobs.held)
		}
	})
}

// TestStopHandsFailedTickBack: a replica that stops while a failed tick
// waits to run again gives its lease back, so another replica (one that
// starts within the catch-up window) posts it; where leases cannot be
// given back, the tick is reported lost.
func TestStopHandsFailedTickBack(t *testing.T) {
	for _, tc := range []struct {
		name     string
		leases   func(*memLeases) Leases
		want     Outcome
		wantLogs string
	}{
		{name: "given back", leases: func(l *memLeases) Leases { return l }, want: Posted, wantLogs: "weekly tick handed back"},
		{name: "cannot be given back", leases: func(l *memLeases) Leases { return leaseOnly{l} }, want: Taken, wantLogs: "weekly tick lost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := weeklySchool(t)
			synctest.Test(t, func(t *testing.T) {
				mem := &memLeases{}
				logs := &logBuffer{}
				a := newMemReplica(t, sc, WeeklyOptions{
					Leases: tc.leases(mem), Now: fridayAt(16, 5),
					Log: slog.New(slog.NewTextHandler(logs, nil)),
				})
				a.sent.fail = errQueueDown
				if err := a.jobs.Start(t.Context()); err != nil {
					t.Fatal(err)
				}
				synctest.Wait() // the catch-up run failed
				if !strings.Contains(logs.String(), "weekly tick runs again") {
					t.Fatalf("the failed tick is not to run again:\n%s", logs)
				}
				start := time.Now()
				a.jobs.Stop()
				if d := time.Since(start); d > time.Second {
					t.Errorf("Stop took %s: it waited for the run again", d)
				}
				if !strings.Contains(logs.String(), tc.wantLogs) {
					t.Errorf("no %q in the log:\n%s", tc.wantLogs, logs)
				}
				b := newMemReplica(t, sc, WeeklyOptions{Leases: tc.leases(mem)})
				if out, err := b.jobs.RunTick(t.Context(), sc, bot.JobDigest, ams(2026, 12, 4, 16, 0)); out != tc.want || err != nil {
					t.Errorf("another replica's catch-up: %s, %v; want %s", out, err, tc.want)
				}
			})
		})
	}
}

// TestWeeklyPostsShowNoNote plays a week whose requests carry notes (and a
// closing note) that name a child, marks one for the kernteam and runs every
// weekly post: neither the reminder with its agenda, the successes nor the
// digest may show a note.
func TestWeeklyPostsShowNoNote(t *testing.T) {
	sc := weeklySchool(t)
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	r := newReplica(t, rdb, prefix, sc, WeeklyOptions{})
	w := newWeek(t, r.store, sc)
	ctx := context.Background()
	marie := actor("marie")
	for i, note := range []string{"Daan slaat op het plein", "Fleur huilt, ADHD medicatie vergeten"} {
		at := ams(2026, 11, 23+2*i, 9, 0) // monday and wednesday: Anne's mornings alone
		req, err := w.svc.RequestHelp(ctx, at, sc, bot.HelpRequest{From: marie, Group: "5", Note: note})
		if err != nil {
			t.Fatal(err)
		}
		helper := "anne"
		w.accept(helper, req.ID, at.Add(time.Minute))
		if _, err := w.svc.Resolve(ctx, at.Add(5*time.Minute), sc, actor(helper), "Daan rustig gepraat"); err != nil {
			t.Fatal(err)
		}
		if err := r.weekly.MarkForKernteam(ctx, at.Add(6*time.Minute), sc, actor(helper), req.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, job := range bot.Jobs {
		if out, err := r.jobs.RunTick(ctx, sc, job, ams(2026, 11, 27, 15, 0)); err != nil {
			t.Fatalf("%s: %s, %v", job, out, err)
		}
	}
	sent := r.sent.all()
	if len(sent) == 0 {
		t.Fatal("no weekly post sent")
	}
	reminder := false
	for _, m := range sent {
		for _, word := range []string{"Daan", "Fleur", "plein", "ADHD", "medicatie", "rustig gepraat"} {
			if strings.Contains(m.Text, word) {
				t.Errorf("a weekly post to %v shows a note (%q):\n%s", m.To, word, m.Text)
			}
		}
		reminder = reminder || strings.Contains(m.Text, "groep 5, wo 25 nov")
	}
	if !reminder {
		t.Errorf("no post listed the agenda items; the test shows nothing: %v", sent)
	}
}
