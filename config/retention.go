package config

import (
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultStatisticsRetention is how long the weekly and monthly counters
// live after their last change: two school years and a margin, so a school
// year's overview can be read until the end of the next one. They hold no
// personal data.
const DefaultStatisticsRetention = 800 * 24 * time.Hour

// MinStatisticsRetention keeps a school year's overview readable to its end.
const MinStatisticsRetention = 400 * 24 * time.Hour

// Retention says how long things are kept. Written as one duration
// ("retention: 30d") it is the request records' retention; as a mapping it
// can say both:
//
//	retention:
//	  requests: 30d       # request records (AVG: the minimum)
//	  statistics: 800d    # weekly and monthly counters (no personal data)
//
// The embedded time.Duration is the request records' retention.
type Retention struct {
	time.Duration `yaml:"-"`

	// Statistics is how long counters live after their last change;
	// zero means DefaultStatisticsRetention.
	Statistics Duration `yaml:"statistics,omitempty"`

	raw string // the requests' text until Parse expanded and parsed it
}

// retentionMap is the mapping form of Retention.
type retentionMap struct {
	Requests   Duration `yaml:"requests"`
	Statistics Duration `yaml:"statistics,omitempty"`
}

// UnmarshalYAML reads either form.
func (r *Retention) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var d Duration
		if err := d.UnmarshalYAML(n); err != nil {
			return err
		}
		*r = Retention{Duration: d.Duration, raw: d.raw}
		return nil
	}
	if n.Kind == yaml.MappingNode {
		// Node.Decode is not strict: an unknown key is reported here.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Value != "requests" && k.Value != "statistics" {
				return &yaml.TypeError{Errors: []string{fmtLine(k.Line, "field %s not found in type config.Retention", k.Value)}}
			}
		}
	}
	var m retentionMap
	if err := n.Decode(&m); err != nil {
		return err
	}
	*r = Retention{Duration: m.Requests.Duration, raw: m.Requests.raw, Statistics: m.Statistics}
	return nil
}

// MarshalYAML writes the short form when statistics are left at their
// default.
func (r Retention) MarshalYAML() (any, error) {
	if r.Statistics.Duration == 0 {
		return formatDuration(r.Duration), nil
	}
	return retentionMap{Requests: Duration{Duration: r.Duration}, Statistics: r.Statistics}, nil
}

// StatisticsOrDefault is how long counters are kept.
func (r Retention) StatisticsOrDefault() time.Duration {
	if r.Statistics.Duration == 0 {
		return DefaultStatisticsRetention
	}
	return r.Statistics.Duration
}
