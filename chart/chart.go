// Package chart draws the coordinators' digest chart as a PNG: requests
// per day part over the last weeks (grouped bars) above the median and 90th
// percentile time to accept (lines). It is a pure function of the weekly
// figures and the words to put on it, so its output is tested without a
// chat platform.
//
// It uses gonum.org/v1/plot: pure Go (no cgo, no system fonts: it embeds
// the Liberation fonts), maintained by the gonum project with regular
// releases, and it renders PNG through vg/vgimg. Keeping it in a package of
// its own keeps the plotting dependency out of the domain and the command
// layer's other files.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/hulpbot/hulpbot/bot"
)

// The size of the PNG, in pixels.
const (
	Width  = 800
	Height = 600
	dpi    = 96
)

// Labels are the words on the chart, in the school's language.
type Labels struct {
	Requests string   // title of the bars: "Hulpvragen per dagdeel"
	Wait     string   // title of the lines: "Wachttijd tot aannemen (minuten)"
	Median   string   // legend of the median line
	P90      string   // legend of the 90th percentile line
	Weeks    []string // one label per week: "wk 44"
	DayParts []string // one legend label per day part, as dayParts
}

// palette colours the day parts; the last colour is for the rest.
var palette = []color.RGBA{
	{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // blue
	{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, // orange
	{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, // green
	{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, // purple
	{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff}, // brown
	{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff}, // grey
}

var (
	medianColor = color.RGBA{R: 0x17, G: 0x3f, B: 0x5f, A: 0xff}
	p90Color    = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// Weekly draws weeks (oldest first) as a Width × Height PNG: bars of the
// requests per day part (dayParts, in order) and lines of the median and
// p90 wait, in minutes. Weeks without accepted requests leave a gap in the
// lines.
func Weekly(weeks []bot.WeekFigures, dayParts []string, l Labels) ([]byte, error) {
	if len(weeks) == 0 {
		return nil, errors.New("chart: no weeks")
	}
	if len(l.Weeks) != len(weeks) || len(l.DayParts) != len(dayParts) {
		return nil, fmt.Errorf("chart: %d week labels for %d weeks, %d day part labels for %d day parts",
			len(l.Weeks), len(weeks), len(l.DayParts), len(dayParts))
	}
	bars, err := barPlot(weeks, dayParts, l)
	if err != nil {
		return nil, err
	}
	lines, err := waitPlot(weeks, l)
	if err != nil {
		return nil, err
	}

	c := vgimg.NewWith(vgimg.UseWH(px(Width), px(Height)), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	pad := vg.Points(8)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: pad, PadY: 2 * pad, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align([][]*plot.Plot{{bars}, {lines}}, tiles, dc)
	bars.Draw(canvases[0][0])
	lines.Draw(canvases[1][0])

	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: png: %w", err)
	}
	return buf.Bytes(), nil
}

// px is a length of n pixels at the chart's resolution.
func px(n int) vg.Length { return vg.Length(n) * vg.Inch / dpi }

func barPlot(weeks []bot.WeekFigures, dayParts []string, l Labels) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = l.Requests
	p.Y.Min = 0
	p.Y.Label.Text = ""
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(l.Weeks...)
	p.X.Min, p.X.Max = -0.5, float64(len(weeks))-0.5
	p.Add(plotter.NewGrid())

	width := px(Width-120) / vg.Length(len(weeks)*(len(dayParts)+1))
	most := 0.0
	for i, dp := range dayParts {
		vals := make(plotter.Values, len(weeks))
		for j, w := range weeks {
			vals[j] = float64(w.ByDayPart[dp])
			most = max(most, vals[j])
		}
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return nil, fmt.Errorf("chart: bars: %w", err)
		}
		b.LineStyle.Width = 0
		b.Color = palette[min(i, len(palette)-1)]
		b.Offset = (vg.Length(i) - vg.Length(len(dayParts)-1)/2) * width
		p.Add(b)
		p.Legend.Add(l.DayParts[i], b)
	}
	// Room above the bars for the legend, and whole numbers on the axis.
	p.Y.Max = max(most*1.35, 4)
	p.Y.Tick.Marker = wholeTicks{}
	return p, nil
}

func waitPlot(weeks []bot.WeekFigures, l Labels) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = l.Wait
	p.Y.Min = 0
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(l.Weeks...)
	p.X.Min, p.X.Max = -0.5, float64(len(weeks))-0.5
	p.Add(plotter.NewGrid())

	series := []struct {
		label string
		col   color.Color
		value func(bot.WeekFigures) (float64, bool)
	}{
		{l.Median, medianColor, func(w bot.WeekFigures) (float64, bool) {
			d, ok := w.MedianWait()
			return d.Minutes(), ok
		}},
		{l.P90, p90Color, func(w bot.WeekFigures) (float64, bool) {
			d, ok := w.P90Wait()
			return d.Minutes(), ok
		}},
	}
	most := 0.0
	for _, s := range series {
		style := plotter.DefaultLineStyle
		style.Color = s.col
		style.Width = vg.Points(2)
		// The legend shows the style even when a line has no points.
		p.Legend.Add(s.label, &plotter.Line{LineStyle: style})
		var run plotter.XYs
		flush := func() error {
			if len(run) == 0 {
				return nil
			}
			line, pts, err := plotter.NewLinePoints(run)
			if err != nil {
				return fmt.Errorf("chart: line: %w", err)
			}
			line.LineStyle = style
			pts.GlyphStyle.Color = s.col
			pts.GlyphStyle.Shape = draw.CircleGlyph{}
			pts.GlyphStyle.Radius = vg.Points(3)
			p.Add(line, pts)
			run = nil
			return nil
		}
		for i, w := range weeks {
			v, ok := s.value(w)
			if !ok {
				if err := flush(); err != nil {
					return nil, err
				}
				continue
			}
			most = max(most, v)
			run = append(run, plotter.XY{X: float64(i), Y: v})
		}
		if err := flush(); err != nil {
			return nil, err
		}
	}
	p.Y.Max = max(most*1.35, 1)
	return p, nil
}

// wholeTicks marks whole numbers only: counts of requests.
type wholeTicks struct{}

func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for (hi-lo)/step > 8 {
		step *= 2
	}
	var out []plot.Tick
	for v := 0.0; v <= hi; v += step {
		if v >= lo {
			out = append(out, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
		}
	}
	return out
}
