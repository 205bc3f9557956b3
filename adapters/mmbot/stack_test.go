package mmbot

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/outbox"
	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/internal/personlang"
	"github.com/hulpbot/hulpbot/message"
)

// The verbatim payloads a real Mattermost 11.4 sent (testdata/payloads,
// from the project's shared notes): the team and token below are theirs.
const (
	payloadTeamID   = "s9xwnbgzk7yw7cxb98roiomdga"
	payloadTeamName = "school"
	payloadToken    = "gdrnykogepg8im1csebk36tm3h"
	payloadUserID   = "qcrbo1butfgmfnkiashtxkcahw"
	otherTeamID     = "klimteam000000000000000000"
	klimToken       = "klimtokenklimtokenklimtoke"
	testSecret      = "test-action-secret-0123456789"
)

// testConfig has two schools on one Mattermost: De Vaart in the team of
// the payloads, De Klim in another, each team with its own /hulp token.
const testConfig = `
redis_url: redis://unused
mattermost:
  url: http://unused
  bot_token: bot-token
  command_tokens:
    school: ` + payloadToken + `
    klim: ` + klimToken + `
  public_url: http://hulpbot.test
schools:
  - id: de-vaart
    name: De Vaart
    mattermost_team: school
    groups: ["3", "4", "5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, mattermost: anne, schedule: [altijd]}
      - {name: Bram, role: cjg-coach, mattermost: bram, schedule: [altijd]}
    coordinators:
      - {name: Sanne, mattermost: ib.sanne}
  - id: de-klim
    name: De Klim
    mattermost_team: klim
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Kees, role: cjg-coach, mattermost: kees, schedule: [altijd]}
`

func testDirectory(t testing.TB) *bot.Directory {
	t.Helper()
	dir, _ := testConfigParts(t)
	return dir
}

// testConfigParts are the schools of testConfig and its command tokens by
// team, as a deployment reads them.
func testConfigParts(t testing.TB) (*bot.Directory, map[string]string) {
	t.Helper()
	return configParts(t, testConfig)
}

// configParts are the schools of the configuration yaml and its command
// tokens by team.
func configParts(t testing.TB, yaml string) (*bot.Directory, map[string]string) {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), nil)
	if err != nil {
		t.Fatalf("test config: %v", err)
	}
	dir, err := cfg.Directory()
	if err != nil {
		t.Fatalf("test config: %v", err)
	}
	return dir, cfg.MattermostCommandTokens()
}

// stack is hulpbot's real command path on a test Redis — store, core,
// handlers, notifier — with the Mattermost adapter in front, its sender
// posting to a fake Mattermost, and its endpoints on an httptest server.
type stack struct {
	t       *testing.T
	mm      *fakeMM
	rdb     redis.UniversalClient
	prefix  string
	store   *redisstore.Store
	svc     *bot.Service
	dir     *bot.Directory
	adapter *Adapter
	srv     *httptest.Server
}

// stackOption changes the adapter's options, or (withOutbox) the stack.
type stackOption func(*Options, *stackSetup)

type stackSetup struct {
	async   bool
	config  string // testConfig when empty
	closing bool   // the reply to klaar asks what help was given
}

// withConfig runs the stack on another configuration of the same two
// teams and tokens.
func withConfig(yaml string) stackOption {
	return func(_ *Options, s *stackSetup) { s.config = yaml }
}

// withClock is the adapter's clock (its caches and the buttons' expiry);
// the core keeps the real one.
func withClock(now func() time.Time) stackOption {
	return func(o *Options, _ *stackSetup) { o.Now = now }
}

// withOutbox has the outbox deliver in its own goroutines, as configured
// deployments run; without it, what a change queues is delivered before
// the change returns (outbox.Options.Sync), so a test sees it at once.
// Either way its worker retries every few milliseconds.
func withOutbox(o *Options, s *stackSetup) { s.async = true }

func newStack(t *testing.T, opts ...stackOption) *stack {
	t.Helper()
	s := &stack{t: t, mm: newFakeMM(t), rdb: redistest.Client(t), prefix: redistest.Prefix(t)}
	var setup stackSetup
	for _, f := range opts {
		f(&Options{}, &setup)
	}
	var tokens map[string]string
	s.dir, tokens = configParts(t, cmp.Or(setup.config, testConfig))
	s.mm.addTeam(payloadTeamName, payloadTeamID)
	s.mm.addTeam("klim", otherTeamID)
	s.mm.addUserID("juf.anna", payloadUserID) // who sent the verbatim payloads
	for _, u := range []string{"anne", "bram", "ib.sanne", "kees"} {
		s.mm.addUser(u)
	}
	s.mm.addChannel(payloadTeamID, "kernteam", true, true)
	s.mm.addChannel(otherTeamID, "kernteam", true, true)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// As deployed: each change queues its notices in the outbox, which puts
	// them in words, delivers, retries and de-duplicates.
	s.store = redisstore.New(s.rdb, s.prefix, log)
	s.store.UsePools(s.dir)
	box := outbox.New(s.rdb, s.prefix, []string{"de-vaart", "de-klim"}, adapterSender{s}, time.Now, outbox.Options{
		Poll:    5 * time.Millisecond,
		Backoff: func(int) time.Duration { return 20 * time.Millisecond },
		Sync:    !setup.async,
	}, log)
	box.SetBases(s.store)
	s.store.SetCourier(box)
	s.svc = bot.NewService(s.store, nil, log)
	s.svc.UseDirectory(s.dir)
	renderer := catalog.NewNoticeRenderer(s.dir, s.svc)
	renderer.UseLanguages(personlang.New(s.rdb, s.prefix, s.store.Pseudonyms(), log))
	box.SetRenderer(renderer)
	hopts := []handlers.Option{handlers.WithConsults(s.svc)}
	if setup.closing {
		hopts = append(hopts, handlers.WithClosing(bot.NewClosings(s.store, log)))
	}
	cmds := handlers.New(s.svc, time.Now, log, hopts...)
	o := Options{
		URL:           s.mm.URL(),
		BotToken:      "bot-token",
		CommandTokens: tokens,
		PublicURL:     "http://hulpbot.test",
		Dir:           s.dir,
		Dispatcher:    cmds,
		Redis:         s.rdb,
		RedisPrefix:   s.prefix,
		Pseudonyms:    s.store.Pseudonyms(),
		Log:           log,
	}
	for _, f := range opts {
		f(&o, &setup)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	s.adapter = a
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); box.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	mux := http.NewServeMux()
	a.Register(mux)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

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

// hook is one request Mattermost made, as recorded in the payload files.
type hook struct {
	Path          string  `json:"path"`
	ContentType   string  `json:"content_type"`
	Authorization *string `json:"authorization"`
	RawBody       string  `json:"raw_body"`
}

// payloads reads testdata/payloads/<name>: the slash command and the click.
func payloads(t testing.TB, name string) (command, click hook) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "payloads", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var h hook
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch h.Path {
		case "/hulp":
			command = h
		case "/action":
			click = h
		}
	}
	if command.RawBody == "" || click.RawBody == "" {
		t.Fatalf("%s: want a /hulp and an /action request", name)
	}
	return command, click
}

// commandForm is the verbatim slash command with some fields changed
// (value "" deletes the field).
func commandForm(t testing.TB, change map[string]string) string {
	t.Helper()
	cmd, _ := payloads(t, "hook-requests.jsonl")
	v, err := url.ParseQuery(cmd.RawBody)
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range change {
		if val == "" {
			v.Del(k)
		} else {
			v.Set(k, val)
		}
	}
	return v.Encode()
}

// post sends body to path with headers; it returns the status and body.
func (s *stack) post(path, contentType, body string, header map[string]string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// command runs "/hulp text" as user through the endpoint, as Mattermost
// does, and returns the ephemeral answer.
func (s *stack) command(user, text string) *model.CommandResponse {
	s.t.Helper()
	// Each command has a response URL of its own, as on the real server.
	body := commandForm(s.t, map[string]string{"user_name": user, "user_id": s.mm.idOf(user), "text": text, "trigger_id": fmt.Sprintf("trigger-%s-%d", user, time.Now().UnixNano()),
		"response_url": "http://127.0.0.1:8065/hooks/commands/" + model.NewId()})
	status, out := s.post(CommandPath, "application/x-www-form-urlencoded", body, map[string]string{"Authorization": "Token " + payloadToken})
	if status != http.StatusOK {
		s.t.Fatalf("command %q as %s: HTTP %d %s", text, user, status, out)
	}
	var r model.CommandResponse
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		s.t.Fatalf("command answer %q: %v", out, err)
	}
	if r.ResponseType != model.CommandResponseTypeEphemeral {
		s.t.Errorf("command answer type %q, want ephemeral", r.ResponseType)
	}
	return &r
}

// click presses action on post as user, the way Mattermost calls
// hulpbot: the verbatim click payload with the post's own context.
func (s *stack) click(user string, p *model.Post, action string, teamID string) *model.PostActionIntegrationResponse {
	s.t.Helper()
	var a *model.PostAction
	for _, x := range actions(p) {
		if x.Id == action {
			a = x
		}
	}
	if a == nil {
		s.t.Fatalf("post %s has no action %q", p.Id, action)
	}
	if a.Integration == nil || a.Integration.URL != "http://hulpbot.test"+ActionPath {
		s.t.Fatalf("action %q integration = %+v, want a call to hulpbot's action endpoint", action, a.Integration)
	}
	return s.clickWith(clickReq{user: user, userID: s.mm.idOf(user), post: p.Id, channel: p.ChannelId, team: teamID, context: a.Integration.Context})
}

// replyPost is a command's ephemeral answer as Mattermost shows it: a
// post of its own, which it never stores, in channel.
func replyPost(r *model.CommandResponse, channel string) *model.Post {
	p := &model.Post{Id: "ephemeralpost0000000000001", ChannelId: channel, Message: r.Text}
	p.AddProp(model.PostPropsAttachments, r.Attachments)
	return p
}

// tapReply presses action on a command's ephemeral answer p as user, and
// returns what user sees next: the new ephemeral post the click's answer
// made through the command's response URL (its text and buttons), or
// else the click's ephemeral_text. Mattermost cannot apply an update to
// an ephemeral post (the click fails), so an update is an error.
func (s *stack) tapReply(user string, p *model.Post, action, teamID string) (string, *model.Post) {
	s.t.Helper()
	before := len(s.mm.hookReplies())
	resp := s.click(user, p, action, teamID)
	if resp.Update != nil {
		s.t.Errorf("click on an ephemeral post answered with an update (Mattermost fails the click): %q", resp.Update.Message)
	}
	replies := s.mm.hookReplies()[before:]
	switch len(replies) {
	case 0:
		return resp.EphemeralText, nil
	case 1:
		if resp.EphemeralText != "" {
			s.t.Errorf("click answered both through the response URL and with ephemeral_text %q", resp.EphemeralText)
		}
		r := replies[0].Resp
		if r.ResponseType != model.CommandResponseTypeEphemeral {
			s.t.Errorf("response URL post of type %q, want ephemeral", r.ResponseType)
		}
		next := replyPost(&r, p.ChannelId)
		s.mm.mu.Lock()
		next.Id = s.mm.nextID("ephemeral")
		s.mm.mu.Unlock()
		return r.Text, next
	default:
		s.t.Fatalf("one click made %d posts through the response URL", len(replies))
		return "", nil
	}
}

// clickReq is a click as Mattermost sends it: who (user_name and the
// user_id Mattermost sets), on which post in which channel, from which
// team (none in a direct message), with the button's context.
type clickReq struct {
	user, userID, post, channel, team string
	context                           map[string]any
}

// clickWith sends c to the action endpoint, which must answer 200.
func (s *stack) clickWith(c clickReq) *model.PostActionIntegrationResponse {
	s.t.Helper()
	status, out := s.post(ActionPath, "application/json", clickBody(s.t, c), nil)
	if status != http.StatusOK {
		s.t.Fatalf("click as %s: HTTP %d %s", c.user, status, out)
	}
	var r model.PostActionIntegrationResponse
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		s.t.Fatalf("click answer %q: %v", out, err)
	}
	return &r
}

// clickBody is the verbatim click payload with user, post, channel,
// context and team replaced (a click in a direct message has no team).
func clickBody(t testing.TB, c clickReq) string {
	t.Helper()
	_, click := payloads(t, "hook-requests.jsonl")
	var m map[string]any
	if err := json.Unmarshal([]byte(click.RawBody), &m); err != nil {
		t.Fatal(err)
	}
	m["user_name"], m["user_id"], m["post_id"], m["context"] = c.user, c.userID, c.post, c.context
	m["channel_id"], m["team_id"] = c.channel, c.team
	if c.team == "" {
		delete(m, "team_domain")
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshot is every key under the stack's prefix with its value, to prove
// that a refused request changed nothing.
func (s *stack) snapshot() string {
	s.t.Helper()
	ctx := context.Background()
	keys, err := redistest.Keys(ctx, s.rdb, s.prefix+":*")
	if err != nil {
		s.t.Fatal(err)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	for _, k := range keys {
		typ := s.rdb.Type(ctx, k).Val()
		var v any
		switch typ {
		case "string":
			v = s.rdb.Get(ctx, k).Val()
		case "hash":
			v = s.rdb.HGetAll(ctx, k).Val()
		case "zset":
			v = s.rdb.ZRangeWithScores(ctx, k, 0, -1).Val()
		case "set":
			m := s.rdb.SMembers(ctx, k).Val()
			slices.Sort(m)
			v = m
		case "list":
			v = s.rdb.LRange(ctx, k, 0, -1).Val()
		}
		fmt.Fprintf(&b, "%s %s %v\n", k, typ, v)
	}
	return b.String()
}

// request reads a request from the store.
func (s *stack) request(school, id string) bot.Request {
	s.t.Helper()
	r, err := s.store.Request(context.Background(), school, id)
	if err != nil {
		s.t.Fatalf("request %s: %v", id, err)
	}
	return r
}

// offerPost is the last post in username's direct channel, which must
// have buttons.
func (s *stack) offerPost(username string) *model.Post {
	s.t.Helper()
	posts := s.mm.postsTo(s.mm.dmOf(username))
	if len(posts) == 0 {
		s.t.Fatalf("%s got no direct message", username)
	}
	p := posts[len(posts)-1]
	if len(actions(p)) == 0 {
		s.t.Fatalf("%s's last direct message has no buttons: %q", username, p.Message)
	}
	return p
}

// requestOf is the request a post's first button names, as the context
// says (read without verifying).
func requestOf(t testing.TB, p *model.Post) (string, int) {
	t.Helper()
	a := actions(p)
	if len(a) == 0 {
		t.Fatalf("post %s has no buttons", p.Id)
	}
	c := a[0].Integration.Context
	id, _ := c[ctxRequest].(string)
	n, _ := parseDecimal(fmt.Sprint(c[ctxOffer]), 6)
	return id, int(n)
}
