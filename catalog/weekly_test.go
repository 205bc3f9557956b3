package catalog

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/chart"
	"github.com/hulpbot/hulpbot/internal/golden"
	"github.com/hulpbot/hulpbot/internal/testschool"
	"github.com/hulpbot/hulpbot/message"
)

func dumpWeekly(m message.Message) string {
	var b strings.Builder
	b.WriteString(m.Text + "\n")
	for _, a := range m.Attachments {
		fmt.Fprintf(&b, "[attachment] %s %s\n", a.Name, a.ContentType)
	}
	return b.String()
}

func TestRenderWeeklyGolden(t *testing.T) {
	agenda := bot.Agenda{
		Week: bot.WeekFigures{Week: "2026-W48", Requests: 12, Escalated: 2, Unpicked: 1, Consults: 2, ConsultsAnswered: 1},
		Top:  []bot.GroupCount{{Group: "5", Count: 4}, {Group: "1-2a", Count: 3}, {Group: "Dolfijnen", Count: 2}},
		Items: []bot.AgendaItem{
			{RequestID: "r1", Group: "5", DayPart: "ochtend", HelperID: "anne", CreatedAt: time.Date(2026, 11, 24, 9, 12, 0, 0, time.UTC)},
			{RequestID: "r2", Group: "bso", HelperID: "bram", CreatedAt: time.Date(2026, 11, 26, 16, 40, 0, 0, time.UTC)},
			{RequestID: "r3", Group: "3", DayPart: "middag", HelperID: "gone", CreatedAt: time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)},
		},
		Themes: []bot.AgendaTheme{
			{No: 1, Text: "Ouderavond over prestatiedruk en faalangst"},
			{No: 3, Group: "5", ConsultID: "c1", At: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		},
		Previous: bot.WeekFigures{Week: "2026-W47", Requests: 9}, HasPrevious: true,
	}
	quiet := bot.Agenda{Week: bot.WeekFigures{Week: "2027-W01"}}
	stories := []bot.Story{
		{Text: "Groep 5 had een   rustige gymles\nna de aanpak van dinsdag."},
		{Text: "De kleuters vonden samen een rustmoment.", By: "Anne"},
	}
	empty := bot.WeekReport{Week: bot.WeekFigures{Week: "2026-W53"}, Chart: []bot.WeekFigures{{Week: "2026-W53"}}}
	for _, l := range []string{LangNL, LangEN} {
		sc := testSchool(t, l)
		sc.Kernteam = bot.Kernteam{Channel: "kernteam", Reminder: "15 8 * * MON", Meeting: "donderdag 14:00"}
		t.Run("reminder."+l, func(t *testing.T) { golden.Check(t, "weekly/reminder."+l, dumpWeekly(RenderReminder(sc, agenda))) })
		t.Run("nudge."+l, func(t *testing.T) { golden.Check(t, "weekly/nudge."+l, dumpWeekly(RenderNudge(sc))) })
		t.Run("agenda."+l, func(t *testing.T) { golden.Check(t, "weekly/agenda."+l, AgendaText(sc, agenda.Themes)+"\n") })
		t.Run("agenda-empty."+l, func(t *testing.T) { golden.Check(t, "weekly/agenda-empty."+l, AgendaText(sc, nil)+"\n") })
		t.Run("reminder-quiet-compare."+l, func(t *testing.T) {
			q := quiet
			q.Previous, q.HasPrevious = bot.WeekFigures{Week: "2026-W51", Requests: 4}, true
			golden.Check(t, "weekly/reminder-quiet-compare."+l, dumpWeekly(RenderReminder(sc, q)))
		})
		t.Run("reminder-quiet."+l, func(t *testing.T) {
			bare := *sc
			bare.Kernteam.Meeting = ""
			golden.Check(t, "weekly/reminder-quiet."+l, dumpWeekly(RenderReminder(&bare, quiet)))
		})
		t.Run("successes."+l, func(t *testing.T) { golden.Check(t, "weekly/successes."+l, dumpWeekly(RenderSuccesses(sc, stories))) })
		for _, tt := range []struct {
			name  string
			r     bot.WeekReport
			soFar bool
		}{{"digest", testReport(), false}, {"digest-so-far", testReport(), true}, {"digest-empty", empty, false}} {
			t.Run(tt.name+"."+l, func(t *testing.T) {
				m, err := RenderDigest(sc, tt.r, tt.soFar)
				if err != nil {
					t.Fatal(err)
				}
				if strings.ContainsAny(m.Text, "{}") {
					t.Errorf("a placeholder is left: %q", m.Text)
				}
				golden.Check(t, "weekly/"+tt.name+"."+l, dumpWeekly(m))
			})
		}
	}
}

func TestRenderDigestChart(t *testing.T) {
	m, err := RenderDigest(testSchool(t, LangNL), testReport(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "image/png" || m.Attachments[0].Name != "overzicht-de-vaart-2026-W49.png" {
		t.Fatalf("attachments = %+v; want one PNG", m.Attachments)
	}
	img, err := png.Decode(bytes.NewReader(m.Attachments[0].Data))
	if err != nil {
		t.Fatalf("decode the chart: %v", err)
	}
	if got := img.Bounds().Size(); got.X != chart.Width || got.Y != chart.Height {
		t.Errorf("chart size = %v; want %dx%d", got, chart.Width, chart.Height)
	}
}

func TestDigestNumbers(t *testing.T) {
	sc := testSchool(t, LangNL)
	text := DigestText(sc, testReport(), false)
	for _, want := range []string{
		"Hulpvragen: 12 (vorige 4 schoolweken gemiddeld 9,5)",
		"Per groep: groep 5: 4 · groep 1-2a: 3 · groep 3: 3 · Dolfijnen: 2",
		"Per dagdeel: ochtend: 7 · middag: 4 · buiten schooltijd: 1",
		// Previous waits pooled: 30, 60, 90, 100, 200, 300: median 95 s.
		`Meestal binnen 3 minuten iemand onderweg; 9 van de 10 keer binnen 4 minuten (vorige weken meestal binnen 2 minuten)`,
		"Aangenomen: 10; door de eerste hulpverlener 7, na doorzetten 2, opgepakt in het kernteam-kanaal 1",
		"Hielp het? 👍 5 · 👎 1 · kan ik de volgende keer zelf: 2",
	} {
		if !hasLine(text, want) {
			t.Errorf("digest has no line %q:\n%s", want, text)
		}
	}
}

// TestDigestHeld: the digest counts what was held for a name or health
// information, and how it ended; a week without holds has no such line.
func TestDigestHeld(t *testing.T) {
	sc := testSchool(t, LangNL)
	r := testReport()
	if text := DigestText(sc, r, false); strings.Contains(text, "Tegengehouden") {
		t.Errorf("a week without holds:\n%s", text)
	}
	r.Week.Held = bot.Held{Requests: 4, WithoutNote: 1, Anyway: 1, Cancelled: 1, Timeout: 1, Stories: 2, StoriesShared: 1}
	want := "Tegengehouden om een naam of gezondheidsinformatie: 4 hulpvragen (zonder toelichting verstuurd 1, toch met toelichting 1, geannuleerd 1, na 2 minuten zonder toelichting 1) en 2 succesverhalen (1 toch gedeeld)"
	if text := DigestText(sc, r, false); !hasLine(text, want) || strings.Contains(text, "Meedenkvragen tegengehouden") {
		t.Errorf("digest has no line %q, or one about consults none of which were held:\n%s", want, text)
	}
	r.Week.Held = bot.Held{Consults: 3, ConsultsSent: 1, ConsultsCancelled: 1}
	want = "Meedenkvragen tegengehouden om een naam of gezondheidsinformatie: 3 (1 toch verstuurd, 1 geannuleerd, de rest niet verstuurd)"
	if text := DigestText(sc, r, false); !hasLine(text, want) || strings.Contains(text, "Tegengehouden om") {
		t.Errorf("digest has no line %q, or one about requests none of which were held:\n%s", want, text)
	}
}

func TestSummaryCSV(t *testing.T) {
	sc := testSchool(t, LangEN)
	r := testReport()
	out := SummaryCSV(sc, LangEN, append(slices.Clone(r.Chart[1:5]), r.Week))
	figures, legend, ok := strings.Cut(out, "\n\n")
	if !ok {
		t.Fatalf("no legend after an empty line:\n%s", out)
	}
	if !strings.HasPrefix(legend, "legend,\n") || !strings.Contains(legend, "p90_wait_s,\"90% of the teachers waited at most this long, in seconds\"") {
		t.Errorf("legend:\n%s", legend)
	}
	rows, err := csv.NewReader(strings.NewReader(figures)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows; want a header and 5 weeks", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	last := rows[5]
	for name, want := range map[string]string{
		"week": "2026-W49", "requests": "12", "accepted_first": "7", "accepted_after_moving_on": "2", "picked_up_from_channel": "1",
		"escalated": "2", "no_cover": "1", "median_wait_s": "135", "p90_wait_s": "240", "pulse_up": "5", "pulse_self": "2",
		"stories": "3", "daypart:ochtend": "7", "daypart:buiten": "1", "group:5": "4", "group:Dolfijnen": "2", "group:bso": "0",
		"unpicked": "1",
	} {
		i, ok := col[name]
		if !ok {
			t.Errorf("no column %q in %v", name, rows[0])
			continue
		}
		if last[i] != want {
			t.Errorf("%s = %q; want %q", name, last[i], want)
		}
	}
	// Added after the CSV was in use: last, so no earlier column moved.
	if h := rows[0][len(rows[0])-1]; h != "unpicked" {
		t.Errorf("last column = %q; want unpicked", h)
	}
	if rows[1][col["median_wait_s"]] != "300" || rows[1][col["week"]] != "2026-W45" {
		t.Errorf("first week row = %v", rows[1])
	}
	for _, h := range rows[0] {
		for _, name := range []string{"Anne", "Bram", "Sanne", "Marie"} {
			if strings.Contains(h, name) {
				t.Errorf("column %q names a person", h)
			}
		}
	}
}

func TestDigestSoFar(t *testing.T) {
	sc := testSchool(t, LangNL)
	sanne := bot.Address{Platform: mattermost, Handle: "ib.sanne"}
	now := testNow(t) // Thursday 26 November: week 48 so far
	text, dm, err := DigestSoFar(sc, testReport(), sanne, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := DigestText(sc, testReport(), true); text != want {
		t.Errorf("text = %q; want the digest so far %q", text, want)
	}
	// No key: the outbox gives each request one of its own, without a handle.
	if dm.To != (bot.Recipient{Address: sanne}) || dm.SchoolID != sc.ID || dm.Key != "" ||
		dm.Text != "Grafiek bij het overzicht van week 48." || len(dm.Attachments) != 1 || dm.Attachments[0].ContentType != "image/png" {
		t.Errorf("chart DM = to %v, school %q, key %q, text %q, %d attachments; want the PNG to Sanne, no key",
			dm.To, dm.SchoolID, dm.Key, dm.Text, len(dm.Attachments))
	}
}

// In Dutch the headers are Dutch, separated by semicolons, and every column
// has its line in the legend.
func TestSummaryCSVDutch(t *testing.T) {
	sc := testSchool(t, LangNL)
	r := testReport()
	out := SummaryCSV(sc, LangNL, []bot.WeekFigures{r.Week})
	figures, legend, ok := strings.Cut(out, "\n\n")
	if !ok {
		t.Fatalf("no legend:\n%s", out)
	}
	cr := csv.NewReader(strings.NewReader(figures))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	for i, want := range []string{"week", "hulpvragen", "keer aangeboden", "geaccepteerd", "door de eerst gevraagde", "na doorzetten", "opgepakt uit kanaal"} {
		if rows[0][i] != want {
			t.Errorf("column %d = %q, want %q", i, rows[0][i], want)
		}
	}
	if !slices.Contains(rows[0], "groep 5") || !slices.Contains(rows[0], "dagdeel ochtend") || rows[1][1] != "12" {
		t.Errorf("header %q, row %q", rows[0], rows[1])
	}
	// Consults apart from requests: 3 asked, 2 answered, 1 to the kernteam.
	if i := slices.Index(rows[0], "meedenkvragen"); i < 0 || rows[1][i] != "3" || rows[1][i+1] != "2" || rows[1][i+2] != "1" ||
		rows[0][i+1] != "meedenkvragen beantwoord" || rows[0][i+2] != "meedenkvragen naar kernteam" {
		t.Errorf("consult columns: header %q, row %q", rows[0], rows[1])
	}
	if n := len(rows[0]); rows[0][n-1] != "niet opgepakt" || rows[1][n-1] != "1" {
		t.Errorf("last column %q = %q; want niet opgepakt = 1", rows[0][n-1], rows[1][n-1])
	}
	lr := csv.NewReader(strings.NewReader(legend))
	lr.Comma = ';'
	lines, err := lr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if lines[0][0] != "toelichting" {
		t.Errorf("legend starts %q", lines[0])
	}
	explained := map[string]bool{}
	for _, l := range lines[1:] {
		if l[1] == "" || strings.HasPrefix(l[1], "summary.csv") {
			t.Errorf("column %q has no words: %q", l[0], l[1])
		}
		explained[l[0]] = true
	}
	for _, h := range rows[0] {
		if !explained[h] && !strings.HasPrefix(h, "groep ") && !strings.HasPrefix(h, "dagdeel ") {
			t.Errorf("column %q is not in the legend", h)
		}
	}
}

func secs(s ...int) []time.Duration { return testschool.Secs(s...) }
func testReport() bot.WeekReport    { return testschool.Report() }
