package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

// TestConsultDeadlinesOnceAcrossReplicas: three replicas sweep at the same
// moments. A consult asked on Monday and not answered reminds its helper
// once at the end of Tuesday, and goes on the kernteam's agenda once at
// the end of Wednesday.
func TestConsultDeadlinesOnceAcrossReplicas(t *testing.T) {
	sc := school(t, "anne")
	sc.Helpers[0].Role = bot.RoleCJGCoach
	dir, err := bot.NewDirectory([]*bot.School{sc})
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	var sweepers []*Sweeper
	var store *redisstore.Store
	var svc *bot.Service
	for range 3 {
		store = redisstore.New(rdb, prefix, quiet)
		svc = bot.NewService(store, nil, quiet)
		sw := NewSweeper(dir, svc, time.Now, time.Hour, quiet)
		sw.UseDueIndex(store)
		sweepers = append(sweepers, sw)
	}
	ctx := context.Background()
	monday := time.Date(2026, 11, 23, 10, 0, 0, 0, sc.Location)
	r, err := svc.Consult(ctx, monday, sc, bot.HelpRequest{From: bot.Actor{Address: bot.Address{Platform: shell, Handle: "juf.marie"}}, Group: "5", Note: "zorgen over de sfeer"})
	if err != nil {
		t.Fatal(err)
	}
	tuesdayEnd := time.Date(2026, 11, 24, 17, 0, 0, 0, sc.Location)
	if !r.Deadline.Equal(tuesdayEnd) {
		t.Fatalf("due %s; want the end of Tuesday", r.Deadline)
	}
	sweepAll := func(now time.Time) {
		var wg sync.WaitGroup
		for _, s := range sweepers {
			wg.Go(func() {
				if _, err := s.Sweep(ctx, now); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	stats := func() map[string]int64 {
		st, err := store.WeekStats(ctx, sc.ID, "2026-W48")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	sweepAll(tuesdayEnd.Add(-time.Second))
	if st := stats(); st[bot.CountConsultsReminded] != 0 {
		t.Fatalf("reminded before the deadline: %v", st)
	}
	sweepAll(tuesdayEnd)
	sweepAll(tuesdayEnd.Add(time.Second))
	if st := stats(); st[bot.CountConsultsReminded] != 1 || st[bot.CountConsultsToAgenda] != 0 {
		t.Errorf("after Tuesday: %v; want one reminder", st)
	}
	wednesdayEnd := time.Date(2026, 11, 25, 17, 0, 0, 0, sc.Location)
	sweepAll(wednesdayEnd)
	sweepAll(wednesdayEnd.Add(time.Minute))
	if st := stats(); st[bot.CountConsultsReminded] != 1 || st[bot.CountConsultsToAgenda] != 1 || st[bot.CountConsults] != 1 || st[bot.CountRequests] != 0 {
		t.Errorf("after Wednesday: %v; want on the agenda once, counted apart from requests", st)
	}
	themes, err := store.AgendaThemes(ctx, sc.ID)
	if err != nil || len(themes) != 1 || themes[0].ConsultID != r.ID {
		t.Errorf("agenda = %+v, %v; want the consult once", themes, err)
	}
}
