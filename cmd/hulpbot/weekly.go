package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
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
	// bot.Shell when the terminal chat runs.
	platforms []bot.Platform
	// feeds are the government's school-holiday feeds (cfg.HolidayFeeds):
	// file paths (must load at start) or URLs (retried when down).
	feeds []string
	log   *slog.Logger
	now   func() time.Time // time.Now when nil; may run ahead (-now)
	// client fetches feed URLs; nil: a client with a 10-second timeout.
	client *http.Client
}

// newWeekly makes the weekly use cases on store, with an empty calendar of
// government holidays that startWeekly fills.
func newWeekly(store *redisstore.Store, log *slog.Logger) *bot.Weekly {
	return bot.NewWeekly(store, bot.NewCalendar(), log)
}

// Feed refresh: daily, hourly while a feed is failing.
const (
	feedRefresh      = 24 * time.Hour
	feedRetry        = time.Hour
	feedFetchTimeout = 10 * time.Second
)

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
	if deps.client == nil {
		deps.client = &http.Client{Timeout: feedFetchTimeout}
	}
	log := deps.log.With("component", "weekly")
	feeds := &feedSet{srcs: deps.feeds, client: deps.client, cal: deps.weekly.Calendar(), good: map[string]map[string][]bot.Holiday{}}
	if fileErr, urlErr := feeds.load(ctx); fileErr != nil {
		return nil, fileErr
	} else if urlErr != nil {
		log.Warn("holiday feed unavailable; retrying hourly", "err", urlErr)
	}

	jobs := scheduler.NewWeekly(scheduler.WeeklyOptions{
		Schools:  deps.dir,
		UseCases: deps.weekly,
		Posts:    catalog.NewWeeklyPosts(deps.weekly, deps.platforms, deps.log),
		Leases:   deps.store,
		Send:     deps.send,
		Now:      deps.now,
		Log:      deps.log,
	})
	if err := jobs.Start(ctx); err != nil {
		return nil, err
	}

	refreshCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if len(deps.feeds) > 0 {
		wg.Go(func() { feeds.refresh(refreshCtx, log) })
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			jobs.Stop()
		})
	}, nil
}

// feedSet keeps the last good holidays of each feed and puts their union
// in the calendar.
type feedSet struct {
	srcs   []string
	client *http.Client
	cal    *bot.Calendar
	good   map[string]map[string][]bot.Holiday // src → region → holidays
}

// load reads every feed once; fileErr is about feed files, urlErr about
// URLs.
func (f *feedSet) load(ctx context.Context) (fileErr, urlErr error) {
	var files, urls []error
	for _, src := range f.srcs {
		lctx, cancel := context.WithTimeout(ctx, feedFetchTimeout)
		m, err := scheduler.LoadHolidayFeed(lctx, src, f.client)
		cancel()
		switch {
		case err == nil:
			f.good[src] = m
		case isURL(src):
			urls = append(urls, err)
		default:
			files = append(files, fmt.Errorf("holiday_feeds: %w", err))
		}
	}
	all := map[string][]bot.Holiday{}
	for _, src := range slices.Sorted(maps.Keys(f.good)) {
		for r, hs := range f.good[src] {
			all[r] = append(all[r], hs...)
		}
	}
	f.cal.Set(all)
	return errors.Join(files...), errors.Join(urls...)
}

// refresh reloads the feeds daily, hourly while one fails, until ctx ends.
func (f *feedSet) refresh(ctx context.Context, log *slog.Logger) {
	wait := feedRefresh
	if len(f.good) < len(f.srcs) {
		wait = feedRetry
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		fileErr, urlErr := f.load(ctx)
		if err := errors.Join(fileErr, urlErr); err != nil && ctx.Err() == nil {
			log.Warn("holiday feed refresh failed; keeping what loaded before", "err", err)
			wait = feedRetry
			continue
		}
		wait = feedRefresh
	}
}

func isURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}
