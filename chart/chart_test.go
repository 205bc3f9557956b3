package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

func labels(n int) Labels {
	l := Labels{Requests: "Hulpvragen per dagdeel", Wait: "Wachttijd tot aannemen (minuten)", Median: "mediaan", P90: "p90",
		DayParts: []string{"ochtend", "middag", "buiten schooltijd"}}
	for i := range n {
		l.Weeks = append(l.Weeks, "wk "+string(rune('a'+i)))
	}
	return l
}

func weeks() []bot.WeekFigures {
	min := func(m ...int) []time.Duration {
		var out []time.Duration
		for _, x := range m {
			out = append(out, time.Duration(x)*time.Minute)
		}
		return out
	}
	return []bot.WeekFigures{
		{Week: "2026-W44", ByDayPart: map[string]int{"ochtend": 3, "middag": 1}, Waits: min(1, 2, 5)},
		{Week: "2026-W45", ByDayPart: map[string]int{}}, // a holiday: no bars, a gap in the lines
		{Week: "2026-W46", ByDayPart: map[string]int{"ochtend": 6, "middag": 2, "buiten": 1}, Waits: min(1, 1, 3, 8)},
		{Week: "2026-W47", ByDayPart: map[string]int{"ochtend": 4, "middag": 4}, Waits: min(2)},
		{Week: "2026-W48", ByDayPart: map[string]int{"ochtend": 9, "middag": 3, "buiten": 2}, Waits: min(1, 2, 2, 4, 12)},
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG: starts with %q", b[:min(8, len(b))])
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got := img.Bounds().Size(); got.X != Width || got.Y != Height {
		t.Fatalf("size = %v; want %dx%d", got, Width, Height)
	}
	return img
}

// count is how many pixels have exactly colour c (bar interiors and line
// glyphs do; anti-aliased edges don't).
func count(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return n
}

func TestWeeklyPNG(t *testing.T) {
	ws := weeks()
	b, err := Weekly(ws, []string{"ochtend", "middag", "buiten"}, labels(len(ws)))
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	// The legend alone has some 300 pixels of a day part's colour (see
	// TestWeeklyWithoutData); bars have thousands.
	for i, c := range palette[:3] {
		if n := count(img, c); n < 1500 {
			t.Errorf("day part %d: %d pixels of its colour; want bars (at least 1500)", i, n)
		}
	}
	for name, c := range map[string]color.RGBA{"median": medianColor, "p90": p90Color} {
		if n := count(img, c); n < 200 {
			t.Errorf("%s line: %d pixels of its colour; want a line (at least 200)", name, n)
		}
	}
}

func TestWeeklyWithoutData(t *testing.T) {
	ws := []bot.WeekFigures{{Week: "2026-W01"}, {Week: "2026-W02"}}
	b, err := Weekly(ws, []string{"ochtend", "buiten"}, Labels{Weeks: []string{"1", "2"}, DayParts: []string{"o", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	if n := count(img, palette[0]); n > 500 {
		t.Errorf("%d pixels of the first day part's colour with no requests; want only its legend", n)
	}
}

func TestWeeklyRejectsMismatchedLabels(t *testing.T) {
	if _, err := Weekly(weeks(), []string{"ochtend"}, labels(2)); err == nil {
		t.Error("Weekly with 2 week labels for 5 weeks: no error")
	}
	if _, err := Weekly(nil, nil, Labels{}); err == nil {
		t.Error("Weekly without weeks: no error")
	}
}
