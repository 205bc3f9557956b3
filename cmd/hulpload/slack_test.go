package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestSignKnownVector(t *testing.T) {
	// The example of Slack's "Verifying requests from Slack" page.
	secret := "8f742231b10e8888abcd99yyyzzz85a5"
	body := []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
	got := Sign(secret, 1531420618, body)
	want := "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

// TestSignatureAcceptedBySlackGo checks hulpload's signing against the
// verifier hulpbot uses, for both kinds of request.
func TestSignatureAcceptedBySlackGo(t *testing.T) {
	secret := "hulpload-secret-0123456789"
	bodies := map[string][]byte{
		"command": SlashCommand{TeamID: TeamID(3), UserID: TeacherUser(3, 1), UserName: "juf.a", Text: "groep 5 " + Token(7), TriggerID: "1.2.3"}.Body(),
		"click":   Click{TeamID: TeamID(3), UserID: HelperUser(3, 0), ActionID: "hulpbot.accept.0", Value: "hb1:accept:abc:1"}.Body(),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			setSignature(h, secret, time.Now(), body)
			sv, err := slack.NewSecretsVerifier(h, secret)
			if err != nil {
				t.Fatal(err)
			}
			sv.Write(body)
			if err := sv.Ensure(); err != nil {
				t.Errorf("slack-go rejects the signature: %v", err)
			}
			// A changed body fails.
			sv, _ = slack.NewSecretsVerifier(h, secret)
			sv.Write(append(bytes.Clone(body), 'x'))
			if err := sv.Ensure(); err == nil {
				t.Error("slack-go accepts a changed body")
			}
		})
	}
}

func TestSlashCommandBody(t *testing.T) {
	c := SlashCommand{TeamID: "TL00001", TeamDomain: "school-1", ChannelID: "C0GROEP5", ChannelName: "groep-5",
		UserID: "UT0000100002", UserName: "juf.s1t2", Text: "groep 5 lt12x", ResponseURL: "http://127.0.0.1:1/response/x", TriggerID: "9.9.9"}
	v, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"team_id": "TL00001", "user_id": "UT0000100002", "command": "/hulp", "text": "groep 5 lt12x",
		"trigger_id": "9.9.9", "response_url": "http://127.0.0.1:1/response/x", "channel_id": "C0GROEP5",
		"api_app_id": "A0HULPLOAD", "team_domain": "school-1", "channel_name": "groep-5", "user_name": "juf.s1t2",
	} {
		if got := v.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !v.Has("token") {
		t.Error("no token field")
	}
	// slack-go parses it as Slack's.
	req, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(c.Body()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sc, err := slack.SlashCommandParse(req)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Command != "/hulp" || sc.TeamID != "TL00001" || sc.Text != "groep 5 lt12x" {
		t.Errorf("slack-go read %+v", sc)
	}
}

func TestClickBody(t *testing.T) {
	c := Click{TeamID: "TL00002", UserID: "UH000020003", UserName: "h", ChannelID: "DH000020003", MessageTS: "1.000001",
		ActionID: "hulpbot.accept.0", Value: "hb1:accept:req1:1", ResponseURL: "http://127.0.0.1:1/response/c", TriggerID: "t", ActionTS: "2.0"}
	v, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		t.Fatal(err)
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(v.Get("payload")), &cb); err != nil {
		t.Fatal(err)
	}
	if cb.Type != slack.InteractionTypeBlockActions || cb.Team.ID != "TL00002" || cb.User.ID != "UH000020003" {
		t.Errorf("payload read as %s team %s user %s", cb.Type, cb.Team.ID, cb.User.ID)
	}
	if len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].Value != "hb1:accept:req1:1" {
		t.Errorf("actions = %+v", cb.ActionCallback.BlockActions)
	}
	if cb.Container.ChannelID != "DH000020003" || cb.Container.MessageTs != "1.000001" || cb.ResponseURL != c.ResponseURL {
		t.Errorf("container %+v, response_url %q", cb.Container, cb.ResponseURL)
	}
}

func TestIDsAreSlackShaped(t *testing.T) {
	for _, id := range []string{HelperUser(999, 19), TeacherUser(999, 29), CoordinatorUser(0)} {
		if id[0] != 'U' || len(id) < 3 {
			t.Errorf("%q is not a member id", id)
		}
	}
	if s, ok := schoolOfHelper(HelperUser(417, 3)); !ok || s != 417 {
		t.Errorf("schoolOfHelper = %d %v, want 417", s, ok)
	}
	if got := dmUser(dmChannel(HelperUser(5, 6))); got != HelperUser(5, 6) {
		t.Errorf("dm channel round trip: %q", got)
	}
	if seqOf("Toelichting: "+Token(123456)) != 123456 || seqOf("geen token") != -1 {
		t.Error("token not read back")
	}
}
