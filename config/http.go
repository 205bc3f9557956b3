package config

import (
	"net"
	"time"
)

// DefaultMetricsListen is where /metrics is served unless the file says
// otherwise: loopback, so that only the host (or, with an address the
// operator chooses, the monitoring network) reads the figures. Not 9090,
// Prometheus's own port on a host that runs both.
const DefaultMetricsListen = "127.0.0.1:8081"

// HTTP bounds what the clients of hulpbot's listeners can hold: a client
// that sends its request slowly, or not at all, is cut off, and a listener
// keeps at most MaxConnections open.
type HTTP struct {
	// ReadTimeout bounds reading a request, headers and body: the
	// platforms send theirs (a few kB) at once. Default 10s.
	ReadTimeout Duration `yaml:"read_timeout,omitempty"`
	// WriteTimeout bounds a request from its headers to its answer,
	// including the work on it (a Mattermost click may take up to 20s).
	// Default 30s.
	WriteTimeout Duration `yaml:"write_timeout,omitempty"`
	// IdleTimeout is how long a kept-alive connection waits for its next
	// request. Default 60s.
	IdleTimeout Duration `yaml:"idle_timeout,omitempty"`
	// MaxHeaderBytes caps a request's headers. Default 32768.
	MaxHeaderBytes int `yaml:"max_header_bytes,omitempty"`
	// MaxConnections caps the connections the platform listener holds at
	// once; beyond it, the connection that waited longest on its client is
	// closed. Lowered at start to what the open-file limit allows.
	// Default 1000.
	MaxConnections int `yaml:"max_connections,omitempty"`
}

// Defaults of the http section, and the ranges validation allows.
const (
	DefaultReadTimeout    = 10 * time.Second
	DefaultWriteTimeout   = 30 * time.Second
	DefaultIdleTimeout    = time.Minute
	DefaultMaxHeaderBytes = 32 << 10
	DefaultMaxConnections = 1000

	MinReadTimeout    = time.Second
	MaxReadTimeout    = time.Minute
	MinWriteTimeout   = 25 * time.Second // a handler may work 20s on an answer
	MaxWriteTimeout   = 10 * time.Minute
	MinIdleTimeout    = time.Second
	MaxIdleTimeout    = time.Hour
	MinMaxHeaderBytes = 4 << 10
	MaxMaxHeaderBytes = 1 << 20
	MinMaxConnections = 16
	MaxMaxConnections = 100000
)

func defaultHTTP() HTTP {
	return HTTP{
		ReadTimeout:    Duration{Duration: DefaultReadTimeout},
		WriteTimeout:   Duration{Duration: DefaultWriteTimeout},
		IdleTimeout:    Duration{Duration: DefaultIdleTimeout},
		MaxHeaderBytes: DefaultMaxHeaderBytes,
		MaxConnections: DefaultMaxConnections,
	}
}

// listeners checks listen, metrics_listen and the http section.
func (v *validator) listeners(c *Config) {
	for _, f := range []struct{ field, addr string }{{"listen", c.Listen}, {"metrics_listen", c.MetricsListen}} {
		if v.required(f.field, f.addr) {
			if _, _, err := net.SplitHostPort(f.addr); err != nil {
				v.add(f.field, "%q is not an address like :8080", f.addr)
			}
		}
	}
	if _, port, err := net.SplitHostPort(c.Listen); err == nil && port != "0" && c.MetricsListen == c.Listen {
		v.add("metrics_listen", "%q is listen's address too: /metrics is served apart from the platform endpoints", c.MetricsListen)
	}
	h := c.HTTP
	for _, d := range []struct {
		field    string
		d        time.Duration
		min, max time.Duration
	}{
		{"http.read_timeout", h.ReadTimeout.Duration, MinReadTimeout, MaxReadTimeout},
		{"http.write_timeout", h.WriteTimeout.Duration, MinWriteTimeout, MaxWriteTimeout},
		{"http.idle_timeout", h.IdleTimeout.Duration, MinIdleTimeout, MaxIdleTimeout},
	} {
		if d.d < d.min || d.d > d.max {
			v.add(d.field, "%s is out of range: between %s and %s", formatDuration(d.d), formatDuration(d.min), formatDuration(d.max))
		}
	}
	for _, n := range []struct {
		field    string
		n        int
		min, max int
	}{
		{"http.max_header_bytes", h.MaxHeaderBytes, MinMaxHeaderBytes, MaxMaxHeaderBytes},
		{"http.max_connections", h.MaxConnections, MinMaxConnections, MaxMaxConnections},
	} {
		if n.n < n.min || n.n > n.max {
			v.add(n.field, "%d is out of range: between %d and %d", n.n, n.min, n.max)
		}
	}
}
