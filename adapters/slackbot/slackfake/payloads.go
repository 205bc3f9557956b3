package slackfake

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// Command is a slash command as Slack sends it.
type Command struct {
	TeamID, ChannelID, UserID, UserName string
	Text, TriggerID, ResponseURL        string
}

// Form is the command's form, with every field Slack sends.
func (c Command) Form() url.Values {
	return url.Values{
		"token":                 {"gIkuvaNzQIHg97ATvDxqgjtO"},
		"team_id":               {c.TeamID},
		"team_domain":           {"kindcentrum-de-vaart"},
		"enterprise_id":         {""},
		"enterprise_name":       {""},
		"channel_id":            {c.ChannelID},
		"channel_name":          {"groep-5"},
		"user_id":               {c.UserID},
		"user_name":             {c.UserName},
		"command":               {"/hulp"},
		"text":                  {c.Text},
		"api_app_id":            {"A0HULPBOT1"},
		"is_enterprise_install": {"false"},
		"response_url":          {c.ResponseURL},
		"trigger_id":            {c.TriggerID},
	}
}

// JSON is the command as a Socket Mode envelope carries it.
func (c Command) JSON() map[string]any {
	m := map[string]any{}
	for k, v := range c.Form() {
		m[k] = v[0]
	}
	return m
}

// Button is a button of a message the fake received.
type Button struct {
	Type     string `json:"type"`
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
	Style    string `json:"style"`
	Text     struct {
		Text string `json:"text"`
	} `json:"text"`
}

// Buttons reads the buttons out of the blocks of a chat.postMessage call.
func Buttons(t testing.TB, c Call) []Button {
	t.Helper()
	var blocks []struct {
		Type     string   `json:"type"`
		Elements []Button `json:"elements"`
	}
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("slackfake: blocks of %s: %v", c.Method, err)
	}
	var out []Button
	for _, b := range blocks {
		if b.Type == "actions" {
			out = append(out, b.Elements...)
		}
	}
	return out
}

// Click is a press on a button, as Slack sends it (block_actions).
type Click struct {
	TeamID, UserID, UserName         string
	ChannelID, MessageTS             string
	ResponseURL, TriggerID, ActionTS string
	Button                           Button
	// Ephemeral: the button is on an answer only the clicker sees.
	Ephemeral bool
}

// Payload is the click's JSON, with the fields Slack sends.
func (c Click) Payload() []byte {
	if c.Button.Type == "" {
		c.Button.Type = "button"
	}
	b, _ := json.Marshal(map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": c.UserID, "username": c.UserName, "name": c.UserName, "team_id": c.TeamID},
		"api_app_id": "A0HULPBOT1",
		"token":      "gIkuvaNzQIHg97ATvDxqgjtO",
		"container":  map[string]any{"type": "message", "message_ts": c.MessageTS, "channel_id": c.ChannelID, "is_ephemeral": c.Ephemeral},
		"trigger_id": c.TriggerID,
		"team":       map[string]any{"id": c.TeamID, "domain": "kindcentrum-de-vaart"},
		"enterprise": nil,
		"channel":    map[string]any{"id": c.ChannelID, "name": "directmessage"},
		"message": map[string]any{
			"type": "message", "text": "…", "user": "U0HULPBOT1", "ts": c.MessageTS, "bot_id": "B0HULPBOT1",
			"blocks": []any{map[string]any{"type": "actions", "block_id": "hulpbot_actions", "elements": []any{c.Button}}},
		},
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": c.ResponseURL,
		"actions": []any{map[string]any{
			"action_id": c.Button.ActionID, "block_id": "hulpbot_actions", "value": c.Button.Value, "type": "button",
			"text": map[string]any{"type": "plain_text", "text": c.Button.Text.Text, "emoji": true}, "action_ts": c.ActionTS,
		}},
	})
	return b
}

// Form is the click as Slack POSTs it: one field, payload.
func (c Click) Form() url.Values { return url.Values{"payload": {string(c.Payload())}} }

// BlockText is the text of the sections of a chat.postMessage call, one
// line per section, as Slack would receive it (escaped).
func BlockText(t testing.TB, c Call) string {
	t.Helper()
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("slackfake: blocks of %s: %v", c.Method, err)
	}
	var lines []string
	for _, b := range blocks {
		if b.Type == "section" {
			lines = append(lines, b.Text.Text)
		}
	}
	return strings.Join(lines, "\n")
}
