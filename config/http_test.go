package config

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestHTTPDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		env  map[string]string
		want func(c *Config) (got, want any)
	}{
		{"metrics_listen", minimal, nil, func(c *Config) (any, any) { return c.MetricsListen, "127.0.0.1:8081" }},
		{"http", minimal, nil, func(c *Config) (any, any) {
			return c.HTTP, HTTP{ReadTimeout: Duration{Duration: 10 * time.Second}, WriteTimeout: Duration{Duration: 30 * time.Second},
				IdleTimeout: Duration{Duration: time.Minute}, MaxHeaderBytes: 32768, MaxConnections: 1000}
		}},
		{"a field set keeps the others' defaults", minimal + "http: {read_timeout: 5s}\n", nil, func(c *Config) (any, any) {
			return []any{c.HTTP.ReadTimeout.Duration, c.HTTP.WriteTimeout.Duration, c.HTTP.MaxConnections}, []any{5 * time.Second, 30 * time.Second, 1000}
		}},
		{"HULPBOT_METRICS_LISTEN", minimal + "metrics_listen: 127.0.0.1:9000\n", map[string]string{"HULPBOT_METRICS_LISTEN": ":9100"}, func(c *Config) (any, any) {
			return c.MetricsListen, ":9100"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), env(tc.env))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got, want := tc.want(c); !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestHTTPProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want []Problem
	}{
		{"metrics_listen not an address", minimal + "metrics_listen: \"8081\"\n",
			[]Problem{{"metrics_listen", `"8081" is not an address like :8080`}}},
		{"metrics_listen empty", minimal + "metrics_listen: \"\"\n",
			[]Problem{{"metrics_listen", "empty"}}},
		{"metrics on the platform listener", minimal + "listen: \":8080\"\nmetrics_listen: \":8080\"\n",
			[]Problem{{"metrics_listen", `":8080" is listen's address too: /metrics is served apart from the platform endpoints`}}},
		{"both on any free port", minimal + "listen: 127.0.0.1:0\nmetrics_listen: 127.0.0.1:0\n", nil},
		{"timeouts out of range", minimal + "http: {read_timeout: 0s, write_timeout: 10s, idle_timeout: 2h}\n", []Problem{
			{"http.read_timeout", "0s is out of range: between 1s and 1m"},
			{"http.write_timeout", "10s is out of range: between 25s and 10m"},
			{"http.idle_timeout", "2h is out of range: between 1s and 1h"},
		}},
		{"sizes out of range", minimal + "http: {max_header_bytes: 100, max_connections: 1}\n", []Problem{
			{"http.max_header_bytes", "100 is out of range: between 4096 and 1048576"},
			{"http.max_connections", "1 is out of range: between 16 and 100000"},
		}},
		{"unknown field", minimal + "http: {max_conns: 10}\n", []Problem{
			{"http.max_conns", "unknown field (line 9)"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), nil)
			if got := problemsOf(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", lines(got), lines(tc.want))
			}
		})
	}
}
