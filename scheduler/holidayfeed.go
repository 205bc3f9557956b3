package scheduler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // the feed's days are days in Europe/Amsterdam, on any machine

	"github.com/hulpbot/hulpbot/bot"
)

// The government's school holidays as open data (opendata.rijksoverheid.nl,
// infotype schoolholidays, output=json): a document per school year, or a
// list of them, shaped
//
//	{"content": [{"schoolyear": "2026-2027", "vacations": [
//	  {"type": "Herfstvakantie", "compulsorydates": "false", "regions": [
//	    {"region": "noord", "startdate": "2026-10-10T00:00:00.000Z", "enddate": "2026-10-18T21:59:00.000Z"},
//	    …]},
//	  {"type": "Kerstvakantie", "regions": [{"region": "heel Nederland", …}]}]}]}
//
// The times are Dutch calendar days written in UTC: a start at 00:00Z and
// an end at 21:59Z (summer) or 22:59Z (winter) are the first and last day
// in Amsterdam. So each time is read in Europe/Amsterdam and its date
// taken; a bare date ("2026-10-17") is taken as it is.

// MaxHolidayFeed caps what LoadHolidayFeed reads: a school year's feed is
// a few kilobytes.
const MaxHolidayFeed = 4 << 20

// feedDoc is one document of the feed; only the fields hulpbot reads.
type feedDoc struct {
	Content []struct {
		SchoolYear string `json:"schoolyear"`
		Vacations  []struct {
			Type    string `json:"type"`
			Regions []struct {
				Region    string `json:"region"`
				StartDate string `json:"startdate"`
				EndDate   string `json:"enddate"`
			} `json:"regions"`
		} `json:"vacations"`
	} `json:"content"`
}

// ParseHolidayFeed reads the feed (one document or a list of them) into
// holidays per region: noord, midden, zuid, and bot.RegionAll for those of
// "heel Nederland". Region names are lower-cased and trimmed; an unknown
// region is kept under its own name (no school asks for it). A date that
// does not parse or a holiday that ends before it starts is an error.
func ParseHolidayFeed(data []byte) (map[string][]bot.Holiday, error) {
	data = bytes.TrimSpace(data)
	var docs []feedDoc
	switch {
	case len(data) > 0 && data[0] == '[':
		if err := json.Unmarshal(data, &docs); err != nil {
			return nil, fmt.Errorf("holiday feed: %w", err)
		}
	default:
		var d feedDoc
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("holiday feed: %w", err)
		}
		docs = []feedDoc{d}
	}
	out := map[string][]bot.Holiday{}
	n := 0
	for _, d := range docs {
		for _, c := range d.Content {
			for _, v := range c.Vacations {
				name := strings.Join(strings.Fields(v.Type), " ")
				for _, r := range v.Regions {
					region := strings.ToLower(strings.Join(strings.Fields(r.Region), " "))
					if region == "" {
						return nil, fmt.Errorf("holiday feed: %s %s: no region", c.SchoolYear, name)
					}
					first, err := feedDate(r.StartDate)
					if err != nil {
						return nil, fmt.Errorf("holiday feed: %s %s %s: start: %w", c.SchoolYear, name, region, err)
					}
					last, err := feedDate(r.EndDate)
					if err != nil {
						return nil, fmt.Errorf("holiday feed: %s %s %s: end: %w", c.SchoolYear, name, region, err)
					}
					if last.Before(first) {
						return nil, fmt.Errorf("holiday feed: %s %s %s: ends before it starts", c.SchoolYear, name, region)
					}
					out[region] = append(out[region], bot.Holiday{First: first, Last: last, Name: name})
					n++
				}
			}
		}
	}
	if n == 0 {
		return nil, errors.New("holiday feed: no holidays in it")
	}
	return out, nil
}

// amsterdam is the time zone the feed's days are Dutch days in.
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic("scheduler: no time zone data for Europe/Amsterdam: import time/tzdata")
	}
	return loc
}()

// feedDate reads a start or end of the feed as a date (midnight UTC).
func feedDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like 2026-10-17T00:00:00.000Z", s)
	}
	l := t.In(amsterdam)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC), nil
}

// LoadHolidayFeed reads the feed from src, a file path or an http(s) URL,
// and parses it. A URL is fetched with client (http.DefaultClient when nil)
// within ctx.
func LoadHolidayFeed(ctx context.Context, src string, client *http.Client) (map[string][]bot.Holiday, error) {
	var (
		data []byte
		err  error
	)
	if isURL(src) {
		data, err = fetch(ctx, src, client)
	} else {
		data, err = readFile(src)
	}
	if err != nil {
		return nil, err
	}
	return ParseHolidayFeed(data)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("holiday feed: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxHolidayFeed+1))
	if err != nil {
		return nil, fmt.Errorf("holiday feed %s: %w", path, err)
	}
	if len(data) > MaxHolidayFeed {
		return nil, fmt.Errorf("holiday feed %s: larger than %d bytes", path, MaxHolidayFeed)
	}
	return data, nil
}

func fetch(ctx context.Context, url string, client *http.Client) ([]byte, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("holiday feed: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("holiday feed: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("holiday feed %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxHolidayFeed+1))
	if err != nil {
		return nil, fmt.Errorf("holiday feed %s: %w", url, err)
	}
	if len(data) > MaxHolidayFeed {
		return nil, fmt.Errorf("holiday feed %s: larger than %d bytes", url, MaxHolidayFeed)
	}
	return data, nil
}

// LoadHolidayFeeds loads every feed and merges them by region. It returns
// what it could load and the errors of the feeds it could not.
func LoadHolidayFeeds(ctx context.Context, srcs []string, client *http.Client) (map[string][]bot.Holiday, error) {
	out := map[string][]bot.Holiday{}
	var errs []error
	for _, src := range srcs {
		m, err := LoadHolidayFeed(ctx, src, client)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for r, hs := range m {
			out[r] = append(out[r], hs...)
		}
	}
	return out, errors.Join(errs...)
}
