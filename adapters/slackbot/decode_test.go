package slackbot

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/message"
)

func TestParseCommandForm(t *testing.T) {
	body, err := os.ReadFile("testdata/command.form")
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCommandForm(body)
	if err != nil {
		t.Fatal(err)
	}
	want := slashCommand{TeamID: "T0DEVAART1", ChannelID: "C0GROEP5A1", UserID: "U0MARIE001", UserName: "juf.marie", Command: "/hulp",
		Text: "groep 5 onrust na gym", ResponseURL: "https://hooks.slack.com/commands/T0DEVAART1/1234567890123/aBcDeFgHiJkLmNoPqRsTuVwX",
		TriggerID: "13345224609.738474920.8088930838d88f008e0"}
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	// slack-go reads the same form the same way.
	sc, err := fromSocket(slack.SlashCommand{TeamID: want.TeamID, ChannelID: want.ChannelID, UserID: want.UserID, UserName: want.UserName,
		Command: want.Command, Text: want.Text, ResponseURL: want.ResponseURL, TriggerID: want.TriggerID})
	if err != nil || sc != want {
		t.Errorf("fromSocket = %+v, %v", sc, err)
	}
}

func TestDecodeInteraction(t *testing.T) {
	raw, err := os.ReadFile("testdata/block_actions.json")
	if err != nil {
		t.Fatal(err)
	}
	p := strings.ReplaceAll(string(raw), "REQUESTID", "abcdefghijkl")
	c, err := decodeInteraction([]byte(p))
	if err != nil {
		t.Fatal(err)
	}
	if c.team() != "T0DEVAART1" || c.User.ID != "U0ANNE0001" || c.userName() != "anne.devries" || c.Action != message.ActionAccept ||
		c.RequestID != "abcdefghijkl" || c.OfferNo != 1 || c.Container.ChannelID != "D0ANNE0001" || c.Container.MessageTS != "1764150000.000001" ||
		!strings.HasPrefix(c.ResponseURL, "https://hooks.slack.com/actions/") || c.TriggerID == "" {
		t.Errorf("decoded %+v", c)
	}
	// The form wraps it in payload=…
	f, err := parseInteractionForm([]byte(url.Values{"payload": {p}}.Encode()))
	if err != nil || f.RequestID != c.RequestID {
		t.Errorf("from the form: %+v, %v", f, err)
	}
	// An org-wide install sends no team: the user's team counts.
	noTeam := strings.Replace(p, `"team": {
    "id": "T0DEVAART1",
    "domain": "kindcentrum-de-vaart"
  },`, `"team": null,`, 1)
	if c, err := decodeInteraction([]byte(noTeam)); err != nil || c.team() != "T0DEVAART1" {
		t.Errorf("without team: %q, %v", c.team(), err)
	}
	// slack-go's own type reads our testdata too: the shape is Slack's.
	var ic slack.InteractionCallback
	if err := ic.UnmarshalJSON([]byte(p)); err != nil || ic.ActionCallback.BlockActions[0].Value != "hb1:accept:abcdefghijkl:1" {
		t.Errorf("slack.InteractionCallback: %v %+v", err, ic.ActionCallback)
	}
}

func TestButtonValues(t *testing.T) {
	for _, tc := range []struct {
		actionID, value string
		ok              bool
	}{
		{"hulpbot.accept.0", "hb1:accept:abcdefghijkl:1", true},
		{"hulpbot.pickup.0", "hb1:pickup:abcdefghijkl:0", true},
		{"hulpbot.pulse_good.3", "hb1:pulse_good:abcdefghijkl:7", true},
		{"hulpbot.accept.0", "hb1:accept:abcdefghijkl:01", false},
		{"hulpbot.accept.0", "hb1:accept:abcdefghijkl:-1", false},
		{"hulpbot.accept.0", "hb1:accept:abcdefghijkl:+1", false},
		{"hulpbot.accept.0", "hb1:accept:abcdefghijkl:99999999", false},
		{"hulpbot.accept.0", "hb1:accept:abc:def:1", false},
		{"hulpbot.accept.0", "hb1:accept::1", false},
		{"hulpbot.accept.0", "hb1:Accept:abcdefghijkl:1", false},
		{"hulpbot.accept.0", "hb2:accept:abcdefghijkl:1", false},
		{"hulpbot.accept.0", "", false},
		{"hulpbot.decline.0", "hb1:accept:abcdefghijkl:1", false},
		{"other.accept.0", "hb1:accept:abcdefghijkl:1", false},
		{"hulpbot.acceptx.0", "hb1:accept:abcdefghijkl:1", false},
	} {
		a, id, n, err := decodeButton(tc.actionID, tc.value)
		if (err == nil) != tc.ok {
			t.Errorf("decodeButton(%q, %q) = %q %q %d %v, want ok %v", tc.actionID, tc.value, a, id, n, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("decodeButton(%q, %q) error %v is not ErrMalformed", tc.actionID, tc.value, err)
		}
	}
}

// FuzzDecodeInteraction: any payload decodes to a button hulpbot made or
// to ErrMalformed, never a panic, and what decodes is within bounds. The
// seeds are small (the recorded payload cut to the fields hulpbot reads),
// so the fuzzer's minimizing of what it finds stays quick and it fuzzes;
// the whole payload is TestDecodeInteraction's.
func FuzzDecodeInteraction(f *testing.F) {
	raw, err := os.ReadFile("testdata/block_actions.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(readFields(f, raw))
	f.Add(readFields(f, []byte(strings.ReplaceAll(string(raw), "REQUESTID", "abcdefghijkl"))))
	f.Add([]byte(`{"type":"block_actions","team":null,"user":{"id":"U1","team_id":"T1"},"actions":[{"action_id":"hulpbot.pickup.0","value":"hb1:pickup:x:0"}]}`))
	f.Add([]byte(`{"type":"block_actions","actions":[{}, {}]}`))
	f.Add([]byte(`{"type":"view_submission"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, p []byte) {
		c, err := decodeInteraction(p)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if c.team() == "" || c.User.ID == "" || len(c.User.ID) > maxField || !requestIDRE.MatchString(c.RequestID) || c.OfferNo < 0 || c.OfferNo > maxOfferNo {
			t.Fatalf("decoded out of bounds: %+v", c)
		}
		id, v, err := encodeButton(0, message.Button{Action: c.Action, RequestID: c.RequestID, OfferNo: c.OfferNo})
		if err != nil || v != c.Actions[0].Value || !strings.HasPrefix(id, actionIDPrefix+string(c.Action)+".") {
			t.Fatalf("decoded %+v does not encode back to %q: %q %v", c, c.Actions[0].Value, v, err)
		}
	})
}

// readFields is payload p with only the fields hulpbot reads.
func readFields(f *testing.F, p []byte) []byte {
	var in interaction
	if err := json.Unmarshal(p, &in); err != nil {
		f.Fatal(err)
	}
	b, err := json.Marshal(in)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzParseCommandForm: any body is a command or ErrMalformed.
func FuzzParseCommandForm(f *testing.F) {
	raw, err := os.ReadFile("testdata/command.form")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte("team_id=T1&user_id=U1"))
	f.Add([]byte("team_id=%zz"))
	f.Add([]byte("text=%F0%9F%91%8D&team_id=T1&user_id=U1&text=twice"))
	f.Add([]byte(";;&&=="))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseCommandForm(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if c.TeamID == "" || c.UserID == "" || len(c.UserID) > maxField || len(c.TriggerID) > maxField {
			t.Fatalf("parsed out of bounds: %+v", c)
		}
	})
}

// FuzzButtonValue: decoding is the inverse of encoding.
func FuzzButtonValue(f *testing.F) {
	f.Add("hulpbot.accept.0", "hb1:accept:abcdefghijkl:1")
	f.Add("hulpbot.pickup.1", "hb1:pickup:abcdefghijkl:0")
	f.Add("hulpbot.x.0", "hb1:x:y:00")
	f.Add("", "::::")
	f.Fuzz(func(t *testing.T, actionID, value string) {
		a, id, n, err := decodeButton(actionID, value)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		_, v, err := encodeButton(0, message.Button{Action: a, RequestID: id, OfferNo: n})
		if err != nil || v != value {
			t.Fatalf("decodeButton(%q, %q) = %q %q %d, which encodes to %q, %v", actionID, value, a, id, n, v, err)
		}
	})
}

func TestAllowedResponseURL(t *testing.T) {
	a := &Adapter{apiURL: "http://127.0.0.1:4567/api/"}
	for u, want := range map[string]bool{
		"https://hooks.slack.com/actions/T1/2/abc": true,
		"https://hooks.slack-gov.com/actions/T1/2": true,
		"http://hooks.slack.com/actions/T1/2/abc":  false,
		"https://hooks.slack.com.evil.example/x":   false,
		"https://evilslack.com/x":                  false,
		"http://127.0.0.1:4567/response/1":         true,
		"http://127.0.0.1:4568/response/1":         false,
		"":                                         false,
		"::":                                       false,
	} {
		if got := a.allowedResponseURL(u); got != want {
			t.Errorf("allowedResponseURL(%q) = %v, want %v", u, got, want)
		}
	}
}
