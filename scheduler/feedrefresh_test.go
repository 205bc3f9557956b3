package scheduler

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// feedSite is the government's open-data site as a transport: down (503)
// or serving body; it counts the fetches.
type feedSite struct {
	mu      sync.Mutex
	body    string // "" is down
	fetches int
}

func (s *feedSite) serve(body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = body
}

func (s *feedSite) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func (s *feedSite) RoundTrip(*http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fetches++
	if s.body == "" {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Body: http.NoBody}, nil
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Body: io.NopCloser(strings.NewReader(s.body))}, nil
}

// studiedagen is a feed with n one-day holidays in midden.
func studiedagen(n int) string {
	var regions []string
	for i := range n {
		d := time.Date(2027, 3, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		regions = append(regions, `{"region":"midden","startdate":"`+d+`","enddate":"`+d+`"}`)
	}
	return `{"content":[{"vacations":[{"type":"Studiedag","regions":[` + strings.Join(regions, ",") + `]}]}]}`
}

// TestHolidayFeedsRun: a feed URL that is down at start is tried again
// hourly; once it answers, daily; a refresh that fails keeps what loaded
// before; Run ends with its context. Time is synctest's, so the days pass
// at once.
func TestHolidayFeedsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		site := &feedSite{}
		cal := bot.NewCalendar()
		var logs bytes.Buffer
		f := NewHolidayFeeds([]string{feedFile, "https://opendata.example/schoolvakanties"}, cal,
			&http.Client{Transport: site}, slog.New(slog.NewTextHandler(&logs, nil)))
		sc := &bot.School{ID: "de-vaart", HolidayRegion: "midden"}
		// The file has 3 holidays in midden and 2 nationwide.
		holidays := func() int { return len(cal.Holidays(sc)) }

		fileErr, urlErr := f.Load(t.Context())
		if fileErr != nil || urlErr == nil {
			t.Fatalf("Load with the site down = %v, %v; want only a URL error", fileErr, urlErr)
		}
		if got := holidays(); got != 5 {
			t.Fatalf("holidays after Load = %d, want the file's 5", got)
		}

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); f.Run(ctx) }()
		step := func(d time.Duration) { time.Sleep(d); synctest.Wait() }
		for _, tc := range []struct {
			after    time.Duration
			site     string // what the site serves from then on; "" is down
			fetches  int
			holidays int
		}{
			{after: feedRetry - time.Minute, site: studiedagen(1), fetches: 1, holidays: 5}, // not yet
			{after: time.Minute, site: studiedagen(2), fetches: 2, holidays: 6},             // an hour after the failure
			{after: feedRetry, site: studiedagen(2), fetches: 2, holidays: 6},               // now daily
			{after: feedRefresh - feedRetry, site: "", fetches: 3, holidays: 7},             // a day after
			{after: feedRefresh, fetches: 4, holidays: 7},                                   // down: what loaded before holds
			{after: feedRetry, site: studiedagen(1), fetches: 5, holidays: 7},               // hourly again
			{after: feedRetry, fetches: 6, holidays: 6},
		} {
			step(tc.after)
			if got := site.count(); got != tc.fetches {
				t.Errorf("at %s: %d fetches, want %d", time.Now().UTC().Format(time.DateTime), got, tc.fetches)
			}
			if got := holidays(); got != tc.holidays {
				t.Errorf("at %s: %d holidays, want %d", time.Now().UTC().Format(time.DateTime), got, tc.holidays)
			}
			site.serve(tc.site)
		}
		if !strings.Contains(logs.String(), "holiday feed refresh failed") {
			t.Errorf("a failed refresh was not logged; logs:\n%s", logs.String())
		}

		cancel()
		<-done
	})
}

// TestHolidayFeedsWithoutFeeds: Run returns at once when there is nothing
// to refresh, and Load leaves an empty calendar.
func TestHolidayFeedsWithoutFeeds(t *testing.T) {
	cal := bot.NewCalendar()
	f := NewHolidayFeeds(nil, cal, nil, nil)
	if fileErr, urlErr := f.Load(t.Context()); fileErr != nil || urlErr != nil {
		t.Errorf("Load = %v, %v", fileErr, urlErr)
	}
	f.Run(t.Context()) // returns
	if hs := cal.Holidays(&bot.School{HolidayRegion: "midden"}); len(hs) != 0 {
		t.Errorf("holidays = %v, want none", hs)
	}
}

// TestHolidayFeedsMissingFile: a feed file that does not load is a
// configuration error, told apart from a URL that does not answer.
func TestHolidayFeedsMissingFile(t *testing.T) {
	f := NewHolidayFeeds([]string{"testdata/missing.json"}, bot.NewCalendar(), nil, nil)
	fileErr, urlErr := f.Load(t.Context())
	if fileErr == nil || !strings.Contains(fileErr.Error(), "holiday_feeds") || urlErr != nil {
		t.Errorf("Load = %v, %v; want a holiday_feeds file error", fileErr, urlErr)
	}
}
