package yearpage

import (
	"fmt"
	"strconv"
)

// Charts are drawn here as SVG geometry and written by the page's
// template: no script, no font from elsewhere, and the figures are in the
// page as text (a screen reader and a printed page show them too). Colours
// come from classes in the stylesheet, so print can adjust them.

// barChart is a vertical bar chart: one or two series over categories
// (months).
type barChart struct {
	Title         string
	Width, Height int
	Baseline      int
	Bars          []bar
	Labels        []axisLabel
	Legend        []legendItem
}

type bar struct {
	X, Y, W, H int
	Class      string
	Value      string // written above the bar; "" for none
	VX, VY     int
	Tip        string // <title>: category and value
}

type axisLabel struct {
	X, Y int
	Text string
}

type legendItem struct {
	X, Y  int
	Class string
	Text  string
}

// series is one row of values to draw.
type series struct {
	Name   string
	Class  string
	Values []float64
	Shown  []string // the value as written; "" hides it
}

const (
	chartW    = 720
	chartH    = 240
	chartTop  = 24
	chartBase = 200
)

// vbars lays out series over categories, side by side per category.
func vbars(title string, cats []string, ss ...series) barChart {
	c := barChart{Title: title, Width: chartW, Height: chartH, Baseline: chartBase}
	top := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	if top == 0 {
		top = 1
	}
	slot := (chartW - 20) / max(len(cats), 1)
	bw := max((slot-8)/max(len(ss), 1), 4)
	for i, cat := range cats {
		x0 := 10 + i*slot
		c.Labels = append(c.Labels, axisLabel{X: x0 + slot/2, Y: chartBase + 18, Text: cat})
		for j, s := range ss {
			if i >= len(s.Values) {
				continue
			}
			v := s.Values[i]
			h := int(v / top * float64(chartBase-chartTop))
			if v > 0 && h < 2 {
				h = 2
			}
			x := x0 + 4 + j*bw
			b := bar{X: x, Y: chartBase - h, W: bw - 2, H: h, Class: s.Class, VX: x + (bw-2)/2, VY: chartBase - h - 4}
			if i < len(s.Shown) {
				b.Value = s.Shown[i]
				b.Tip = cat + ": " + s.Shown[i]
				if s.Name != "" {
					b.Tip = s.Name + ", " + b.Tip
				}
			}
			c.Bars = append(c.Bars, b)
		}
	}
	if len(ss) > 1 {
		for j, s := range ss {
			c.Legend = append(c.Legend, legendItem{X: 10 + j*160, Y: chartH - 6, Class: s.Class, Text: s.Name})
		}
	}
	return c
}

// hbarChart is a horizontal bar chart: one bar per category with its
// count, for groups, day parts, kinds of support and outcomes.
type hbarChart struct {
	Title         string
	Width, Height int
	Rows          []hrow
}

type hrow struct {
	Label      string
	Value      string
	Y, W       int
	TextY, VX  int
	LabelWidth int
}

const (
	hbarRow   = 26
	hbarLabel = 230
	hbarMax   = 400
)

func hbars(title string, rows []counted, label func(string) string) hbarChart {
	c := hbarChart{Title: title, Width: hbarLabel + hbarMax + 60, Height: max(len(rows), 1)*hbarRow + 8}
	top := 1
	for _, r := range rows {
		top = max(top, r.Count)
	}
	for i, r := range rows {
		w := r.Count * hbarMax / top
		if r.Count > 0 && w < 2 {
			w = 2
		}
		y := 4 + i*hbarRow
		c.Rows = append(c.Rows, hrow{Label: label(r.Key), Value: strconv.Itoa(r.Count), Y: y, W: w, TextY: y + 16, VX: hbarLabel + w + 6, LabelWidth: hbarLabel - 8})
	}
	return c
}

// lineChart shows survey averages (1 … 5) over periods; a period with too
// few answers leaves a gap.
type lineChart struct {
	Title         string
	Width, Height int
	Grid          []axisLabel // y labels 1 … 5 with their line
	GridX1        int
	GridX2        int
	Points        []point
	Path          string // polyline points of the shown averages
	Labels        []axisLabel
}

type point struct {
	X, Y  int
	Shown string
	Tip   string
}

func lines(title string, pts []surveyPoint, label func(surveyPoint) string, shown func(surveyPoint) string) lineChart {
	const w, h, left, top, bottom = 720, 200, 40, 16, 160
	c := lineChart{Title: title, Width: w, Height: h, GridX1: left, GridX2: w - 10}
	y := func(v float64) int { return bottom - int((v-1)/4*float64(bottom-top)) }
	for v := 1; v <= 5; v++ {
		c.Grid = append(c.Grid, axisLabel{X: left - 8, Y: y(float64(v)), Text: strconv.Itoa(v)})
	}
	slot := (w - left - 10) / max(len(pts), 1)
	path := ""
	for i, p := range pts {
		x := left + slot*i + slot/2
		c.Labels = append(c.Labels, axisLabel{X: x, Y: bottom + 20, Text: label(p)})
		if !p.OK {
			path += " " // a gap: the polyline is drawn per run below
			continue
		}
		py := y(p.Mean)
		c.Points = append(c.Points, point{X: x, Y: py, Shown: shown(p), Tip: label(p) + ": " + shown(p)})
		path += fmt.Sprintf("%d,%d;", x, py)
	}
	c.Path = path
	return c
}

// runs splits a lineChart's path into the polylines between gaps.
func (c lineChart) Runs() []string {
	var out []string
	cur := ""
	for _, r := range c.Path {
		switch r {
		case ' ':
			if cur != "" {
				out = append(out, cur)
			}
			cur = ""
		case ';':
			cur += " "
		default:
			cur += string(r)
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
