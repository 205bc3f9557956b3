package slackbot

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signing are the ways a request can be signed, and whether each passes.
func signing() []struct {
	name   string
	header func(body []byte) http.Header
	send   func(body []byte) []byte // what is sent, after signing
	ok     bool
} {
	sign := func(sec string, at time.Time) func([]byte) http.Header {
		return func(body []byte) http.Header {
			h := http.Header{}
			slackfake.Sign(h, sec, at, body)
			return h
		}
	}
	same := func(b []byte) []byte { return b }
	without := func(name string) func([]byte) http.Header {
		return func(body []byte) http.Header {
			h := sign(secret, time.Now())(body)
			h.Del(name)
			return h
		}
	}
	return []struct {
		name   string
		header func(body []byte) http.Header
		send   func(body []byte) []byte
		ok     bool
	}{
		{"good", sign(secret, time.Now()), same, true},
		{"good, 4 minutes old", sign(secret, time.Now().Add(-4*time.Minute)), same, true},
		{"tampered body", sign(secret, time.Now()), func(b []byte) []byte { return append([]byte("x=1&"), b...) }, false},
		{"wrong secret", sign("not-the-secret", time.Now()), same, false},
		{"expired timestamp", sign(secret, time.Now().Add(-6*time.Minute)), same, false},
		{"future timestamp", sign(secret, time.Now().Add(6*time.Minute)), same, false},
		{"missing timestamp", without("X-Slack-Request-Timestamp"), same, false},
		{"missing signature", without("X-Slack-Signature"), same, false},
		{"missing headers", func([]byte) http.Header { return http.Header{} }, same, false},
		{"signature of another version", func(body []byte) http.Header {
			h := sign(secret, time.Now())(body)
			h.Set("X-Slack-Signature", strings.Replace(h.Get("X-Slack-Signature"), "v0=", "v1=", 1))
			return h
		}, same, false},
		{"signature not hex", func(body []byte) http.Header {
			h := sign(secret, time.Now())(body)
			h.Set("X-Slack-Signature", "v0=zz")
			return h
		}, same, false},
		{"timestamp not a number", func(body []byte) http.Header {
			h := sign(secret, time.Now())(body)
			h.Set("X-Slack-Request-Timestamp", "soon")
			return h
		}, same, false},
	}
}

// TestCommandSignature: only a slash command signed with the secret within
// five minutes reaches the handlers; every other one is 401 and changes
// nothing, in Redis or at Slack.
func TestCommandSignature(t *testing.T) {
	body := readTestdata(t, "command.form")
	for _, tc := range signing() {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			// Each case its own trigger: a good one must not be a repeat.
			b := []byte(strings.Replace(string(body), "trigger_id=", "trigger_id="+strings.ReplaceAll(tc.name, " ", "-"), 1))
			status, answer, _ := s.post("/slack/command", tc.send(b), tc.header(b))
			if !tc.ok {
				if status != http.StatusUnauthorized {
					t.Fatalf("status = %d %s, want 401", status, answer)
				}
				if ks := s.keys(); len(ks) != 0 {
					t.Errorf("a rejected command wrote to Redis: %v", ks)
				}
				time.Sleep(50 * time.Millisecond)
				if calls := s.fake.Calls(""); len(calls) != 0 {
					t.Errorf("a rejected command reached Slack's API:\n%s", slackfake.Dump(calls))
				}
				if !strings.Contains(s.logs.String(), "slack request rejected") {
					t.Errorf("no log line for the rejection:\n%s", s.logs.String())
				}
				return
			}
			if status != http.StatusOK || !strings.Contains(string(answer), "doorgezet naar Anne") || !strings.Contains(string(answer), `"response_type":"ephemeral"`) {
				t.Fatalf("answer = %d %s, want 200, ephemeral, passed on to Anne", status, answer)
			}
			if n := len(s.requestKeys()); n != 1 {
				t.Errorf("%d requests in Redis, want 1", n)
			}
			s.offer(anneID, 1)
		})
	}
}

// TestInteractivitySignature: the same for a button press; a rejected one
// leaves the offer as it was.
func TestInteractivitySignature(t *testing.T) {
	for _, tc := range signing() {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			s.command(marieID, "juf.marie", "groep 5 onrust na gym")
			m := s.offer(anneID, 1)
			id := requestOf(t, slackfake.Buttons(t, m)[0])
			payload := strings.ReplaceAll(string(readTestdata(t, "block_actions.json")), "REQUESTID", id)
			payload = strings.ReplaceAll(payload, "https://hooks.slack.com/actions/T0DEVAART1/1395872398/ac5f3ee86d3a40e2c06e4b1d", s.fake.ResponseURL("click"))
			body := []byte(url.Values{"payload": {payload}}.Encode())
			h := tc.header(body)
			sent := tc.send(body)
			status, answer, _ := s.post("/slack/interactivity", sent, h)
			if !tc.ok {
				if status != http.StatusUnauthorized {
					t.Fatalf("status = %d %s, want 401", status, answer)
				}
				time.Sleep(50 * time.Millisecond)
				if r := s.request(id); r.State != bot.StateOffered || r.HelperID != "anne" {
					t.Errorf("after a rejected click the request is %s with %q, want offered to anne", r.State, r.HelperID)
				}
				if rs := s.fake.Calls("response"); len(rs) != 0 {
					t.Errorf("a rejected click was answered:\n%s", slackfake.Dump(rs))
				}
				for _, k := range s.keys() {
					if strings.Contains(k, ":slack:click:") {
						t.Errorf("a rejected click was recorded: %s", k)
					}
				}
				return
			}
			if status != http.StatusOK {
				t.Fatalf("status = %d %s, want 200", status, answer)
			}
			s.fake.Wait(t, "the offer replaced", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("click")) == 1 })
			if r := s.request(id); r.State != bot.StateAccepted {
				t.Errorf("request is %s, want accepted", r.State)
			}
		})
	}
}

// TestBadInput: signed requests that are not what Slack sends for hulpbot
// are 400 (413 when too large) and change nothing.
func TestBadInput(t *testing.T) {
	cmd := readTestdata(t, "command.form")
	click := func(mut func(string) string) []byte {
		p := mut(strings.ReplaceAll(string(readTestdata(t, "block_actions.json")), "REQUESTID", "abcdefghijkl"))
		return []byte(url.Values{"payload": {p}}.Encode())
	}
	for _, tc := range []struct {
		name, path string
		body       []byte
		want       int
	}{
		{"command: bad form encoding", "/slack/command", []byte("team_id=%zz&user_id=U1"), http.StatusBadRequest},
		{"command: no team", "/slack/command", []byte(strings.Replace(string(cmd), "team_id=T0DEVAART1", "team_id=", 1)), http.StatusBadRequest},
		{"command: no user", "/slack/command", []byte(strings.Replace(string(cmd), "user_id=U0MARIE001", "", 1)), http.StatusBadRequest},
		{"command: field too long", "/slack/command", []byte(strings.Replace(string(cmd), "user_id=U0MARIE001", "user_id=U"+strings.Repeat("A", 300), 1)), http.StatusBadRequest},
		{"command: oversized", "/slack/command", append(append([]byte{}, cmd...), []byte("&text="+strings.Repeat("a", 70<<10))...), http.StatusRequestEntityTooLarge},
		{"click: no payload", "/slack/interactivity", []byte("foo=bar"), http.StatusBadRequest},
		{"click: bad form encoding", "/slack/interactivity", []byte("payload=%zz"), http.StatusBadRequest},
		{"click: payload not JSON", "/slack/interactivity", []byte(url.Values{"payload": {"{not json"}}.Encode()), http.StatusBadRequest},
		{"click: payload JSON of the wrong shape", "/slack/interactivity", []byte(url.Values{"payload": {`{"type":"block_actions","actions":"x"}`}}.Encode()), http.StatusBadRequest},
		{"click: other payload type", "/slack/interactivity", click(func(p string) string {
			return strings.Replace(p, `"type": "block_actions"`, `"type": "view_submission"`, 1)
		}), http.StatusBadRequest},
		{"click: no actions", "/slack/interactivity", click(func(p string) string {
			i := strings.Index(p, `"actions": [`)
			return p[:i] + `"actions": []}`
		}), http.StatusBadRequest},
		{"click: no user", "/slack/interactivity", click(func(p string) string {
			return strings.Replace(p, `"id": "U0ANNE0001"`, `"id": ""`, 1)
		}), http.StatusBadRequest},
		{"click: unknown action", "/slack/interactivity", click(func(p string) string {
			return strings.ReplaceAll(p, `"action_id": "hulpbot.accept.0"`, `"action_id": "someone_elses_button"`)
		}), http.StatusBadRequest},
		{"click: action_id and value disagree", "/slack/interactivity", click(func(p string) string {
			return strings.ReplaceAll(p, `"action_id": "hulpbot.accept.0"`, `"action_id": "hulpbot.decline.0"`)
		}), http.StatusBadRequest},
		{"click: bad button value", "/slack/interactivity", click(func(p string) string {
			return strings.ReplaceAll(p, `hb1:accept:abcdefghijkl:1`, `hb1:accept:abcdefghijkl:one`)
		}), http.StatusBadRequest},
		{"click: button value of another version", "/slack/interactivity", click(func(p string) string {
			return strings.ReplaceAll(p, `hb1:accept:`, `hb9:accept:`)
		}), http.StatusBadRequest},
		{"click: oversized", "/slack/interactivity", []byte("payload=" + strings.Repeat("a", 70<<10)), http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			status, answer, _ := s.post(tc.path, tc.body, nil)
			if status != tc.want {
				t.Fatalf("status = %d %s, want %d", status, answer, tc.want)
			}
			time.Sleep(50 * time.Millisecond)
			if ks := s.keys(); len(ks) != 0 {
				t.Errorf("bad input wrote to Redis: %v", ks)
			}
			if calls := s.fake.Calls(""); len(calls) != 0 {
				t.Errorf("bad input reached Slack:\n%s", slackfake.Dump(calls))
			}
			logs := s.logs.String()
			if !strings.Contains(logs, "slack request rejected") {
				t.Errorf("no log line for the rejection:\n%s", logs)
			}
			for _, secret := range []string{"onrust", "juf.marie", "anne.devries", "aaaa", "not json", "someone_elses_button"} {
				if strings.Contains(logs, secret) {
					t.Errorf("the log holds request content %q:\n%s", secret, logs)
				}
			}
		})
	}
}

// TestUnlinkedWorkspace: a workspace no school is linked to gets a Dutch
// explanation, for a command and for a click, and nothing changes.
func TestUnlinkedWorkspace(t *testing.T) {
	s := newStack(t)
	p := s.commandWith(slackfake.Command{TeamID: "T0ELSEWHERE", ChannelID: "C1", UserID: marieID, UserName: "juf.marie",
		Text: "groep 5", TriggerID: "t-unlinked", ResponseURL: s.fake.ResponseURL("x")}, nil)
	if p.ResponseType != "ephemeral" || !strings.Contains(p.Text, "niet aan een school gekoppeld") {
		t.Errorf("answer = %+v, want an ephemeral Dutch explanation", p)
	}
	c := slackfake.Click{TeamID: "T0ELSEWHERE", UserID: anneID, UserName: "anne", ChannelID: "D1", MessageTS: "1.2",
		ResponseURL: s.fake.ResponseURL("unlinked-click"), TriggerID: "t-unlinked-click", ActionTS: "1.3",
		Button: slackfake.Button{ActionID: "hulpbot.accept.0", Value: "hb1:accept:abcdefghijkl:1"}}
	if status, body, _ := s.post("/slack/interactivity", []byte(c.Form().Encode()), nil); status != http.StatusOK {
		t.Fatalf("click = %d %s", status, body)
	}
	s.fake.Wait(t, "the explanation of the click", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("unlinked-click")) == 1 })
	r := s.fake.Responses("unlinked-click")[0]
	if r.ResponseType != "ephemeral" || r.ReplaceOriginal == nil || *r.ReplaceOriginal || !strings.Contains(r.Text, "niet aan een school gekoppeld") {
		t.Errorf("click answer = %+v, want an ephemeral Dutch explanation that replaces nothing", r)
	}
	if ks := s.requestKeys(); len(ks) != 0 {
		t.Errorf("requests in Redis: %v", ks)
	}
}

// TestMethods: the endpoints take POST only.
func TestMethods(t *testing.T) {
	s := newStack(t)
	for _, path := range []string{"/slack/command", "/slack/interactivity"} {
		resp, err := http.Get(s.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET %s = %d, want 405", path, resp.StatusCode)
		}
	}
}
