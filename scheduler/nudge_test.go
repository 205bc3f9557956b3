package scheduler

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

// TestNudgeOnceAcrossReplicas: three replicas run Thursday's nudge "Wat
// ging er goed deze week?" in the team's channel: it goes out once, in a
// week without stories too, and not at all in a holiday.
func TestNudgeOnceAcrossReplicas(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	sc := weeklySchool(t)
	sc.Successes = bot.Successes{Channel: "team"}
	sc.Holidays = []bot.Holiday{{First: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Last: time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)}}
	if spec, ok := sc.JobSpec(bot.JobNudge); !ok || spec != "0 14 * * THU" {
		t.Fatalf("nudge spec %q, %v; want Thursday 14:00 by default", spec, ok)
	}
	reps := make([]*replica, 3)
	for i := range reps {
		reps[i] = newReplica(t, rdb, prefix, sc, WeeklyOptions{})
	}
	ctx := context.Background()
	run := func(at time.Time) []Outcome {
		out := make([]Outcome, len(reps))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, r := range reps {
			wg.Go(func() {
				<-start
				o, err := r.jobs.RunTick(ctx, sc, bot.JobNudge, at)
				if err != nil {
					t.Errorf("replica %d at %s: %v", i, at, err)
				}
				out[i] = o
			})
		}
		close(start)
		wg.Wait()
		slices.Sort(out)
		return out
	}
	if got := run(ams(2026, 12, 3, 14, 0)); !slices.Equal(got, []Outcome{Posted, Taken, Taken}) {
		t.Errorf("Thursday in a school week: %v; want one posted", got)
	}
	if got := run(ams(2026, 12, 10, 14, 0)); slices.Contains(got, Posted) {
		t.Errorf("Thursday in a holiday: %v; want nothing posted", got)
	}
	var sent []string
	for _, r := range reps {
		for _, m := range r.sent.all() {
			sent = append(sent, m.To.Channel+": "+m.Text)
		}
	}
	if len(sent) != 1 || !strings.HasPrefix(sent[0], "team: 🌱 Wat ging er goed deze week?") {
		t.Errorf("sent %q; want the nudge once, in the team's channel", sent)
	}

	sc.Successes.Nudge = bot.NudgeOff
	if _, ok := sc.JobSpec(bot.JobNudge); ok {
		t.Error("the nudge runs while off")
	}
}
