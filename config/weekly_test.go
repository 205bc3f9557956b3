package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

func TestDirectoryWeeklyRhythm(t *testing.T) {
	c, err := Load("example.yaml", env(exampleEnv))
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Directory()
	if err != nil {
		t.Fatal(err)
	}
	s := d.Schools()[0]
	if want := (bot.Kernteam{Channel: "kernteam", Reminder: "15 8 * * MON", Meeting: "donderdag 14:00"}); s.Kernteam != want {
		t.Errorf("Kernteam = %+v; want %+v", s.Kernteam, want)
	}
	if want := (bot.Digest{Cron: "0 16 * * FRI", Channel: "coordinatie"}); s.Digest != want {
		t.Errorf("Digest = %+v; want %+v", s.Digest, want)
	}
	if s.HolidayRegion != "midden" {
		t.Errorf("HolidayRegion = %q; want midden", s.HolidayRegion)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	want := []bot.Holiday{{First: day(2026, 10, 12), Last: day(2026, 10, 12)}, {First: day(2026, 12, 19), Last: day(2027, 1, 3)}}
	if len(s.Holidays) != len(want) || s.Holidays[0] != want[0] || s.Holidays[1] != want[1] {
		t.Errorf("Holidays = %+v; want %+v", s.Holidays, want)
	}
	if len(c.HolidayFeeds) != 0 {
		t.Errorf("the example's holiday_feeds = %v; want none (it documents a URL in a comment)", c.HolidayFeeds)
	}
}

func TestValidateHolidayFeeds(t *testing.T) {
	c := Demo()
	c.HolidayFeeds = []string{
		"https://opendata.rijksoverheid.nl/v1/infotypes/schoolholidays/schoolyear/2026-2027?output=json",
		"/etc/hulpbot/vakanties-2026-2027.json",
		"",
		"ftp://example.org/feed.json",
		"https:///no-host",
	}
	err := c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v; want a *ValidationError", err)
	}
	var fields []string
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	if got := strings.Join(fields, ","); got != "holiday_feeds[2],holiday_feeds[3],holiday_feeds[4]" {
		t.Errorf("problems at %s; want the empty feed, the ftp URL and the URL without a host", got)
	}
}
