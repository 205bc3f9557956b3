package config

import (
	"strings"
	"testing"
	"time"
)

// TestChildcareLocation: a bso location names its coordinator as it does
// (in when_down too) and gets day parts till 18:30, so its school day, and
// what closes at its end, lasts till then.
func TestChildcareLocation(t *testing.T) {
	c := Demo()
	c.Schools[0].CoordinatorTitle = "pedagogisch coach"
	c.Schools[0].DayPartsPreset = "bso"
	c.Schools[0].Today = Today{Cron: "0 7 * * 1-5", Channel: "team"}
	c.Schools[0].Helpers[0].Schedule = []string{"ma-vr bso"}
	d, err := c.Directory()
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := d.School("demo")
	if sc.CoordinatorTitle != "pedagogisch coach" || !strings.Contains(sc.WhenDown, "pedagogisch coach") {
		t.Errorf("title %q, when_down %q; want the pedagogisch coach", sc.CoordinatorTitle, sc.WhenDown)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, sc.Location)
	if end := sc.SchoolDayEnd(at); end.Hour() != 18 || end.Minute() != 30 {
		t.Errorf("school day ends %v; want 18:30", end)
	}
	if p, ok := sc.DayPartAt(time.Date(2026, 11, 26, 17, 0, 0, 0, sc.Location)); !ok || p.Name != "bso" {
		t.Errorf("17:00 is %v, %v; want the bso", p, ok)
	}
	if spec, ok := sc.JobSpec("today"); !ok || spec != "0 7 * * 1-5" || sc.TodayChannel() != "team" {
		t.Errorf("today %q %v in %q; want 07:00 in team", spec, ok, sc.TodayChannel())
	}

	c.Schools[0].DayPartsPreset = "kinderdagverblijf"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "day_parts") {
		t.Errorf("unknown preset: %v; want a day_parts problem", err)
	}
	c.Schools[0].DayPartsPreset = ""
	c.Schools[0].Today.Cron = "elke ochtend"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "today.cron") {
		t.Errorf("bad today cron: %v; want a today.cron problem", err)
	}
}
