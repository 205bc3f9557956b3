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
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
)

// Two schools on Slack, each in its own workspace where the one Slack app
// is installed with a bot token of its own.
const (
	vaartTeam, vaartToken = "T0DEVAART1", "xoxb-e2e-vaart"
	wilgTeam, wilgToken   = "T0DEWILG01", "xoxb-e2e-wilg"
)

// startSlackWorkspaces starts hulpbot with de-vaart and de-wilg in their
// own workspaces: de-vaart's token from HULPBOT_SLACK_BOT_TOKEN_T0DEVAART1
// alone, de-wilg's listed under slack.workspaces.
func startSlackWorkspaces(t *testing.T) *slackRun {
	t.Helper()
	fake := slackfake.New(t)
	fake.Workspace(vaartTeam, vaartToken)
	fake.Workspace(wilgTeam, wilgToken)
	fake.Members(vaartTeam, "U0MARIE001", "U0ANNE0001")
	fake.Members(wilgTeam, "U0JOOST001", "U0WIM00001")
	fake.AddChannelIn(vaartTeam, "C0KERNVAART", "kernteam", true, true)
	fake.AddChannelIn(wilgTeam, "C0KERNWILG", "kernteam", true, true)
	return startSlackConfig(t, fake, fmt.Sprintf(`slack:
  signing_secret: ${HULPBOT_SLACK_SIGNING_SECRET}
  api_url: %q
  workspaces:
    - {team: T0DEWILG01, bot_token: "${WILG_TOKEN}"}
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    slack_team: T0DEVAART1
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: ["altijd"]}
  - id: de-wilg
    name: Basisschool De Wilg
    slack_team: T0DEWILG01
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Wim, role: jeugdhulpverlener, slack: U0WIM00001, schedule: ["altijd"]}
`, fake.APIURL()), map[string]string{"HULPBOT_SLACK_BOT_TOKEN_T0DEVAART1": vaartToken, "WILG_TOKEN": wilgToken}, "text")
}

// hulpIn types "/hulp text" as user in workspace team, signed as Slack
// signs it, and returns the answer's text.
func (s *slackRun) hulpIn(team, user, text string) string {
	s.t.Helper()
	s.n++
	status, body, _ := s.post("/slack/command", slackfake.Command{TeamID: team, ChannelID: "C0GROEP5A1", UserID: user, UserName: strings.ToLower(user),
		Text: text, TriggerID: fmt.Sprintf("e2e-ws-trigger-%d", s.n), ResponseURL: s.fake.ResponseURL(fmt.Sprintf("cmd-ws-%d", s.n))}.Form())
	var ans slackfake.Response
	if status != http.StatusOK || json.Unmarshal(body, &ans) != nil || ans.ResponseType != "ephemeral" {
		s.t.Fatalf("/hulp %s in %s = %d %s, want an ephemeral answer", text, team, status, body)
	}
	return ans.Text
}

// pressIn clicks button i of message m as user in workspace team.
func (s *slackRun) pressIn(team, user string, m slackfake.Call, i int, id string) {
	s.t.Helper()
	s.n++
	c := slackfake.Click{TeamID: team, UserID: user, UserName: strings.ToLower(user), ChannelID: m.Channel, MessageTS: m.TS,
		ResponseURL: s.fake.ResponseURL(id), TriggerID: fmt.Sprintf("e2e-ws-click-%d", s.n), ActionTS: fmt.Sprintf("1764150061.%06d", s.n),
		Button: slackfake.Buttons(s.t, m)[i]}
	if status, body, _ := s.post("/slack/interactivity", c.Form()); status != http.StatusOK {
		s.t.Fatalf("click = %d %s", status, body)
	}
}

// TestSlackWorkspaces: hulpbot serves two schools in two Slack workspaces.
// Each school's DMs, its kernteam post (each workspace has its own
// "kernteam") and every lookup go with its own workspace's token, never
// the other's — the fake answers a call with the other's token as Slack
// does, channel_not_found. A command from a workspace no school links is
// refused and changes nothing.
func TestSlackWorkspaces(t *testing.T) {
	s := startSlackWorkspaces(t)

	if got := s.hulpIn(vaartTeam, "U0MARIE001", "groep 5"); !strings.Contains(got, "doorgezet naar Anne") {
		t.Errorf("Marie's answer: %q", got)
	}
	if got := s.hulpIn(wilgTeam, "U0JOOST001", "groep 5"); !strings.Contains(got, "doorgezet naar Wim") {
		t.Errorf("Joost's answer: %q", got)
	}
	toAnne, toWim := s.posts("D0ANNE0001", 1)[0], s.posts("D0WIM00001", 1)[0]

	// Anne comes; Wim cannot, and nobody else is at de-wilg: its own
	// kernteam channel gets the request.
	s.pressIn(vaartTeam, "U0ANNE0001", toAnne, 0, "anne-accept")
	s.pressIn(wilgTeam, "U0WIM00001", toWim, 1, "wim-decline")
	if got := s.posts("D0MARIE001", 1)[0].Form.Get("text"); !strings.Contains(got, "Anne komt eraan") {
		t.Errorf("Marie was told %q", got)
	}
	if txt := slackfake.BlockText(t, s.posts("C0KERNWILG", 1)[0]); !strings.Contains(txt, "Hulpvraag voor groep 5") {
		t.Errorf("de-wilg's kernteam got %q", txt)
	}
	s.fake.Wait(t, "Joost told nobody is available", 5*time.Second, func([]slackfake.Call) bool {
		for _, c := range s.fake.Posted("D0JOOST001") {
			if strings.Contains(c.Form.Get("text"), "niemand beschikbaar") {
				return true
			}
		}
		return false
	})

	// A workspace no school links: refused in Dutch, nothing stored.
	before := len(s.rdb.Keys(context.Background(), s.prefix+":*").Val())
	if got := s.hulpIn("T0ONBEKEND1", "U0ONBEKEND", "groep 5"); !strings.Contains(got, "niet aan een school gekoppeld") {
		t.Errorf("the unknown workspace's answer: %q", got)
	}
	if after := len(s.rdb.Keys(context.Background(), s.prefix+":*").Val()); after != before {
		t.Errorf("a command from an unknown workspace wrote %d keys", after-before)
	}

	s.settled()
	for _, lane := range []string{"urgent", "queue"} {
		if n := s.rdb.ZCard(context.Background(), s.prefix+":{de-wilg}:outbox:"+lane).Val(); n != 0 {
			t.Errorf("%d messages of de-wilg wait in %s", n, lane)
		}
	}
	ofWilg := []string{"WIM00001", "JOOST001", "C0KERNWILG"}
	ofVaart := []string{"ANNE0001", "MARIE001", "C0KERNVAART"}
	posts := map[string]int{}
	for _, c := range s.fake.Calls("") {
		if c.Method == "response" || c.Method == "apps.connections.open" {
			continue
		}
		if !c.OK {
			t.Errorf("Slack refused a call: %s", slackfake.Dump([]slackfake.Call{c}))
		}
		about := c.Form.Get("channel") + " " + c.Form.Get("user") + " " + c.Form.Get("users")
		for _, tc := range []struct {
			ids   []string
			token string
		}{{ofWilg, wilgToken}, {ofVaart, vaartToken}} {
			for _, id := range tc.ids {
				if strings.Contains(about, id) && c.Token != tc.token {
					t.Errorf("%s about %s went with %q, want %q", c.Method, id, c.Token, tc.token)
				}
			}
		}
		if c.Method == "chat.postMessage" {
			posts[c.Token]++
		}
	}
	if posts[vaartToken] < 2 || posts[wilgToken] < 3 {
		t.Errorf("posts by token: %v; want de-vaart's offer and Marie's DM with its token, de-wilg's offer, kernteam post and Joost's DMs with its own", posts)
	}
}

// TestSlackCheckConfigWarns: -check-config accepts one bot_token for two
// schools in two workspaces, as before, and warns that a bot token works
// in one workspace only.
func TestSlackCheckConfigWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, path, `redis_url: redis://127.0.0.1:6379/0
slack: {bot_token: xoxb-1, signing_secret: s}
schools:
  - {id: de-vaart, name: De Vaart, slack_team: T0DEVAART1, groups: ["5"], fallback_channel: kernteam,
     helpers: [{name: Anne, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: [altijd]}]}
  - {id: de-wilg, name: De Wilg, slack_team: T0DEWILG01, groups: ["5"], fallback_channel: kernteam,
     helpers: [{name: Wim, role: jeugdhulpverlener, slack: U0WIM00001, schedule: [altijd]}]}
`)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"hulpbot", "-check-config", path}, env(t, nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("-check-config: %v", err)
	}
	if want := "warning: slack.bot_token: serves 2 workspaces without a token of their own (T0DEVAART1, T0DEWILG01)"; !strings.Contains(out.String(), want) {
		t.Errorf("-check-config printed %q, want %q", out.String(), want)
	}
}

// TestSlackInstall: with slack.client_id and client_secret, a school's
// workspace gets its token by installing the app through hulpbot's
// /slack/install, and its requests then go out with it.
func TestSlackInstall(t *testing.T) {
	fake := slackfake.New(t)
	fake.Workspace(vaartTeam, vaartToken)
	fake.Members(vaartTeam, "U0MARIE001", "U0ANNE0001")
	fake.Members(wilgTeam, "U0JOOST001", "U0WIM00001")
	fake.App("123.456", "client-secret")
	fake.Installed("code-wilg", slackfake.Installation{Team: wilgTeam, Token: "xoxb-installed-wilg"})
	s := startSlackConfig(t, fake, fmt.Sprintf(`slack:
  signing_secret: ${HULPBOT_SLACK_SIGNING_SECRET}
  api_url: %q
  client_id: "123.456"
  public_url: https://hulpbot.example.nl/hulpbot/
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    slack_team: T0DEVAART1
    groups: ["5"]
    fallback_channel: kernteam
    helpers: [{name: Anne, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: ["altijd"]}]
  - id: de-wilg
    name: Basisschool De Wilg
    slack_team: T0DEWILG01
    groups: ["5"]
    fallback_channel: kernteam
    helpers: [{name: Wim, role: jeugdhulpverlener, slack: U0WIM00001, schedule: ["altijd"]}]
`, fake.APIURL()), map[string]string{"HULPBOT_SLACK_BOT_TOKEN_T0DEVAART1": vaartToken, "HULPBOT_SLACK_CLIENT_SECRET": "client-secret"}, "text")

	if got := s.hulpIn(wilgTeam, "U0JOOST001", "groep 5"); !strings.Contains(got, "geen bot-token") {
		t.Errorf("before the install: %q", got)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(s.base + "/slack/install")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("redirect_uri") != "https://hulpbot.example.nl/hulpbot/slack/oauth" {
		t.Fatalf("GET /slack/install = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Path != "/hulpbot/slack/" || !cookies[0].Secure {
		t.Errorf("cookies %+v, want one, secure, for /hulpbot/slack/", cookies)
	}
	req, _ := http.NewRequest(http.MethodGet, s.base+"/slack/oauth?"+url.Values{"code": {"code-wilg"}, "state": {loc.Query().Get("state")}}.Encode(), nil)
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Basisschool De Wilg") {
		t.Fatalf("GET /slack/oauth = %d %s", resp.StatusCode, page)
	}
	if got := s.hulpIn(wilgTeam, "U0JOOST001", "groep 5"); !strings.Contains(got, "doorgezet naar Wim") {
		t.Errorf("after the install: %q", got)
	}
	if offer := s.posts("D0WIM00001", 1)[0]; offer.Token != "xoxb-installed-wilg" {
		t.Errorf("Wim's offer went with %q", offer.Token)
	}
	if strings.Contains(s.logs.String(), "xoxb-installed-wilg") {
		t.Error("the log holds the installed token")
	}
}
