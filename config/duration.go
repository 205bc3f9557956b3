package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written as Go writes durations ("2m", "90s",
// "720h") or as whole days ("30d"). The zero Duration means "not set": a
// school without offer_timeout uses the top-level one.
type Duration struct {
	time.Duration

	// raw is the text from the file until Parse has expanded ${VAR} in it
	// and parsed it; empty otherwise.
	raw string
}

// IsZero reports whether d is not set.
func (d Duration) IsZero() bool { return d.Duration == 0 && d.raw == "" }

// UnmarshalYAML keeps the text for Parse, which expands ${VAR} in it and
// reports a bad value with its field path ("offer_timeout: ${T}" works). A
// value without ${ is parsed at once as well, so that a Config decoded by
// yaml.v3 directly has its durations too.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmtLine(n.Line, "cannot unmarshal %s into config.Duration", n.ShortTag())}}
	}
	*d = Duration{raw: n.Value}
	if !strings.Contains(n.Value, "${") {
		d.Duration, _ = parseDuration(n.Value) // a bad value: Parse reports it
	}
	return nil
}

// MarshalYAML writes d the way a person would: "2m", "720h", "90s".
func (d Duration) MarshalYAML() (any, error) { return formatDuration(d.Duration), nil }

// String is the short form MarshalYAML writes.
func (d Duration) String() string { return formatDuration(d.Duration) }

// parseDuration reads a Go duration or a whole number of days ("30d").
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 36500 {
			return 0, fmt.Errorf("%q is not a duration like 2m, 720h or 30d", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 2m, 720h or 30d", s)
	}
	return d, nil
}

// formatDuration drops the zero tails time.Duration.String writes:
// 2m0s → 2m, 720h0m0s → 720h.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func fmtLine(line int, format string, args ...any) string {
	return fmt.Sprintf("line %d: ", line) + fmt.Sprintf(format, args...)
}
