package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
)

const slackSecret = "e2e-signing-secret-0123456789"

// slackRun is hulpbot started by run with a configuration whose Slack
// section points at a fake Slack.
type slackRun struct {
	t      *testing.T
	base   string // hulpbot's HTTP address
	fake   *slackfake.Server
	store  *redisstore.Store
	rdb    *redis.Client
	prefix string
	logs   *lockedBuffer
	n      int
	stop   func() // ends hulpbot and waits for it; the test's end does too
	cfg    string // the configuration file it runs with
	getenv func(string) string
}

// slackPeople are the people of de-vaart in startSlack's configuration.
const slackPeople = `    helpers:
      - {name: Anne, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: ["altijd"], groups: ["3", "4", "5"]}
      - {name: Bram, role: cjg-coach, slack: U0BRAM0001, schedule: ["altijd"]}
`

func startSlack(t *testing.T) *slackRun {
	t.Helper()
	return startSlackWith(t, slackPeople, "text")
}

// startSlackWith starts hulpbot with people (YAML of de-vaart's helpers
// and coordinators) and its log in logFormat.
func startSlackWith(t *testing.T, people, logFormat string) *slackRun {
	t.Helper()
	fake := slackfake.New(t)
	return startSlackConfig(t, fake, fmt.Sprintf(`slack:
  bot_token: ${HULPBOT_SLACK_BOT_TOKEN}
  signing_secret: ${HULPBOT_SLACK_SIGNING_SECRET}
  api_url: %q
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    slack_team: T0DEVAART1
    groups: ["3", "4", "5"]
    fallback_channel: kernteam
%s`, fake.APIURL(), people), map[string]string{"HULPBOT_SLACK_BOT_TOKEN": "xoxb-e2e"}, logFormat)
}

// startSlackConfig starts hulpbot against fake with the configuration
// text (its listen address added), the signing secret and vars in its
// environment, and its log in logFormat.
func startSlackConfig(t *testing.T, fake *slackfake.Server, text string, vars map[string]string, logFormat string) *slackRun {
	t.Helper()
	redisURL := testRedisURL(t)
	addr := freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, fmt.Sprintf("listen: %q\n", addr)+text)
	all := map[string]string{"REDIS_URL": redisURL, "HULPBOT_SLACK_SIGNING_SECRET": slackSecret}
	for k, v := range vars {
		all[k] = v
	}
	getenv := env(t, all)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hulpbot", "-config", cfg, "-log-level", "debug", "-log-format", logFormat}, getenv, strings.NewReader(""), io.Discard, logs)
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hulpbot log:\n%s", logs.String())
		}
	})
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("hulpbot did not stop within 15s of its context ending")
			}
		})
	}
	t.Cleanup(stop)
	base := "http://" + addr
	waitFor(t, base+"/healthz")
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	prefix := getenv("HULPBOT_REDIS_PREFIX")
	return &slackRun{t: t, base: base, fake: fake, store: redisstore.New(rdb, prefix, nil), rdb: rdb, prefix: prefix, logs: logs, stop: stop, cfg: cfg, getenv: getenv}
}

// settled stops hulpbot, which first finishes the deliveries under way and
// records them, and checks that no message waits in its outbox: what Slack
// has then is all it will get.
func (s *slackRun) settled() {
	s.t.Helper()
	s.stop()
	for _, school := range []string{"de-vaart", "_"} { // "_": messages of no school
		for _, lane := range []string{"urgent", "queue"} {
			key := s.prefix + ":{" + school + "}:outbox:" + lane
			if n, err := s.rdb.ZCard(context.Background(), key).Result(); n != 0 || err != nil {
				s.t.Errorf("ZCARD %s = %d, %v; want nothing waiting", key, n, err)
			}
		}
	}
}

// post sends a signed request to hulpbot, as Slack would.
func (s *slackRun) post(path string, form url.Values) (int, []byte, time.Duration) {
	s.t.Helper()
	body := []byte(form.Encode())
	req, err := http.NewRequest(http.MethodPost, s.base+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slackfake.Sign(req.Header, slackSecret, time.Now(), body)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, time.Since(start)
}

// hulp types "/hulp text" as user and returns the answer's text.
func (s *slackRun) hulp(user, name, text string) string {
	s.t.Helper()
	s.n++
	status, body, took := s.post("/slack/command", slackfake.Command{TeamID: "T0DEVAART1", ChannelID: "C0GROEP5A1", UserID: user, UserName: name,
		Text: text, TriggerID: fmt.Sprintf("e2e-trigger-%d", s.n), ResponseURL: s.fake.ResponseURL(fmt.Sprintf("cmd-%d", s.n))}.Form())
	if status != http.StatusOK {
		s.t.Fatalf("/hulp %s = %d %s", text, status, body)
	}
	if took > 2*time.Second {
		s.t.Errorf("/hulp %s took %s; Slack gives 3s", text, took)
	}
	var ans slackfake.Response
	if err := json.Unmarshal(body, &ans); err != nil || ans.ResponseType != "ephemeral" {
		s.t.Fatalf("/hulp %s answered %s (%v), want ephemeral JSON", text, body, err)
	}
	return ans.Text
}

// press clicks button i of message m as user; id names the response_url.
func (s *slackRun) press(user, name string, m slackfake.Call, i int, id string) {
	s.t.Helper()
	s.n++
	b := slackfake.Buttons(s.t, m)[i]
	c := slackfake.Click{TeamID: "T0DEVAART1", UserID: user, UserName: name, ChannelID: m.Channel, MessageTS: "1764150000.000001",
		ResponseURL: s.fake.ResponseURL(id), TriggerID: fmt.Sprintf("e2e-click-%d", s.n), ActionTS: fmt.Sprintf("1764150061.%06d", s.n), Button: b}
	if status, body, took := s.post("/slack/interactivity", c.Form()); status != http.StatusOK || took > time.Second {
		s.t.Fatalf("click = %d %s after %s", status, body, took)
	}
}

// dms waits for the n-th message in a conversation and returns them all.
func (s *slackRun) posts(channel string, n int) []slackfake.Call {
	s.t.Helper()
	s.fake.Wait(s.t, fmt.Sprintf("%d messages in %s", n, channel), 5*time.Second, func([]slackfake.Call) bool {
		return len(s.fake.Posted(channel)) >= n
	})
	return s.fake.Posted(channel)
}

func (s *slackRun) response(id string) slackfake.Response {
	s.t.Helper()
	s.fake.Wait(s.t, "a post to response_url "+id, 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses(id)) > 0 })
	return s.fake.Responses(id)[0]
}

func (s *slackRun) request(m slackfake.Call) bot.Request {
	s.t.Helper()
	v := slackfake.Buttons(s.t, m)[0].Value // hb1:<action>:<request>:<offer>
	parts := strings.Split(v, ":")
	if len(parts) != 4 {
		s.t.Fatalf("button value %q", v)
	}
	r, err := s.store.Request(context.Background(), "de-vaart", parts[2])
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// TestSlackStory plays the story of one request (docs/architecture.md) on Slack against the real hulpbot
// server and a fake Slack: teacher /hulp groep 5 → helper DM with buttons →
// accept → message updated, teacher told; decline → next helper; nobody →
// fallback channel. It checks what Slack received and what Redis holds.
func TestSlackStory(t *testing.T) {
	s := startSlack(t)

	if got := s.hulp("U0MARIE001", "juf.marie", "groep 5 onrust na gym"); !strings.Contains(got, "doorgezet naar Anne (jeugdhulpverlener)") {
		t.Errorf("Marie's answer: %q", got)
	}
	offer := s.posts("D0ANNE0001", 1)[0]
	if txt := slackfake.BlockText(t, offer); !strings.Contains(txt, "Hulpvraag voor groep 5") || !strings.Contains(txt, "onrust na gym") {
		t.Errorf("Anne's DM: %q", txt)
	}
	if bs := slackfake.Buttons(t, offer); len(bs) != 2 || bs[0].Text.Text != "Ik kom eraan" || bs[1].Text.Text != "Kan nu niet" {
		t.Fatalf("Anne's buttons: %+v", bs)
	}
	if r := s.request(offer); r.State != bot.StateOffered || r.HelperID != "anne" || r.Requester.Handle != "U0MARIE001" {
		t.Errorf("in Redis: %+v, want offered to anne for U0MARIE001", r)
	}

	// Anne comes.
	s.press("U0ANNE0001", "anne", offer, 0, "anne-accept")
	if upd := s.response("anne-accept"); upd.ReplaceOriginal == nil || !*upd.ReplaceOriginal || !strings.Contains(upd.Text, "Anne komt eraan (groep 5)") {
		t.Errorf("Anne's message became %+v", upd)
	}
	if got := s.posts("D0MARIE001", 1)[0].Form.Get("text"); !strings.Contains(got, "Anne komt eraan voor groep 5") {
		t.Errorf("Marie was told %q", got)
	}
	if r := s.request(offer); r.State != bot.StateAccepted {
		t.Errorf("in Redis the request is %s, want accepted", r.State)
	}
	s.hulp("U0ANNE0001", "anne", "klaar")
	s.posts("D0MARIE001", 2) // "Anne heeft je hulpvraag afgesloten"

	// Next request: Anne cannot now, Bram is asked; Bram cannot either,
	// so the kernteam channel gets it and Marie is told honestly.
	s.hulp("U0MARIE001", "juf.marie", "groep 3")
	second := s.posts("D0ANNE0001", 2)[1]
	s.press("U0ANNE0001", "anne", second, 1, "anne-decline")
	if upd := s.response("anne-decline"); !strings.Contains(upd.Text, "doorgegeven") {
		t.Errorf("Anne's second message became %+v", upd)
	}
	toBram := s.posts("D0BRAM0001", 1)[0]
	if r := s.request(toBram); r.HelperID != "bram" || r.OfferNo != 2 {
		t.Errorf("in Redis: offered to %q, offer %d; want bram, offer 2", r.HelperID, r.OfferNo)
	}
	if got := s.posts("D0MARIE001", 3)[2].Form.Get("text"); !strings.Contains(got, "Bram") {
		t.Errorf("Marie was told %q, want that Bram is asked now", got)
	}
	s.press("U0BRAM0001", "bram", toBram, 1, "bram-decline")
	kernteam := s.posts("C0KERNTEAM", 1)[0]
	if txt := slackfake.BlockText(t, kernteam); !strings.Contains(txt, "Hulpvraag voor groep 3") {
		t.Errorf("the kernteam channel got %q", txt)
	}
	if got := s.posts("D0MARIE001", 4)[3].Form.Get("text"); !strings.Contains(got, "niemand beschikbaar") {
		t.Errorf("Marie was told %q, want that nobody is available", got)
	}
	if r := s.request(toBram); r.State != bot.StateEscalated {
		t.Errorf("in Redis the second request is %s, want escalated", r.State)
	}

	// The adapter's own keys are under the prefix and expire.
	keys, err := s.rdb.Keys(context.Background(), s.prefix+":slack:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("adapter keys: %v %v", keys, err)
	}
	for _, k := range keys {
		if ttl := s.rdb.TTL(context.Background(), k).Val(); ttl <= 0 || ttl > 72*time.Hour {
			t.Errorf("%s has TTL %s", k, ttl)
		}
	}
	// The log has ids and outcomes, never what people typed or their names.
	for _, secret := range []string{"onrust", "juf.marie", "Hulpvraag", "komt eraan"} {
		if strings.Contains(s.logs.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	if !strings.Contains(s.logs.String(), "component=slack") {
		t.Errorf("no log lines of the Slack adapter:\n%s", s.logs.String())
	}
	// Every message went out exactly once.
	s.settled()
	for ch, want := range map[string]int{"D0ANNE0001": 2, "D0BRAM0001": 1, "D0MARIE001": 4, "C0KERNTEAM": 1} {
		if n := len(s.fake.Posted(ch)); n != want {
			t.Errorf("%d messages in %s, want %d:\n%s", n, ch, want, slackfake.Dump(s.fake.Calls("chat.postMessage")))
		}
	}
}

// TestSlackRejects: the real server answers a request without a valid
// signature with 401.
func TestSlackRejects(t *testing.T) {
	s := startSlack(t)
	body := []byte(slackfake.Command{TeamID: "T0DEVAART1", UserID: "U0MARIE001", Text: "groep 5", TriggerID: "x"}.Form().Encode())
	req, _ := http.NewRequest(http.MethodPost, s.base+"/slack/command", bytes.NewReader(body))
	slackfake.Sign(req.Header, "wrong-secret", time.Now(), body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", resp.StatusCode)
	}
	// hulpbot made its pseudonym key, noted where the schools' keys are
	// and how long statistics are kept, at start; the request wrote nothing.
	keys := s.rdb.Keys(context.Background(), s.prefix+":*").Val()
	slices.Sort(keys)
	if !slices.Equal(keys, []string{s.prefix + ":layout", s.prefix + ":pseudonym_key", s.prefix + ":stats_ttl"}) {
		t.Errorf("a rejected request wrote %v", keys)
	}
}

// TestSlackOutage: with Slack's Web API answering 500 while a request is
// offered, the real server answers the teacher at once, the request is in
// Redis, and the helper's DM arrives once Slack is back.
func TestSlackOutage(t *testing.T) {
	s := startSlack(t)
	s.fake.Fail("chat.postMessage", slackfake.Fault{Times: -1, Status: http.StatusInternalServerError})
	start := time.Now()
	if got := s.hulp("U0MARIE001", "juf.marie", "groep 5"); !strings.Contains(got, "doorgezet naar Anne") {
		t.Errorf("answer during the outage: %q", got)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the answer took %s during a Slack outage", d)
	}
	keys := s.rdb.Keys(context.Background(), s.prefix+":{de-vaart}:req:*").Val()
	if len(keys) != 1 {
		t.Fatalf("requests in Redis: %v", keys)
	}
	s.fake.Wait(t, "retries during the outage", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Calls("chat.postMessage")) >= 2 })
	s.fake.Heal()
	offer := s.posts("D0ANNE0001", 1)[0]
	if r := s.request(offer); r.State != bot.StateOffered || r.HelperID != "anne" {
		t.Errorf("after the outage the request is %s with %q", r.State, r.HelperID)
	}
	s.settled()
	if n := len(s.fake.Posted("D0ANNE0001")); n != 1 {
		t.Errorf("Anne got %d DMs, want 1", n)
	}
}
