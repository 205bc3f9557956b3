package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// Feed refresh: daily, hourly while a feed is failing.
const (
	feedRefresh      = 24 * time.Hour
	feedRetry        = time.Hour
	feedFetchTimeout = 10 * time.Second
)

// HolidayFeeds keeps a calendar filled from the government's school-holiday
// feeds: Load reads them at start, Run reads them again daily. A feed that
// fails keeps the holidays it last gave. Load and Run are not to be called
// at the same time.
type HolidayFeeds struct {
	srcs   []string
	client *http.Client
	cal    *bot.Calendar
	log    *slog.Logger
	good   map[string]map[string][]bot.Holiday // src → region → holidays
}

// NewHolidayFeeds returns the feeds at srcs (file paths or http(s) URLs)
// that fill cal. client fetches the URLs; nil is a client with a
// 10-second timeout.
func NewHolidayFeeds(srcs []string, cal *bot.Calendar, client *http.Client, log *slog.Logger) *HolidayFeeds {
	if client == nil {
		client = &http.Client{Timeout: feedFetchTimeout}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &HolidayFeeds{srcs: srcs, client: client, cal: cal, log: log.With("component", "holidayfeeds"),
		good: map[string]map[string][]bot.Holiday{}}
}

// Load reads every feed once and puts the union of their last good
// holidays in the calendar. fileErr is about feed files (at start, a
// configuration error), urlErr about URLs (a server that may be back soon).
func (f *HolidayFeeds) Load(ctx context.Context) (fileErr, urlErr error) {
	var files, urls []error
	for _, src := range f.srcs {
		lctx, cancel := context.WithTimeout(ctx, feedFetchTimeout)
		m, err := LoadHolidayFeed(lctx, src, f.client)
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

// Run loads the feeds again daily, hourly while one fails (also when one
// failed at the Load before), until ctx ends. With no feeds it returns at
// once.
func (f *HolidayFeeds) Run(ctx context.Context) {
	if len(f.srcs) == 0 {
		return
	}
	wait := feedRefresh
	if len(f.good) < len(f.srcs) {
		wait = feedRetry
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		wait = feedRefresh
		fileErr, urlErr := f.Load(ctx)
		if err := errors.Join(fileErr, urlErr); err != nil && ctx.Err() == nil {
			f.log.Warn("holiday feed refresh failed; keeping what loaded before", "err", err)
			wait = feedRetry
		}
		t.Reset(wait)
	}
}

func isURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}
