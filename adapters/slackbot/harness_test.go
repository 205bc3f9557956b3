package slackbot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/outbox"
	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/internal/personlang"
	"github.com/hulpbot/hulpbot/message"
)

const (
	secret  = "8f742231b10e8888abcd99yyyzzz85a5"
	team    = "T0DEVAART1"
	anneID  = "U0ANNE0001"
	bramID  = "U0BRAM0001"
	marieID = "U0MARIE001"
)

// stack is hulpbot with the Slack adapter on the real store, core and
// handlers, against a fake Slack: what a Slack request does can be
// checked in Redis and in what the fake received.
type stack struct {
	t       *testing.T
	fake    *slackfake.Server
	rdb     redis.UniversalClient // the store's and the outbox's
	ardb    redis.UniversalClient // the adapter's: rdb unless ownRedis
	prefix  string
	store   *redisstore.Store
	svc     *bot.Service
	school  *bot.School
	adapter *Adapter
	http    *httptest.Server // hulpbot's endpoints
	logs    *syncBuffer
	trigger atomic.Int64
}

// stackConfig is how a test wants its stack: the adapter's options, and
// how notices reach the Sender.
type stackConfig struct {
	Options
	// ownRedis gives the adapter a Redis client of its own, so a test can
	// count the adapter's round trips apart from the store's and the
	// outbox's.
	ownRedis bool
	// configFile is the configuration instead of testdata/hulpbot.yaml.
	configFile string
}

type stackOpt func(*stackConfig)

func newStack(t *testing.T, opts ...stackOpt) *stack {
	t.Helper()
	var pre stackConfig
	for _, f := range opts {
		f(&pre)
	}
	cfg, err := config.Load(cmp.Or(pre.configFile, "testdata/hulpbot.yaml"), func(k string) string {
		return map[string]string{"SIGNING_SECRET": secret}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := cfg.Directory()
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := dir.ByTeam(Platform, team)
	s := &stack{t: t, fake: slackfake.New(t), rdb: redistest.Client(t), prefix: redistest.Prefix(t), school: sc, logs: &syncBuffer{}}
	s.ardb = s.rdb
	log := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tokens, fallback := cfg.SlackBotTokens()
	c := stackConfig{Options: Options{
		Workspaces: tokens, BotToken: fallback, SigningSecret: cfg.Slack.SigningSecret, APIURL: s.fake.APIURL(),
		Schools: dir, Prefix: s.prefix, Log: log,
		HTTPTimeout: 2 * time.Second,
		Backoff:     Backoff{Wait: 50 * time.Millisecond, MaxWait: 200 * time.Millisecond, Window: time.Minute},
	}}
	for _, f := range opts {
		f(&c)
	}
	if c.ownRedis {
		s.ardb = redistest.Client(t)
	}
	c.Redis = s.ardb
	// As deployed: each change queues its notices in the outbox, which puts
	// them in words, delivers, retries and de-duplicates; its worker looks
	// every few milliseconds here.
	s.store = redisstore.New(s.rdb, s.prefix, log)
	c.Pseudonyms = s.store.Pseudonyms()
	var ids []string
	for _, sc := range dir.Schools() {
		ids = append(ids, sc.ID)
	}
	box := outbox.New(s.rdb, s.prefix, ids, adapterSender{s}, time.Now, outbox.Options{
		Poll:        5 * time.Millisecond,
		Backoff:     func(int) time.Duration { return 20 * time.Millisecond },
		MaxAttempts: 1000,
	}, log)
	s.store.SetCourier(box)
	s.svc = bot.NewService(s.store, nil, log)
	renderer := catalog.NewNoticeRenderer(dir, s.svc)
	renderer.UseLanguages(personlang.New(s.rdb, s.prefix, s.store.Pseudonyms(), log))
	box.SetRenderer(renderer)
	c.Dispatcher = handlers.New(s.svc, time.Now, log, handlers.WithConsults(s.svc))
	s.adapter, err = New(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	bg.Go(func() { s.adapter.Run(ctx) })
	bg.Go(func() { box.Run(ctx) })
	t.Cleanup(func() { cancel(); bg.Wait() })
	mux := http.NewServeMux()
	s.adapter.Register(mux)
	s.http = httptest.NewServer(mux)
	t.Cleanup(s.http.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hulpbot log:\n%s", s.logs.String())
		}
	})
	return s
}

// answer is the JSON answer to a slash command, decoded.
type answer = slackfake.Response

// adapterSender is the stack's adapter's Sender, made before the adapter
// is: the outbox needs it first.
type adapterSender struct{ s *stack }

var (
	_ message.Sender  = adapterSender{}
	_ message.Checker = adapterSender{}
)

func (a adapterSender) Send(ctx context.Context, m message.Message) error {
	return a.s.adapter.Sender().Send(ctx, m)
}

func (a adapterSender) Delivered(ctx context.Context, m message.Message) (bool, error) {
	return a.s.adapter.Sender().Delivered(ctx, m)
}

// syncBuffer is a log sink several goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// post sends body to path, signed now with the test secret.
func (s *stack) post(path string, body []byte, h http.Header) (int, []byte, time.Duration) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.http.URL+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if h == nil {
		slackfake.Sign(req.Header, secret, time.Now(), body)
	} else {
		for k, v := range h {
			req.Header[k] = v
		}
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, time.Since(start)
}

// command types "/hulp text" as user and returns the answer.
func (s *stack) command(user, name, text string) (answer, string) {
	s.t.Helper()
	n := int(s.trigger.Add(1))
	trigger := "trig-" + strings.ReplaceAll(s.t.Name(), "/", "-") + "-" + itoa(n)
	p := s.commandWith(slackfake.Command{TeamID: team, ChannelID: "C0GROEP5A1", UserID: user, UserName: name, Text: text,
		TriggerID: trigger, ResponseURL: s.fake.ResponseURL("cmd-" + itoa(n))}, nil)
	return p, trigger
}

func (s *stack) commandWith(c slackfake.Command, h http.Header) answer {
	s.t.Helper()
	status, body, _ := s.post("/slack/command", []byte(c.Form().Encode()), h)
	if status != http.StatusOK {
		s.t.Fatalf("POST /slack/command = %d %s, want 200", status, body)
	}
	var p answer
	if len(body) > 0 {
		if err := json.Unmarshal(body, &p); err != nil {
			s.t.Fatalf("answer %q: %v", body, err)
		}
	}
	return p
}

// offer waits for the n-th DM with buttons to user and returns it.
func (s *stack) offer(user string, n int) slackfake.Call {
	s.t.Helper()
	dm := "D" + user[1:]
	var got slackfake.Call
	s.fake.Wait(s.t, "DM with buttons to "+user, 5*time.Second, func([]slackfake.Call) bool {
		k := 0
		for _, c := range s.fake.Posted(dm) {
			if strings.Contains(c.Form.Get("blocks"), `"actions"`) {
				if k++; k == n {
					got = c
					return true
				}
			}
		}
		return false
	})
	return got
}

// click presses button b of the message m as user; id names its response_url.
func (s *stack) click(user, name string, m slackfake.Call, b slackfake.Button, id string) int {
	s.t.Helper()
	n := int(s.trigger.Add(1))
	c := slackfake.Click{TeamID: team, UserID: user, UserName: name, ChannelID: m.Channel, MessageTS: m.TS,
		ResponseURL: s.fake.ResponseURL(id), TriggerID: "click-" + itoa(n), ActionTS: "1764150061.0" + itoa(n), Button: b}
	status, body, _ := s.post("/slack/interactivity", []byte(c.Form().Encode()), nil)
	if status != http.StatusOK {
		s.t.Fatalf("POST /slack/interactivity = %d %s", status, body)
	}
	return status
}

// keys lists the Redis keys under the test's prefix.
func (s *stack) keys() []string {
	s.t.Helper()
	ks, err := redistest.Keys(context.Background(), s.rdb, s.prefix+":*")
	if err != nil {
		s.t.Fatal(err)
	}
	if s.ardb != s.rdb {
		more, err := redistest.Keys(context.Background(), s.ardb, s.prefix+":*")
		if err != nil {
			s.t.Fatal(err)
		}
		ks = append(ks, more...)
	}
	return ks
}

// requestKeys lists the keys of requests (not the adapter's own).
func (s *stack) requestKeys() []string {
	var out []string
	for _, k := range s.keys() {
		if strings.Contains(k, ":req:") {
			out = append(out, k)
		}
	}
	return out
}

func (s *stack) request(id string) bot.Request {
	s.t.Helper()
	r, err := s.store.Request(context.Background(), s.school.ID, id)
	if err != nil {
		s.t.Fatalf("request %s: %v", id, err)
	}
	return r
}

// requestOf reads the request id out of a button.
func requestOf(t *testing.T, b slackfake.Button) string {
	t.Helper()
	_, id, _, err := decodeButton(b.ActionID, b.Value)
	if err != nil {
		t.Fatalf("button %+v: %v", b, err)
	}
	return id
}

func itoa(n int) string { return strconv.Itoa(n) }

func formOf(t *testing.T, body string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
