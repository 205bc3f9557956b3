package slackbot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/message"
)

const (
	teamWilg  = "T0DEWILG01"
	tokVaart  = "xoxb-vaart"
	tokWilg   = "xoxb-wilg"
	wimID     = "U0WIM00001"
	kernVaart = "C0KERNVAART"
	kernWilg  = "C0KERNWILG"
)

// twoWorkspaces is a fake Slack with the workspaces of de-vaart and
// de-wilg, each with its own token, member and "kernteam" channel.
func twoWorkspaces(t *testing.T) *slackfake.Server {
	fake := slackfake.New(t)
	fake.Workspace(team, tokVaart)
	fake.Workspace(teamWilg, tokWilg)
	fake.Members(team, anneID)
	fake.Members(teamWilg, wimID)
	fake.AddChannelIn(team, kernVaart, "kernteam", true, true)
	fake.AddChannelIn(teamWilg, kernWilg, "kernteam", true, true)
	return fake
}

// newWorkspaceSender is a Sender with the tokens of de-vaart and de-wilg
// (and fallback for the rest, "" for none).
func newWorkspaceSender(t *testing.T, fake *slackfake.Server, fallback string) *Sender {
	t.Helper()
	ws, err := NewWorkspaces(map[string]string{team: tokVaart, "t0dewilg01": tokWilg}, fallback, fake.APIURL(), &http.Client{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return NewSender(ws, senderSchools, redistest.Client(t), redistest.Prefix(t), nil)
}

// at is m for school.
func at(school string, m message.Message) message.Message {
	m.SchoolID = school
	return m
}

// checkTokens fails the test for a Web API call since calls[from:] that
// went without want, or that Slack did not accept.
func checkTokens(t *testing.T, fake *slackfake.Server, from int, want string) {
	t.Helper()
	calls := fake.Calls("")[from:]
	n := 0
	for _, c := range calls {
		if c.Method == "response" || c.Method == "upload" {
			continue
		}
		n++
		if c.Token != want {
			t.Errorf("%s went with token %q, want %q", c.Method, c.Token, want)
		}
		if !c.OK {
			t.Errorf("%s failed: %s", c.Method, slackfake.Dump([]slackfake.Call{c}))
		}
	}
	if n == 0 {
		t.Errorf("no Web API call made")
	}
}

// TestSendPerWorkspace: every call about a school's message goes with the
// token of the school's workspace: the post, the lookup of the channel
// (each workspace has its own "kernteam"), the look for the marker, the
// update of an offer at its lapse.
func TestSendPerWorkspace(t *testing.T) {
	fake := twoWorkspaces(t)
	s := newWorkspaceSender(t, fake, "")
	ctx := context.Background()
	for _, tc := range []struct {
		name, school, token string
		m                   message.Message
		channel             string // where it must land
	}{
		{"dm at de-vaart", "de-vaart", tokVaart, dmTo(anneID, "k-dm-vaart", "hoi"), "D" + anneID[1:]},
		{"dm at de-wilg", "de-wilg", tokWilg, dmTo(wimID, "k-dm-wilg", "hoi"), "D" + wimID[1:]},
		{"kernteam of de-vaart", "de-vaart", tokVaart, postTo("kernteam", "k-ch-vaart", "hoi"), kernVaart},
		{"kernteam of de-wilg", "de-wilg", tokWilg, postTo("kernteam", "k-ch-wilg", "hoi"), kernWilg},
		{"offer at de-wilg", "de-wilg", tokWilg, offerTo(wimID, 1), "D" + wimID[1:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := at(tc.school, tc.m)
			from := len(fake.Calls(""))
			if err := s.Send(ctx, m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := fake.Messages(tc.channel); len(got) == 0 {
				t.Errorf("nothing landed in %s: %s", tc.channel, slackfake.Dump(fake.Calls("")[from:]))
			}
			ok, err := s.Delivered(ctx, m)
			if err != nil || !ok {
				t.Errorf("Delivered = %v, %v; want true", ok, err)
			}
			checkTokens(t, fake, from, tc.token)
		})
	}
	t.Run("lapse at de-wilg", func(t *testing.T) {
		from := len(fake.Calls(""))
		if err := s.Send(ctx, at("de-wilg", lapseTo(wimID, 1))); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if n := len(fake.Calls("chat.update")); n != 1 {
			t.Errorf("%d chat.update calls, want 1", n)
		}
		checkTokens(t, fake, from, tokWilg)
	})
}

// TestSendWithoutWorkspace: a message whose school's workspace has no
// token, or whose school is unknown, fails for good without a call; with
// a fallback token, a workspace without its own goes with that one.
func TestSendWithoutWorkspace(t *testing.T) {
	fake := twoWorkspaces(t)
	fake.Workspace("T0DEEIK001", "xoxb-fallback")
	ctx := context.Background()
	for _, tc := range []struct {
		name, fallback, school string
		noWorkspace            bool // ErrNoWorkspace, else another permanent error
		token                  string
	}{
		{name: "workspace without token", school: "de-eik", noWorkspace: true},
		{name: "school of no workspace, two workspaces", school: "de-linde", noWorkspace: true},
		{name: "unknown school", school: "de-berk"},
		{name: "workspace without token, with a fallback", fallback: "xoxb-fallback", school: "de-eik", token: "xoxb-fallback"},
		{name: "school of no workspace, with a fallback", fallback: "xoxb-fallback", school: "de-linde", token: "xoxb-fallback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newWorkspaceSender(t, fake, tc.fallback)
			from := len(fake.Calls(""))
			err := s.Send(ctx, at(tc.school, dmTo("U0EIK00001", "k-"+tc.name, "hoi")))
			if tc.token != "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				checkTokens(t, fake, from, tc.token)
				return
			}
			if !errors.Is(err, message.ErrPermanent) || errors.Is(err, ErrNoWorkspace) != tc.noWorkspace {
				t.Errorf("Send = %v; want permanent, ErrNoWorkspace %v", err, tc.noWorkspace)
			}
			if calls := fake.Calls("")[from:]; len(calls) > 0 {
				t.Errorf("calls made: %s", slackfake.Dump(calls))
			}
		})
	}
}

// TestFakeRefusesWrongToken: the fake answers as Slack does a call with the
// token of another workspace, so a test that passes did not just get lucky.
func TestFakeRefusesWrongToken(t *testing.T) {
	fake := twoWorkspaces(t)
	ws, err := NewWorkspaces(nil, tokWilg, fake.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSender(ws, senderSchools, redistest.Client(t), redistest.Prefix(t), nil)
	err = s.Send(context.Background(), at("de-vaart", dmTo(anneID, "k", "hoi")))
	if !errors.Is(err, message.ErrPermanent) {
		t.Errorf("a DM to de-vaart's Anne with de-wilg's token: %v, want channel_not_found (permanent)", err)
	}
	ws, _ = NewWorkspaces(nil, "xoxb-nobody", fake.APIURL(), nil)
	s = NewSender(ws, senderSchools, redistest.Client(t), redistest.Prefix(t), nil)
	if err := s.Send(context.Background(), at("de-vaart", dmTo(anneID, "k", "hoi"))); slackCode(err) != "invalid_auth" {
		t.Errorf("a token of no workspace: %v, want invalid_auth", err)
	}
}

const joostID = "U0JOOST001" // a teacher at de-wilg

// workspacesStack is the stack of two schools in two workspaces
// (testdata/hulpbot-workspaces.yaml), against a fake that refuses a call
// with the token of another workspace.
func workspacesStack(t *testing.T, opts ...stackOpt) *stack {
	opts = append([]stackOpt{func(c *stackConfig) { c.configFile = "testdata/hulpbot-workspaces.yaml" }}, opts...)
	s := newStack(t, opts...)
	s.fake.Workspace(team, tokVaart)
	s.fake.Workspace(teamWilg, tokWilg)
	s.fake.Members(team, anneID, bramID, marieID)
	s.fake.Members(teamWilg, wimID, joostID)
	s.fake.AddChannelIn(team, kernVaart, "kernteam", true, true)
	s.fake.AddChannelIn(teamWilg, kernWilg, "kernteam", true, true)
	return s
}

// commandIn types "/hulp text" as user in workspace teamID.
func (s *stack) commandIn(teamID, user, name, text string) answer {
	s.t.Helper()
	n := itoa(int(s.trigger.Add(1)))
	return s.commandWith(slackfake.Command{TeamID: teamID, ChannelID: "C0GROEP5" + n, UserID: user, UserName: name, Text: text,
		TriggerID: "trig-ws-" + n, ResponseURL: s.fake.ResponseURL("cmd-ws-" + n)}, nil)
}

// clickIn presses button b of message m as user in workspace teamID.
func (s *stack) clickIn(teamID, user string, m slackfake.Call, b slackfake.Button, id string) {
	s.t.Helper()
	n := itoa(int(s.trigger.Add(1)))
	c := slackfake.Click{TeamID: teamID, UserID: user, UserName: user, ChannelID: m.Channel, MessageTS: m.TS,
		ResponseURL: s.fake.ResponseURL(id), TriggerID: "click-ws-" + n, ActionTS: "1764150061.0" + n, Button: b}
	if status, body, _ := s.post("/slack/interactivity", []byte(c.Form().Encode()), nil); status != http.StatusOK {
		s.t.Fatalf("POST /slack/interactivity = %d %s", status, body)
	}
}

// TestTwoWorkspaces: two schools, each in its own workspace, through the
// adapter's endpoints. Each school's command looks its teacher up, offers
// to its helper, answers the click (chat.update, when the response_url
// fails) and tells the teacher, all with its own workspace's token; the
// fake refuses any call with the other's.
func TestTwoWorkspaces(t *testing.T) {
	s := workspacesStack(t)
	if a := s.commandIn(teamWilg, joostID, "meester.joost", "groep 5"); !strings.Contains(a.Text, "Wim") {
		t.Fatalf("de-wilg's answer = %+v, want passed on to Wim", a)
	}
	if a := s.commandIn(team, marieID, "juf.marie", "groep 5"); !strings.Contains(a.Text, "Anne") {
		t.Fatalf("de-vaart's answer = %+v, want passed on to Anne", a)
	}
	wim, anne := s.offer(wimID, 1), s.offer(anneID, 1)

	// Wim's response_url is gone: his message is updated by chat.update,
	// in his workspace.
	s.fake.Fail("response", slackfake.Fault{Times: 1, Status: http.StatusNotFound})
	s.clickIn(teamWilg, wimID, wim, slackfake.Buttons(t, wim)[0], "wim-1")
	s.clickIn(team, anneID, anne, slackfake.Buttons(t, anne)[0], "anne-1")
	s.fake.Wait(t, "both teachers told, Wim's message updated", 5*time.Second, func([]slackfake.Call) bool {
		return len(s.fake.Posted("D"+joostID[1:])) == 1 && len(s.fake.Posted("D"+marieID[1:])) == 1 && len(s.fake.Calls("chat.update")) == 1
	})

	calls := s.fake.Calls("")
	perTeam := map[string]map[string]bool{} // team → methods called with its token
	for _, c := range calls {
		if c.Method == "response" {
			continue
		}
		if !c.OK || c.Team == "" {
			t.Errorf("a call failed or went with no workspace's token: %s", slackfake.Dump([]slackfake.Call{c}))
			continue
		}
		if perTeam[c.Team] == nil {
			perTeam[c.Team] = map[string]bool{}
		}
		perTeam[c.Team][c.Method] = true
		who := c.Form.Get("channel") + c.Form.Get("user") + c.Form.Get("users")
		for _, id := range []string{wimID[1:], joostID[1:]} {
			if strings.Contains(who, id) && c.Token != tokWilg {
				t.Errorf("%s about de-wilg's %s went with %q", c.Method, who, c.Token)
			}
		}
		for _, id := range []string{anneID[1:], marieID[1:]} {
			if strings.Contains(who, id) && c.Token != tokVaart {
				t.Errorf("%s about de-vaart's %s went with %q", c.Method, who, c.Token)
			}
		}
	}
	for _, tc := range []struct{ team, method string }{
		{teamWilg, "users.info"}, {teamWilg, "chat.postMessage"}, {teamWilg, "chat.update"},
		{team, "users.info"}, {team, "chat.postMessage"},
	} {
		if !perTeam[tc.team][tc.method] {
			t.Errorf("no %s with %s's token; calls:\n%s", tc.method, tc.team, slackfake.Dump(calls))
		}
	}
}

// TestWorkspaceWithoutToken: a command or click from the workspace of a
// school hulpbot has no token for is refused in Dutch and changes nothing:
// no request, no call to Slack.
func TestWorkspaceWithoutToken(t *testing.T) {
	s := workspacesStack(t, func(c *stackConfig) { delete(c.Workspaces, teamWilg) })
	a := s.commandIn(teamWilg, joostID, "meester.joost", "groep 5")
	if a.ResponseType != "ephemeral" || !strings.Contains(a.Text, "Deze Slack-werkruimte hoort bij Basisschool De Wilg") || !strings.Contains(a.Text, "Er is niets veranderd") {
		t.Errorf("answer = %+v, want the Dutch refusal", a)
	}
	c := slackfake.Click{TeamID: teamWilg, UserID: wimID, UserName: "wim", ChannelID: "D0WIM00001", MessageTS: "1.2",
		ResponseURL: s.fake.ResponseURL("no-token-click"), TriggerID: "t-no-token", ActionTS: "1.3",
		Button: slackfake.Button{ActionID: "hulpbot.accept.0", Value: "hb1:accept:abcdefghijkl:1"}}
	if status, body, _ := s.post("/slack/interactivity", []byte(c.Form().Encode()), nil); status != http.StatusOK {
		t.Fatalf("click = %d %s", status, body)
	}
	s.fake.Wait(t, "the refusal of the click", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("no-token-click")) == 1 })
	if r := s.fake.Responses("no-token-click")[0]; r.ReplaceOriginal == nil || *r.ReplaceOriginal || !strings.Contains(r.Text, "geen bot-token") {
		t.Errorf("click answer = %+v, want the Dutch refusal, replacing nothing", r)
	}
	if ks := s.keys(); len(ks) != 0 {
		t.Errorf("keys in Redis: %v", ks)
	}
	if calls := s.fake.Calls(""); len(calls) != 1 || calls[0].Method != "response" {
		t.Errorf("calls to Slack:\n%s", slackfake.Dump(calls))
	}
}

// TestCheckTokens: a token configured for another workspace than its own,
// or one Slack refuses, is logged as an error at start.
func TestCheckTokens(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tokens   map[string]string
		fallback string
		wrong    int
		log      []string
	}{
		{name: "right", tokens: map[string]string{team: tokVaart, teamWilg: tokWilg}},
		{name: "swapped", tokens: map[string]string{team: tokWilg, teamWilg: tokVaart}, wrong: 2,
			log: []string{"slack bot token is of another workspace", "token_team=" + teamWilg}},
		{name: "refused", tokens: map[string]string{team: "xoxb-revoked"}, fallback: tokWilg, wrong: 1,
			log: []string{"slack bot token refused", "error=invalid_auth", "slack fallback bot token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := twoWorkspaces(t)
			ws, err := NewWorkspaces(tc.tokens, tc.fallback, fake.APIURL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var logs syncBuffer
			a := &Adapter{ws: ws, log: slog.New(slog.NewTextHandler(&logs, nil))}
			if got := a.CheckTokens(context.Background()); got != tc.wrong {
				t.Errorf("CheckTokens = %d, want %d; log:\n%s", got, tc.wrong, logs.String())
			}
			for _, want := range tc.log {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log lacks %q:\n%s", want, logs.String())
				}
			}
		})
	}
}
