package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sign is Slack's v0 request signature: HMAC-SHA256 with the app's
// signing secret over "v0:<timestamp>:<raw body>", hex, prefixed "v0=".
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// setSignature puts Slack's signature headers for body, signed at ts, on h.
func setSignature(h http.Header, secret string, ts time.Time, body []byte) {
	stamp := ts.Unix()
	h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(stamp, 10))
	h.Set("X-Slack-Signature", Sign(secret, stamp, body))
}

// SlashCommand is one "/hulp …" as a Slack workspace sends it.
type SlashCommand struct {
	TeamID, TeamDomain     string
	ChannelID, ChannelName string
	UserID, UserName       string
	Text                   string
	ResponseURL, TriggerID string
}

// Body is the form Slack POSTs for the command, with every field Slack
// sends, in Slack's order (the signature covers the raw bytes, so the order
// is kept as Slack writes it rather than url.Values' sorted one).
func (c SlashCommand) Body() []byte {
	fields := [][2]string{
		{"token", "hulploadVerificationTok"},
		{"team_id", c.TeamID},
		{"team_domain", c.TeamDomain},
		{"channel_id", c.ChannelID},
		{"channel_name", c.ChannelName},
		{"user_id", c.UserID},
		{"user_name", c.UserName},
		{"command", "/hulp"},
		{"text", c.Text},
		{"api_app_id", "A0HULPLOAD"},
		{"is_enterprise_install", "false"},
		{"response_url", c.ResponseURL},
		{"trigger_id", c.TriggerID},
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(f[0])
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f[1]))
	}
	return []byte(b.String())
}

// Click is a press on a button of a message hulpbot sent, as Slack's
// block_actions interactivity payload.
type Click struct {
	TeamID, UserID, UserName string
	ChannelID, MessageTS     string
	ActionID, Value          string
	ResponseURL, TriggerID   string
	ActionTS                 string
}

// Body is the form Slack POSTs to the interactivity URL: one field,
// payload, holding the JSON.
func (c Click) Body() []byte {
	p, _ := json.Marshal(map[string]any{
		"type":       "block_actions",
		"team":       map[string]any{"id": c.TeamID, "domain": "hulpload"},
		"user":       map[string]any{"id": c.UserID, "username": c.UserName, "name": c.UserName, "team_id": c.TeamID},
		"api_app_id": "A0HULPLOAD",
		"token":      "hulploadVerificationTok",
		"container":  map[string]any{"type": "message", "message_ts": c.MessageTS, "channel_id": c.ChannelID, "is_ephemeral": false},
		"trigger_id": c.TriggerID,
		"channel":    map[string]any{"id": c.ChannelID, "name": "directmessage"},
		"message": map[string]any{
			"type": "message", "user": "U0HULPBOT1", "ts": c.MessageTS, "bot_id": "B0HULPBOT1", "text": "…",
		},
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": c.ResponseURL,
		"actions": []any{map[string]any{
			"action_id": c.ActionID, "block_id": "hulpbot_actions", "value": c.Value, "type": "button",
			"action_ts": c.ActionTS,
		}},
	})
	return []byte("payload=" + url.QueryEscape(string(p)))
}
