package redisurl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want URL
	}{
		{"redis://127.0.0.1:6379/0", URL{Addrs: []string{"127.0.0.1:6379"}}},
		{"rediss://u:p@redis.example:6380", URL{TLS: true, Addrs: []string{"redis.example:6380"}}},
		{"unix:///run/redis.sock", URL{Addrs: []string{"/run/redis.sock"}}},
		{"redis+cluster://10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000",
			URL{Kind: Cluster, Addrs: []string{"10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000"}, Query: map[string][]string{}}},
		{"rediss+cluster://hb:geheim@node1:7000/0?pool_size=20",
			URL{Kind: Cluster, TLS: true, Addrs: []string{"node1:7000"}, Username: "hb", Password: "geheim", Query: map[string][]string{"pool_size": {"20"}}}},
		{"redis+sentinel://:geheim@s1:26379,s2:26379,s3:26379/hulpbot",
			URL{Kind: Sentinel, Addrs: []string{"s1:26379", "s2:26379", "s3:26379"}, Password: "geheim", Master: "hulpbot", Query: map[string][]string{}}},
		{"redis+sentinel://s1:26379/hulpbot/3?sentinel_password=wacht&dial_timeout=2s",
			URL{Kind: Sentinel, Addrs: []string{"s1:26379"}, Master: "hulpbot", DB: 3, SentinelPassword: "wacht", Query: map[string][]string{"dial_timeout": {"2s"}}}},
	} {
		got, err := Parse(tc.raw)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.raw, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.raw, got, tc.want)
		}
		if got.Kind.String() == "" {
			t.Errorf("Kind %d has no name", got.Kind)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ raw, says string }{
		{"localhost:6379", "is not a redis://"},
		{"mysql://h:1/0", "redis+cluster://"},
		{"redis://", "no host"},
		{"unix://", "socket"},
		{"redis+cluster://", "no addresses"},
		{"redis+cluster://h1", "host:port"},
		{"redis+cluster://h1:7000,:7001", "host:port"},
		{"redis+cluster://h1:0", "port"},
		{"redis+cluster://h1:7000/3", "only database 0"},
		{"redis+cluster:h1:7000", "after //"},
		{"redis+cluster://h1:7000?addr=h2:7000", "addr"},
		{"redis+sentinel://s1:26379", "master's name"},
		{"redis+sentinel://s1:26379/m/x", "number"},
		{"redis+sentinel://s1:26379/m/0/1", "master's name"},
		{"redis+sentinel://s1:26379/m?master_name=n", "master_name"},
		{"redis+sentinel://s1:26379/m?password=geheim", "password"},
		{"redis+sentinel://s1:26379/m#x", "fragment"},
		{"redis+cluster://" + strings.Repeat("h:1,", 64) + "h:1", "more than 64"},
	} {
		_, err := Parse(tc.raw)
		if err == nil {
			t.Errorf("Parse(%q): no error", tc.raw)
			continue
		}
		if !errors.Is(err, ErrURL) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Parse(%q) = %v, want ErrURL saying %q", tc.raw, err, tc.says)
		}
	}
	// A refusal does not repeat the password.
	if _, err := Parse("redis+sentinel://:geheim@s1:26379"); err == nil || strings.Contains(err.Error(), "geheim") {
		t.Errorf("error %v repeats the password", err)
	}
}

// FuzzParse: Parse never panics; what it accepts has addresses, each
// host:port for a cluster or the sentinels, and a master for Sentinel.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"redis://127.0.0.1:6379/0", "redis+cluster://a:1,b:2", "redis+sentinel://:p@s:26379/m/1?sentinel_password=x",
		"unix:///s.sock", "rediss+cluster://u:p@h:7000/0?pool_size=3", "redis+sentinel://s:1/", "redis+cluster://a:1,,b:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, ErrURL) {
				t.Fatalf("error %v does not wrap ErrURL", err)
			}
			return
		}
		if len(u.Addrs) == 0 {
			t.Fatalf("Parse(%q): no addresses", raw)
		}
		if u.Kind == Sentinel && u.Master == "" {
			t.Fatalf("Parse(%q): Sentinel without a master", raw)
		}
		if u.Kind != Single && len(u.Addrs) > maxAddrs {
			t.Fatalf("Parse(%q): %d addresses", raw, len(u.Addrs))
		}
	})
}
