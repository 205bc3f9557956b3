package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
	"github.com/hulpbot/hulpbot/scheduler"
)

// weeklyDeps is what the weekly rhythm is wired with.
type weeklyDeps struct {
	dir *bot.Directory
	// weekly are the weekly use cases, shared with the handlers (digest on
	// demand, "Hielp het?"): make it with newWeekly before handlers.New.
	// nil makes one here.
	weekly *bot.Weekly
	store  *redisstore.Store // the leases that make each tick run once
	send   message.Sender    // posts go out through it
	// platforms are those hulpbot posts on: the configured ones, and
	// shell.Platform when the terminal chat runs.
	platforms []bot.Platform
	// feeds are the government's school-holiday feeds (cfg.HolidayFeeds):
	// file paths (must load at start) or URLs (retried when down).
	feeds []string
	log   *slog.Logger
	now   func() time.Time // time.Now when nil; may run ahead (-now)
	// client fetches feed URLs; nil: a client with a 10-second timeout.
	client *http.Client
	// langs knows each person's language: a post to one person is in it.
	// nil: every post in the school's language.
	langs catalog.PersonLanguages
}

// newWeekly makes the weekly use cases on store, with an empty calendar of
// government holidays that startWeekly fills.
func newWeekly(store *redisstore.Store, log *slog.Logger) *bot.Weekly {
	return bot.NewWeekly(store, bot.NewCalendar(), log)
}

// startWeekly loads the school-holiday feeds and starts the weekly jobs
// (kernteam reminder, success stories, digest) for every school. A feed
// file that does not load is an error; a feed URL that does not answer is
// logged and tried again hourly. stop stops the jobs (letting a running
// post finish) and the feed refresh; call it before Redis closes.
func startWeekly(ctx context.Context, deps weeklyDeps) (stop func(), err error) {
	if deps.log == nil {
		deps.log = slog.New(slog.DiscardHandler)
	}
	if deps.now == nil {
		deps.now = time.Now
	}
	if deps.weekly == nil {
		deps.weekly = newWeekly(deps.store, deps.log)
	}
	feeds := scheduler.NewHolidayFeeds(deps.feeds, deps.weekly.Calendar(), deps.client, deps.log)
	if fileErr, urlErr := feeds.Load(ctx); fileErr != nil {
		return nil, fileErr
	} else if urlErr != nil {
		deps.log.Warn("holiday feed unavailable; retrying hourly", "component", "weekly", "err", urlErr)
	}

	jobs := scheduler.NewWeeklyJobs(scheduler.WeeklyOptions{
		Schools:  deps.dir,
		UseCases: deps.weekly,
		Posts: catalog.NewWeeklyPosts(deps.weekly, deps.platforms, deps.store.Pseudonyms(), deps.log).
			WithSurveys(bot.NewSurveyRuns(deps.store, deps.log)).
			// "Vandaag op school" leaves out who is away all day: it reads
			// the helpers' states only.
			WithPresence(bot.NewService(deps.store, nil, deps.log)).
			WithLanguages(deps.langs),
		Leases: deps.store,
		Send:   deps.send,
		Now:    deps.now,
		Log:    deps.log,
	})
	if err := jobs.Start(ctx); err != nil {
		return nil, err
	}

	stopFeeds := goUntilStopped(context.WithoutCancel(ctx), feeds.Run)
	var once sync.Once
	return func() {
		once.Do(func() {
			stopFeeds()
			jobs.Stop()
		})
	}, nil
}
