package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/slackbot"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
)

// benchCommand is a slash command of the size Slack sends (~450 bytes).
func benchCommand(trigger string) []byte {
	return SlashCommand{
		TeamID: TeamID(0), TeamDomain: "kindcentrum-de-vaart", ChannelID: "C0GROEP5A1", ChannelName: "groep-5",
		UserID: TeacherUser(0, 1), UserName: "juf.marie", Text: "groep 5 onrust na gym",
		ResponseURL: "https://hooks.slack.com/commands/T0DEVAART1/1234567890123/aBcDeFgHiJkLmNoPqRsTuVwX",
		TriggerID:   trigger,
	}.Body()
}

const benchSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// BenchmarkSlackSignature is the signature check of every Slack request
// as adapters/slackbot does it (slack.NewSecretsVerifier, the body written
// into it, Ensure): HMAC-SHA256 over the body and a constant-time compare.
func BenchmarkSlackSignature(b *testing.B) {
	body := benchCommand("13345224609.738474920.8088930838d88f008e0")
	h := http.Header{}
	setSignature(h, benchSecret, time.Now(), body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		sv, err := slack.NewSecretsVerifier(h, benchSecret)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sv.Write(body); err != nil {
			b.Fatal(err)
		}
		if err := sv.Ensure(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign is hulpload's own signing of a request (its cost per
// request on the load side).
func BenchmarkSign(b *testing.B) {
	body := benchCommand("13345224609.738474920.8088930838d88f008e0")
	b.ReportAllocs()
	for b.Loop() {
		_ = Sign(benchSecret, 1764150000, body)
	}
}

// stubDispatcher answers every command with a fixed reply: what is
// measured is the adapter alone.
type stubDispatcher struct{}

func (stubDispatcher) Command(context.Context, handlers.Command) handlers.Reply {
	return handlers.Reply{Text: "Je hulpvraag voor groep 5 is doorgezet naar Anne (jeugdhulpverlener).\nJe krijgt bericht zodra er iemand komt. Toch niet nodig? Typ /hulp annuleer."}
}

func (stubDispatcher) Click(context.Context, handlers.Click) handlers.ClickReply {
	return handlers.ClickReply{}
}

func benchAdapter(b *testing.B) *slackbot.Adapter {
	b.Helper()
	l := Layout{Schools: 1, Helpers: 2, Listen: "127.0.0.1:1", RedisURL: "redis://127.0.0.1:1/0", RedisPrefix: "x",
		OfferTimeout: time.Minute, FollowUp: time.Hour, Secret: benchSecret, APIURL: "http://127.0.0.1:1/api/"}
	cfgText, err := l.Config()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "hulpbot.yaml")
	if err := os.WriteFile(path, cfgText, 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	dir, err := cfg.Directory()
	if err != nil {
		b.Fatal(err)
	}
	if _, ok := dir.ByTeam(slackbot.Platform, TeamID(0)); !ok {
		b.Fatal("no school")
	}
	a, err := slackbot.New(slackbot.Options{
		BotToken: "xoxb-bench", SigningSecret: benchSecret, APIURL: "http://127.0.0.1:1/api/",
		Dispatcher: stubDispatcher{}, Schools: dir, Redis: redistest.Client(b), Prefix: redistest.Prefix(b),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkServeCommand is the Slack adapter's whole slash-command
// endpoint with a stub behind it: read the body, check the signature,
// parse the form, the repeat check in Redis (two calls: REDIS_URL, else an
// embedded Redis) and the JSON answer.
func BenchmarkServeCommand(b *testing.B) {
	a := benchAdapter(b)
	ts := time.Now()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		body := benchCommand("bench." + time.Now().Format("150405.000000") + "." + itoa(i))
		req := httptest.NewRequest(http.MethodPost, "/slack/command", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		setSignature(req.Header, benchSecret, ts, body)
		w := httptest.NewRecorder()
		a.ServeCommand(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkServeCommandBadSignature is the same endpoint refusing a
// request whose signature is wrong: no Redis, no parsing.
func BenchmarkServeCommandBadSignature(b *testing.B) {
	a := benchAdapter(b)
	body := benchCommand("bench.bad")
	ts := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/slack/command", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		setSignature(req.Header, "not-the-secret", ts, body)
		w := httptest.NewRecorder()
		a.ServeCommand(w, req)
		if w.Code != http.StatusUnauthorized {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
