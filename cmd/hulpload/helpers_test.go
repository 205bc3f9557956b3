package main

import (
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/hulpbot/hulpbot/adapters/slackbot"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/config"
)

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// checkHulpbotConfig loads a generated file the way hulpbot does and
// checks the directory it makes.
func checkHulpbotConfig(t *testing.T, path string, l Layout) {
	t.Helper()
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatalf("hulpbot does not load the generated configuration: %v", err)
	}
	if cfg.Slack == nil || cfg.Slack.SigningSecret != l.Secret || cfg.Slack.APIURL != l.APIURL || cfg.RedisPrefix != l.RedisPrefix {
		t.Errorf("slack section %+v, prefix %q", cfg.Slack, cfg.RedisPrefix)
	}
	if l.MetricsListen != "" && cfg.MetricsListen != l.MetricsListen {
		t.Errorf("metrics_listen %q, want %q", cfg.MetricsListen, l.MetricsListen)
	}
	if cfg.OfferTimeout.Duration != l.OfferTimeout {
		t.Errorf("offer_timeout %v, want %v", cfg.OfferTimeout.Duration, l.OfferTimeout)
	}
	dir, err := cfg.Directory()
	if err != nil {
		t.Fatal(err)
	}
	if len(dir.Schools()) != l.Schools {
		t.Fatalf("%d schools, want %d", len(dir.Schools()), l.Schools)
	}
	for s := range l.Schools {
		sc, ok := dir.ByTeam(slackbot.Platform, TeamID(s))
		if !ok || sc.ID != SchoolID(s) {
			t.Fatalf("team %s: school %v %v", TeamID(s), sc, ok)
		}
		if len(sc.Helpers) != l.Helpers {
			t.Errorf("school %d: %d helpers", s, len(sc.Helpers))
		}
		for h := range l.Helpers {
			hp, ok := sc.Helper(bot.Address{Platform: slackbot.Platform, Handle: HelperUser(l.owner(s), h)})
			if !ok || !hp.Schedule.Always {
				t.Errorf("helper %s: %+v %v", HelperUser(l.owner(s), h), hp, ok)
			}
		}
		if _, ok := sc.Group(Group); !ok {
			t.Errorf("school %d has no group %s", s, Group)
		}
	}
}
