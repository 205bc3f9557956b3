package yearpage

import (
	"testing"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/golden"
)

// TestCSVGolden keeps the CSV a steering group opens in Excel as a file:
// a change of a header, the legend or a figure shows as a diff.
func TestCSVGolden(t *testing.T) {
	f := newFixture(t)
	y := bot.SchoolYear{Start: 2026}
	vaart, _ := f.ys.figs.YearFigures(t.Context(), "de-vaart", y)
	linde, _ := f.ys.figs.YearFigures(t.Context(), "de-linde", y)
	for _, tc := range []struct {
		name  string
		lang  string
		swv   bool
		units []unit
	}{
		{"de-vaart.nl.csv", "nl", false, []unit{{School: f.vaart, This: vaart}}},
		{"de-vaart.en.csv", "en", false, []unit{{School: f.vaart, This: vaart}}},
		{"swv.nl.csv", "nl", true, []unit{{School: f.vaart, This: vaart}, {School: f.linde, This: linde}}},
		{"swv.en.csv", "en", true, []unit{{School: f.vaart, This: vaart}, {School: f.linde, This: linde}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden.Check(t, tc.name, string(CSV(tc.lang, tc.swv, y, tc.units)))
		})
	}
}
