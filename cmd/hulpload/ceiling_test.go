package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/redis/go-redis/v9"
)

// startCeiling serves a prepared ceiling in mode on a Redis of the test's
// own; it returns the server, the client and the ceiling's key prefix.
func startCeiling(t *testing.T, mode, notifyURL string) (*httptest.Server, redis.UniversalClient, *ceiling) {
	t.Helper()
	rdb := redistest.Client(t)
	c := newCeiling(mode, rdb, redistest.Prefix(t)+":", notifyURL)
	if err := c.prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv, rdb, c
}

// slashCommand is a /hulp as a Slack workspace POSTs it.
func slashCommand() []byte {
	return SlashCommand{
		TeamID: TeamID(3), TeamDomain: "school-3",
		ChannelID: "C0GROEP5", ChannelName: "groep-5",
		UserID: TeacherUser(3, 1), UserName: TeacherName(3, 1),
		Text:        "groep 5 " + Token(1),
		ResponseURL: "http://127.0.0.1:1/response/1", TriggerID: "1.1.test",
	}.Body()
}

// post sends body as a form to url and returns the status and the answer.
func post(t *testing.T, url string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/x-www-form-urlencoded", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// checkAnswered checks the ephemeral answer every accepted command gets.
func checkAnswered(t *testing.T, status int, answer string) {
	t.Helper()
	var a struct {
		ResponseType string `json:"response_type"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(answer), &a) != nil || a.ResponseType != "ephemeral" {
		t.Fatalf("answer %d %q, want 200 and an ephemeral reply", status, answer)
	}
}

// checkRecorded checks that the script ran for request id: its hash names
// the first helper, now.
func checkRecorded(t *testing.T, rdb redis.UniversalClient, c *ceiling, id uint64, before time.Time) {
	t.Helper()
	h, err := rdb.HGetAll(context.Background(), c.requestKey(id)).Result()
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := strconv.ParseInt(h["ts"], 10, 64)
	if h["helper"] != "U1" || h["state"] != "notified" || ms < before.UnixMilli() || ms > time.Now().UnixMilli() {
		t.Errorf("request %d recorded as %v, want helper U1, state notified, ts now", id, h)
	}
}

func TestCeilingRedisRunsTheScript(t *testing.T) {
	srv, rdb, c := startCeiling(t, ceilingRedis, "")
	before := time.Now()

	status, answer := post(t, srv.URL+"/slack/command", slashCommand())
	checkAnswered(t, status, answer)
	checkRecorded(t, rdb, c, 1, before)
	if n := c.seq.Load(); n != 1 {
		t.Errorf("script ran %d times for one command", n)
	}
}

// recordingSink is the sink with the bodies it was sent kept, to check
// what the ceiling posts.
type recordingSink struct {
	sink
	mu     sync.Mutex
	bodies []string
}

func (s *recordingSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, r.Header.Get("Content-Type")+" "+string(b))
	s.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(b))
	s.sink.ServeHTTP(w, r)
}

func TestCeilingNotifyPostsOnce(t *testing.T) {
	rs := &recordingSink{}
	chat := httptest.NewServer(rs)
	t.Cleanup(chat.Close)
	srv, rdb, c := startCeiling(t, ceilingNotify, chat.URL+"/api/chat.postMessage")
	before := time.Now()

	status, answer := post(t, srv.URL+"/slack/command", slashCommand())
	checkAnswered(t, status, answer)
	checkRecorded(t, rdb, c, 1, before)
	if n := rs.posts.Load(); n != 1 {
		t.Fatalf("the sink received %d posts, want 1", n)
	}
	want := `application/json {"channel":"U1","text":"Hulp gevraagd in groep 5"}`
	if rs.bodies[0] != want {
		t.Errorf("posted %q, want %q", rs.bodies[0], want)
	}
}

func TestCeilingNotifyFailsWithTheChatAPI(t *testing.T) {
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(chat.Close)
	srv, _, _ := startCeiling(t, ceilingNotify, chat.URL)

	if status, answer := post(t, srv.URL, slashCommand()); status != http.StatusBadGateway {
		t.Errorf("answer %d %q with the chat API down, want 502", status, answer)
	}
}

func TestCeilingBareAnswers(t *testing.T) {
	srv := httptest.NewServer(newCeiling(ceilingBare, nil, "", ""))
	t.Cleanup(srv.Close)

	status, answer := post(t, srv.URL+"/slack/command", slashCommand())
	checkAnswered(t, status, answer)
}

func TestCeilingRefusesWhatIsNoCommand(t *testing.T) {
	srv, rdb, c := startCeiling(t, ceilingRedis, "")

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	other := strings.Replace(string(slashCommand()), "command=%2Fhulp", "command=%2Fweer", 1)
	if status, _ := post(t, srv.URL, []byte(other)); status != http.StatusBadRequest {
		t.Errorf("/weer: %d, want 400", status)
	}
	if status, _ := post(t, srv.URL, []byte("command=%2Fhulp&text=x")); status != http.StatusBadRequest {
		t.Errorf("no team: %d, want 400", status)
	}
	if n, err := rdb.Exists(context.Background(), c.requestKey(1)).Result(); err != nil || n != 0 || c.seq.Load() != 0 {
		t.Errorf("the script ran for a refused request (exists %d, %v; runs %d)", n, err, c.seq.Load())
	}
}

func TestParseFlagsCeiling(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"-scenario", "ceiling"}, true},
		{[]string{"-scenario", "ceiling", "-mode=bare"}, true},
		{[]string{"-scenario", "ceiling", "-mode=sink", "-listen", "127.0.0.1:9"}, true},
		{[]string{"-scenario", "ceiling", "-mode=notify"}, false},
		{[]string{"-scenario", "ceiling", "-mode=notify", "-notify-url", "http://127.0.0.1:9/api/chat.postMessage"}, true},
		{[]string{"-scenario", "ceiling", "-mode=fast"}, false},
	} {
		o, err := parseFlags(append([]string{"hulpload"}, tc.args...), io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("%v: %v", tc.args, err)
		}
		if err == nil && o.Duration != 10*time.Minute {
			t.Errorf("%v: stays up %v, want 10m by default", tc.args, o.Duration)
		}
	}
}
