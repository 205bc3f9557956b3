package scheduler

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

const feedFile = "testdata/schoolvakanties-2026-2027.json"

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseHolidayFeed(t *testing.T) {
	data, err := os.ReadFile(feedFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseHolidayFeed(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]bot.Holiday{
		"noord": {
			// 21:59Z in October is 23:59 summer time: the 18th is the last day.
			{First: day(2026, 10, 10), Last: day(2026, 10, 18), Name: "Herfstvakantie"},
			{First: day(2027, 2, 20), Last: day(2027, 2, 28), Name: "Voorjaarsvakantie"},
			{First: day(2027, 7, 10), Last: day(2027, 8, 22), Name: "Zomervakantie"},
		},
		"midden": {
			// 22:59Z on 25 October is 23:59 winter time.
			{First: day(2026, 10, 17), Last: day(2026, 10, 25), Name: "Herfstvakantie"},
			{First: day(2027, 2, 20), Last: day(2027, 2, 28), Name: "Voorjaarsvakantie"},
			{First: day(2027, 7, 17), Last: day(2027, 8, 29), Name: "Zomervakantie"},
		},
		"zuid": {
			{First: day(2026, 10, 17), Last: day(2026, 10, 25), Name: "Herfstvakantie"},
			{First: day(2027, 2, 13), Last: day(2027, 2, 21), Name: "Voorjaarsvakantie"},
			{First: day(2027, 7, 24), Last: day(2027, 9, 5), Name: "Zomervakantie"},
		},
		bot.RegionAll: {
			{First: day(2026, 12, 19), Last: day(2027, 1, 3), Name: "Kerstvakantie"},
			{First: day(2027, 4, 24), Last: day(2027, 5, 2), Name: "Meivakantie"},
		},
	}
	if len(got) != len(want) {
		t.Errorf("regions = %d; want %d", len(got), len(want))
	}
	for r, hs := range want {
		if len(got[r]) != len(hs) {
			t.Errorf("%s: %d holidays %v; want %d", r, len(got[r]), got[r], len(hs))
			continue
		}
		for i := range hs {
			if got[r][i] != hs[i] {
				t.Errorf("%s[%d] = %+v; want %+v", r, i, got[r][i], hs[i])
			}
		}
	}

	// Through the calendar: a school in midden is closed in its autumn
	// holiday and at Christmas, not in noord's autumn holiday.
	cal := bot.NewCalendar()
	cal.Set(got)
	sc := &bot.School{ID: "de-vaart", Location: amsterdam, HolidayRegion: "midden"}
	hs := cal.Holidays(sc)
	for _, tt := range []struct {
		at     time.Time
		closed bool
	}{
		{time.Date(2026, 10, 12, 8, 15, 0, 0, amsterdam), false}, // noord is off
		{time.Date(2026, 10, 19, 8, 15, 0, 0, amsterdam), true},
		{time.Date(2026, 10, 26, 8, 15, 0, 0, amsterdam), false},
		{time.Date(2027, 1, 1, 16, 0, 0, 0, amsterdam), true},
		{time.Date(2027, 1, 4, 8, 15, 0, 0, amsterdam), false},
	} {
		if _, closed := bot.ClosedOn(tt.at, hs); closed != tt.closed {
			t.Errorf("closed at %s = %v; want %v", tt.at.Format(time.RFC3339), closed, tt.closed)
		}
	}
}

func TestParseHolidayFeedShapes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		region  string
		want    bot.Holiday
		wantErr string
	}{
		{name: "a list of school years", region: "zuid", want: bot.Holiday{First: day(2027, 5, 1), Last: day(2027, 5, 9), Name: "Meivakantie"},
			in: `[{"content":[{"vacations":[{"type":"Meivakantie","regions":[{"region":" Zuid ","startdate":"2027-05-01T00:00:00.000Z","enddate":"2027-05-09T21:59:00.000Z"}]}]}]}]`},
		{name: "bare dates", region: "noord", want: bot.Holiday{First: day(2026, 10, 17), Last: day(2026, 10, 17), Name: "x"},
			in: `{"content":[{"vacations":[{"type":"x","regions":[{"region":"noord","startdate":"2026-10-17","enddate":"2026-10-17"}]}]}]}`},
		{name: "local midnight written in UTC", region: "midden", want: bot.Holiday{First: day(2026, 10, 17), Last: day(2026, 10, 25), Name: "x"},
			in: `{"content":[{"vacations":[{"type":"x","regions":[{"region":"midden","startdate":"2026-10-16T22:00:00Z","enddate":"2026-10-25T23:00:00+01:00"}]}]}]}`},
		{name: "not JSON", in: `<html>`, wantErr: "holiday feed"},
		{name: "empty", in: ``, wantErr: "holiday feed"},
		{name: "no holidays", in: `{"content":[]}`, wantErr: "no holidays"},
		{name: "bad date", in: `{"content":[{"vacations":[{"type":"x","regions":[{"region":"noord","startdate":"17-10-2026","enddate":"2026-10-25"}]}]}]}`, wantErr: "start"},
		{name: "ends before it starts", in: `{"content":[{"vacations":[{"type":"x","regions":[{"region":"noord","startdate":"2026-10-25","enddate":"2026-10-17"}]}]}]}`, wantErr: "ends before"},
		{name: "no region", in: `{"content":[{"vacations":[{"type":"x","regions":[{"startdate":"2026-10-25","enddate":"2026-10-27"}]}]}]}`, wantErr: "no region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHolidayFeed([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseHolidayFeed = %v, %v; want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if hs := got[tt.region]; len(hs) != 1 || hs[0] != tt.want {
				t.Errorf("%s = %+v; want [%+v]", tt.region, hs, tt.want)
			}
		})
	}
}

func TestLoadHolidayFeed(t *testing.T) {
	data, err := os.ReadFile(feedFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/infotypes/schoolholidays/schoolyear/2026-2027":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(data)
		case "/huge":
			_, _ = w.Write(make([]byte, MaxHolidayFeed+1))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	fromURL, err := LoadHolidayFeed(ctx, srv.URL+"/v1/infotypes/schoolholidays/schoolyear/2026-2027?output=json", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := LoadHolidayFeed(ctx, feedFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromURL["midden"]) != 3 || len(fromFile["midden"]) != 3 || fromURL["midden"][0] != fromFile["midden"][0] {
		t.Errorf("URL %v and file %v differ", fromURL["midden"], fromFile["midden"])
	}
	for _, src := range []string{srv.URL + "/gone", srv.URL + "/huge", filepath.Join(t.TempDir(), "missing.json")} {
		if _, err := LoadHolidayFeed(ctx, src, srv.Client()); err == nil {
			t.Errorf("LoadHolidayFeed(%s): no error", src)
		}
	}
	merged, err := LoadHolidayFeeds(ctx, []string{feedFile, srv.URL + "/gone", feedFile}, srv.Client())
	if err == nil || len(merged["midden"]) != 6 {
		t.Errorf("LoadHolidayFeeds = %d midden holidays, %v; want both copies and the error of the missing one", len(merged["midden"]), err)
	}
}

// FuzzParseHolidayFeed: any feed is holidays per region, each a span of
// dates, or an error. The seeds are small (the test feed cut to two
// holidays), so the fuzzer's minimizing of what it finds stays quick and
// it fuzzes; the whole feed is TestParseHolidayFeed's.
func FuzzParseHolidayFeed(f *testing.F) {
	f.Add(smallFeed(f))
	f.Add([]byte(`[{"content":[{"vacations":[{"type":"x","regions":[{"region":"noord","startdate":"2026-10-17","enddate":"2026-10-17"}]}]}]}]`))
	f.Add([]byte(`{"content":[{"vacations":[{"regions":[{"region":"heel Nederland","startdate":"2026-12-19T00:00:00.000Z","enddate":"2027-01-03T22:59:00.000Z"}]}]}]}`))
	f.Add([]byte(`{"content":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"content":[{"vacations":[{"regions":[{"region":"zuid","startdate":"9999-12-31T23:59:59Z","enddate":"0000-01-01T00:00:00Z"}]}]}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := ParseHolidayFeed(in)
		if err != nil {
			if got != nil {
				t.Errorf("an error (%v) with holidays %v", err, got)
			}
			return
		}
		if len(got) == 0 {
			t.Error("no error and no holidays")
		}
		for r, hs := range got {
			if r == "" || r != strings.ToLower(r) || strings.TrimSpace(r) != r {
				t.Errorf("region %q is not trimmed lower case", r)
			}
			for _, h := range hs {
				if h.Last.Before(h.First) {
					t.Errorf("%s: %+v ends before it starts", r, h)
				}
				for _, d := range []time.Time{h.First, h.Last} {
					if d.Location() != time.UTC || d.Hour()+d.Minute()+d.Second()+d.Nanosecond() != 0 {
						t.Errorf("%s: %v is not a date", r, d)
					}
				}
			}
		}
	})
}

// smallFeed is the test feed cut to its first two holidays and to the
// fields ParseHolidayFeed reads.
func smallFeed(f *testing.F) []byte {
	data, err := os.ReadFile(feedFile)
	if err != nil {
		f.Fatal(err)
	}
	var d feedDoc
	if err := json.Unmarshal(data, &d); err != nil || len(d.Content) == 0 || len(d.Content[0].Vacations) < 2 {
		f.Fatalf("%s: %v", feedFile, err)
	}
	d.Content = d.Content[:1]
	d.Content[0].Vacations = d.Content[0].Vacations[:2]
	b, err := json.Marshal(d)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
