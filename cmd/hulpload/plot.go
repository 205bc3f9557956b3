package main

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

const (
	plotW, plotH = 900, 1000
	plotDPI      = 96
)

func plotPx(n int) vg.Length { return vg.Length(n) * vg.Inch / plotDPI }

type series struct {
	label string
	col   color.RGBA
	y     func(ScalePoint) float64
}

// plotScale draws the scale curve: cost per request, idle cost, and
// latency against the number of schools configured (log scale).
func plotScale(points []ScalePoint, path string, m Machine, rate float64) error {
	if len(points) == 0 {
		return fmt.Errorf("plot: no points")
	}
	blue := color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	orange := color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	green := color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	red := color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	cost, err := linePlot(points,
		fmt.Sprintf("CPU per request for help (ask, DM, accept, done) at %.0f/s", rate), "ms CPU per request",
		[]series{
			{"hulpbot", blue, func(p ScalePoint) float64 { return p.CPUPerReq }},
			{"Redis", orange, func(p ScalePoint) float64 { return p.RedisCPUPerReq }},
			{"hulpbot minus idle", green, func(p ScalePoint) float64 { return p.MarginalCPU }},
		})
	if err != nil {
		return err
	}
	idle, err := linePlot(points, "CPU with nothing happening (schools configured, no requests)", "ms CPU per second",
		[]series{
			{"hulpbot", blue, func(p ScalePoint) float64 { return p.IdleCPUPerS }},
			{"Redis", orange, func(p ScalePoint) float64 { return p.IdleRedisCPUPerS }},
		})
	if err != nil {
		return err
	}
	lat, err := linePlot(points, "Latency p99", "ms",
		[]series{
			{"command → answer", blue, func(p ScalePoint) float64 { return p.Intake.P99 }},
			{"command → helper DM sent", red, func(p ScalePoint) float64 { return p.DM.P99 }},
		})
	if err != nil {
		return err
	}
	lat.X.Label.Text = fmt.Sprintf("schools configured (10 helpers each) — %d CPUs, %s", m.CPUs, m.Go)

	c := vgimg.NewWith(vgimg.UseWH(plotPx(plotW), plotPx(plotH)), vgimg.UseDPI(plotDPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	pad := vg.Points(8)
	tiles := draw.Tiles{Rows: 3, Cols: 1, PadX: pad, PadY: 2 * pad, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	cv := plot.Align([][]*plot.Plot{{cost}, {idle}, {lat}}, tiles, dc)
	cost.Draw(cv[0][0])
	idle.Draw(cv[1][0])
	lat.Draw(cv[2][0])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return fmt.Errorf("plot: png: %w", err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func linePlot(points []ScalePoint, title, ylabel string, ss []series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	p.X.Scale = plot.LogScale{}
	var ticks plot.ConstantTicks
	for _, pt := range points {
		ticks = append(ticks, plot.Tick{Value: float64(pt.Schools), Label: strconv.Itoa(pt.Schools)})
	}
	p.X.Tick.Marker = ticks
	p.X.Min = float64(points[0].Schools) / 1.5
	p.X.Max = float64(points[len(points)-1].Schools) * 1.5
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	most := 0.0
	for _, s := range ss {
		xy := make(plotter.XYs, len(points))
		for i, pt := range points {
			xy[i] = plotter.XY{X: float64(pt.Schools), Y: max(s.y(pt), 0)}
			most = max(most, xy[i].Y)
		}
		line, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		line.Color = s.col
		line.Width = vg.Points(2)
		pts.Color = s.col
		pts.Shape = draw.CircleGlyph{}
		pts.Radius = vg.Points(3)
		p.Add(line, pts)
		p.Legend.Add(s.label, line, pts)
	}
	p.Y.Max = max(most*1.4, 0.001)
	return p, nil
}
