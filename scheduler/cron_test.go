package scheduler

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/hulpbot/hulpbot/bot"
)

func mustCron(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := ParseCron(spec, amsterdam)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ams(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, amsterdam)
}

func TestCronRunsInSchoolTime(t *testing.T) {
	tests := []struct {
		name string
		spec string
		from time.Time
		want time.Time // as UTC, so the offset is checked too
	}{
		{"monday reminder after summer time starts", "15 8 * * MON", ams(2026, 3, 27, 12, 0), time.Date(2026, 3, 30, 6, 15, 0, 0, time.UTC)},
		{"monday reminder before it", "15 8 * * MON", ams(2026, 3, 20, 12, 0), time.Date(2026, 3, 23, 7, 15, 0, 0, time.UTC)},
		{"monday reminder after winter time starts", "15 8 * * MON", ams(2026, 10, 23, 12, 0), time.Date(2026, 10, 26, 7, 15, 0, 0, time.UTC)},
		{"friday digest before it", "0 16 * * FRI", ams(2026, 10, 19, 12, 0), time.Date(2026, 10, 23, 14, 0, 0, 0, time.UTC)},
		{"friday digest across the year", "0 16 * * FRI", ams(2026, 12, 31, 9, 0), time.Date(2027, 1, 1, 15, 0, 0, 0, time.UTC)},
		{"strictly after a tick", "0 16 * * FRI", ams(2026, 12, 25, 16, 0), time.Date(2027, 1, 1, 15, 0, 0, 0, time.UTC)},
		// robfig/cron skips a wall-clock time that does not exist: 02:30 on
		// the last Sunday of March. (The weekly jobs run at 08:15 and 16:00.)
		{"02:30 in the spring gap is skipped", "30 2 * * SUN", ams(2026, 3, 28, 12, 0), time.Date(2026, 4, 5, 0, 30, 0, 0, time.UTC)},
		// … and fires twice at a wall-clock time that happens twice; the
		// lease, keyed by wall-clock time, posts once (TestRepeatedHourPostsOnce).
		{"02:30 in October, first", "30 2 * * SUN", ams(2026, 10, 24, 12, 0), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"02:30 in October, again", "30 2 * * SUN", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The time zone of from does not matter: the schedule is pinned.
			for _, from := range []time.Time{tt.from, tt.from.UTC()} {
				if got := mustCron(t, tt.spec).Next(from); !got.Equal(tt.want) {
					t.Errorf("Next(%s) = %s; want %s", from.Format(time.RFC3339), got.UTC().Format(time.RFC3339), tt.want.Format(time.RFC3339))
				}
			}
		})
	}
}

// TestWhichJobsFireWhen lists every tick of a school's reminder and digest
// from October 2026 to mid January 2027 — across the autumn holiday (region
// midden, from the feed), a studiedag, the end of summer time, Christmas and
// the ISO week and year boundary — and around the start of summer time in
// March 2027, with what each does.
func TestWhichJobsFireWhen(t *testing.T) {
	data, err := os.ReadFile(feedFile)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := ParseHolidayFeed(data)
	if err != nil {
		t.Fatal(err)
	}
	cal := bot.NewCalendar()
	cal.Set(feed)
	sc := &bot.School{
		ID: "de-vaart", Location: amsterdam, FallbackChannel: "kernteam", HolidayRegion: "midden",
		Kernteam: bot.Kernteam{Channel: "kernteam", Reminder: "15 8 * * MON", Meeting: "donderdag 14:00"},
		Digest:   bot.Digest{Cron: "0 16 * * FRI", Channel: "coordinatie"},
		Holidays: []bot.Holiday{{First: day(2026, 10, 12), Last: day(2026, 10, 12)}}, // studiedag
	}
	holidays := cal.Holidays(sc)
	var got []string
	for _, window := range [][2]time.Time{
		{ams(2026, 10, 1, 0, 0), ams(2027, 1, 15, 12, 0)},
		// Summer time starts on Sunday 28 March 2027.
		{ams(2027, 3, 20, 0, 0), ams(2027, 4, 3, 0, 0)},
	} {
		for _, job := range []bot.Job{bot.JobReminder, bot.JobDigest} {
			spec, ok := sc.JobSpec(job)
			if !ok {
				t.Fatalf("%s does not run", job)
			}
			s := mustCron(t, spec)
			for at := s.Next(window[0]); at.Before(window[1]); at = s.Next(at) {
				tick := bot.PlanTick(sc, job, at, holidays)
				line := fmt.Sprintf("%s %s %s", job, at.In(amsterdam).Format("Mon 2006-01-02 15:04 -0700"), tick.Week)
				if tick.Closed {
					line += " closed " + cmpOr(tick.Holiday.Name, "studiedag")
				}
				got = append(got, line)
			}
		}
	}
	want := []string{
		"kernteam.reminder Mon 2026-10-05 08:15 +0200 2026-W40",
		"kernteam.reminder Mon 2026-10-12 08:15 +0200 2026-W41 closed studiedag",
		"kernteam.reminder Mon 2026-10-19 08:15 +0200 2026-W42 closed Herfstvakantie",
		// Winter time; week 43 was the autumn holiday, so the agenda is week 42's.
		"kernteam.reminder Mon 2026-10-26 08:15 +0100 2026-W42",
		"kernteam.reminder Mon 2026-11-02 08:15 +0100 2026-W44",
		"kernteam.reminder Mon 2026-11-09 08:15 +0100 2026-W45",
		"kernteam.reminder Mon 2026-11-16 08:15 +0100 2026-W46",
		"kernteam.reminder Mon 2026-11-23 08:15 +0100 2026-W47",
		"kernteam.reminder Mon 2026-11-30 08:15 +0100 2026-W48",
		"kernteam.reminder Mon 2026-12-07 08:15 +0100 2026-W49",
		"kernteam.reminder Mon 2026-12-14 08:15 +0100 2026-W50",
		"kernteam.reminder Mon 2026-12-21 08:15 +0100 2026-W51 closed Kerstvakantie",
		"kernteam.reminder Mon 2026-12-28 08:15 +0100 2026-W51 closed Kerstvakantie",
		// Back after Christmas: weeks 52 and 53 were closed.
		"kernteam.reminder Mon 2027-01-04 08:15 +0100 2026-W51",
		"kernteam.reminder Mon 2027-01-11 08:15 +0100 2027-W01",
		"digest Fri 2026-10-02 16:00 +0200 2026-W40",
		"digest Fri 2026-10-09 16:00 +0200 2026-W41",
		"digest Fri 2026-10-16 16:00 +0200 2026-W42",
		"digest Fri 2026-10-23 16:00 +0200 2026-W43 closed Herfstvakantie",
		"digest Fri 2026-10-30 16:00 +0100 2026-W44",
		"digest Fri 2026-11-06 16:00 +0100 2026-W45",
		"digest Fri 2026-11-13 16:00 +0100 2026-W46",
		"digest Fri 2026-11-20 16:00 +0100 2026-W47",
		"digest Fri 2026-11-27 16:00 +0100 2026-W48",
		"digest Fri 2026-12-04 16:00 +0100 2026-W49",
		"digest Fri 2026-12-11 16:00 +0100 2026-W50",
		"digest Fri 2026-12-18 16:00 +0100 2026-W51",
		"digest Fri 2026-12-25 16:00 +0100 2026-W52 closed Kerstvakantie",
		"digest Fri 2027-01-01 16:00 +0100 2026-W53 closed Kerstvakantie",
		"digest Fri 2027-01-08 16:00 +0100 2027-W01",
		"kernteam.reminder Mon 2027-03-22 08:15 +0100 2027-W11",
		"kernteam.reminder Mon 2027-03-29 08:15 +0200 2027-W12",
		"digest Fri 2027-03-26 16:00 +0100 2027-W12",
		"digest Fri 2027-04-02 16:00 +0200 2027-W13",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ticks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s, _ := sc.JobSpec(bot.JobSuccesses); s != sc.Digest.Cron {
		t.Errorf("success stories run on %q; want the digest's %q", s, sc.Digest.Cron)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestLatestTick(t *testing.T) {
	weekly := mustCron(t, "0 16 * * FRI")
	tick := ams(2026, 12, 4, 16, 0)
	everyMinute := mustCron(t, "* * * * *")
	nightly := mustCron(t, "30 2 * * *")
	tests := []struct {
		name   string
		s      cron.Schedule
		now    time.Time
		window time.Duration
		want   time.Time // zero: none
	}{
		{"at the tick", weekly, tick, time.Minute, tick},
		{"a little after", weekly, tick.Add(1500 * time.Millisecond), time.Minute, tick},
		{"late but within the window", weekly, tick.Add(14 * time.Minute), 15 * time.Minute, tick},
		{"too late", weekly, tick.Add(16 * time.Minute), 15 * time.Minute, time.Time{}},
		{"just before", weekly, tick.Add(-time.Second), 15 * time.Minute, time.Time{}},
		{"the latest of many", everyMinute, ams(2026, 12, 4, 10, 7).Add(30 * time.Second), 15 * time.Minute, ams(2026, 12, 4, 10, 7)},
		// 02:40 the second time (winter time): the tick is 02:30 winter time.
		{"repeated hour", nightly, time.Date(2026, 10, 25, 1, 40, 0, 0, time.UTC), 15 * time.Minute, time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := LatestTick(tt.s, tt.now, tt.window)
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("LatestTick(%s) = %s, %v; want %s", tt.now.Format(time.RFC3339Nano), got.Format(time.RFC3339), ok, tt.want.Format(time.RFC3339))
			}
		})
	}
}

func TestShiftedSchedule(t *testing.T) {
	// The demo clock says Friday 4 December 15:59:50 while the real clock
	// says 26 November 10:00:00: cron must wait ten real seconds.
	wall := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	fake := ams(2026, 12, 4, 15, 59).Add(50 * time.Second)
	s := shifted{Schedule: mustCron(t, "0 16 * * FRI"), off: fake.Sub(wall)}
	if got := s.Next(wall); !got.Equal(wall.Add(10 * time.Second)) {
		t.Errorf("Next = %s; want ten seconds after %s", got, wall)
	}
}

func TestParseCron(t *testing.T) {
	for _, bad := range []string{"", "every friday", "0 16 * *", "61 8 * * MON", "0 16 * * FRI extra", "TZ=Europe/Amsterdam 0 16 * * FRI x"} {
		if _, err := ParseCron(bad, amsterdam); err == nil {
			t.Errorf("ParseCron(%q): no error", bad)
		}
	}
	s, err := ParseCron("0 16 * * FRI", amsterdam)
	if err != nil {
		t.Fatal(err)
	}
	if loc := s.(*cron.SpecSchedule).Location; loc != amsterdam {
		t.Errorf("location = %v; want Europe/Amsterdam", loc)
	}
}
