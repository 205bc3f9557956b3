package scheduler

import (
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/hulpbot/hulpbot/internal/cronspec"
)

// ParseCron parses a standard five-field cron expression ("15 8 * * MON")
// to run in loc.
func ParseCron(spec string, loc *time.Location) (cron.Schedule, error) {
	return cronspec.Parse(spec, loc)
}

// parseIn is cronspec.ParseWith: the weekly jobs' parser may be a test's.
var parseIn = cronspec.ParseWith

// maxSteps bounds LatestTick's walk: a schedule firing every second over a
// window of a day.
const maxSteps = 100_000

// LatestTick is the last time s fires at or before now, if that is within
// window before now. A job that fires computes its scheduled time this way
// from the clock, so every replica that runs it names the same tick
// (robfig/cron does not tell a job when it was due), and a replica that
// starts late can still tell the tick it missed.
func LatestTick(s cron.Schedule, now time.Time, window time.Duration) (time.Time, bool) {
	var last time.Time
	t := now.Add(-window)
	for range maxSteps {
		n := s.Next(t)
		if n.IsZero() || n.After(now) {
			break
		}
		last, t = n, n
	}
	return last, !last.IsZero()
}

// shifted runs a schedule on a clock that is off from the real one by off
// (the terminal demo's -now): cron waits on the real clock for the real
// time at which the shifted clock reaches the next tick.
type shifted struct {
	cron.Schedule
	off time.Duration
}

func (s shifted) Next(t time.Time) time.Time {
	n := s.Schedule.Next(t.Add(s.off))
	if n.IsZero() {
		return n
	}
	return n.Add(-s.off)
}

// cronLog makes robfig/cron log through slog: panics a job recovered from
// and ticks skipped because the last run is still going.
type cronLog struct{ log *slog.Logger }

func (l cronLog) Info(msg string, kv ...any) {
	if msg == "skip" {
		// SkipIfStillRunning: worth knowing; the rest of cron's chatter is not.
		l.log.Warn("cron: tick skipped, the last run is still going", kv...)
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLog) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
