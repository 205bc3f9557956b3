package slackbot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/message"
)

// ErrMalformed is a request that passed the signature check but is not what
// Slack sends for hulpbot: bad form encoding, bad JSON, a missing field, a
// payload type or button hulpbot never made. It is answered with 400.
var ErrMalformed = errors.New("malformed request")

// malformed is an ErrMalformed with a fixed reason: it never quotes the
// request, so it may be logged.
type malformed string

func (m malformed) Error() string        { return "malformed request: " + string(m) }
func (m malformed) Is(target error) bool { return target == ErrMalformed }

// slashCommand is the part of Slack's slash-command form hulpbot uses.
type slashCommand struct {
	TeamID      string
	ChannelID   string
	UserID      string
	UserName    string
	Command     string
	Text        string
	ResponseURL string
	TriggerID   string
}

// maxField caps every id-like field: Slack's are far shorter, and nothing
// longer reaches a Redis key or a log line.
const maxField = 255

// parseCommandForm decodes the raw body of a slash command: the form
// Slack POSTs (application/x-www-form-urlencoded).
func parseCommandForm(body []byte) (slashCommand, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return slashCommand{}, malformed("form encoding")
	}
	c := slashCommand{
		TeamID:      v.Get("team_id"),
		ChannelID:   v.Get("channel_id"),
		UserID:      v.Get("user_id"),
		UserName:    v.Get("user_name"),
		Command:     v.Get("command"),
		Text:        v.Get("text"),
		ResponseURL: v.Get("response_url"),
		TriggerID:   v.Get("trigger_id"),
	}
	return c, c.check()
}

// fromSocket converts the slash command of a Socket Mode envelope.
func fromSocket(s slack.SlashCommand) (slashCommand, error) {
	c := slashCommand{
		TeamID: s.TeamID, ChannelID: s.ChannelID, UserID: s.UserID, UserName: s.UserName,
		Command: s.Command, Text: s.Text, ResponseURL: s.ResponseURL, TriggerID: s.TriggerID,
	}
	return c, c.check()
}

func (c slashCommand) check() error {
	if c.TeamID == "" || c.UserID == "" {
		return malformed("no team_id or user_id")
	}
	for _, f := range []string{c.TeamID, c.ChannelID, c.UserID, c.UserName, c.Command, c.TriggerID} {
		if len(f) > maxField {
			return malformed("field too long")
		}
	}
	return nil
}

// interaction is the part of an interactivity payload (block_actions)
// hulpbot uses. It is decoded on its own rather than into
// slack.InteractionCallback: the message that held the button, which Slack
// sends along, is of no interest and is not parsed.
type interaction struct {
	Type string `json:"type"`
	Team struct {
		ID string `json:"id"`
	} `json:"team"`
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
		TeamID   string `json:"team_id"`
	} `json:"user"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		Type        string `json:"type"`
		MessageTS   string `json:"message_ts"`
		ChannelID   string `json:"channel_id"`
		IsEphemeral bool   `json:"is_ephemeral"`
	} `json:"container"`
	ResponseURL string         `json:"response_url"`
	TriggerID   string         `json:"trigger_id"`
	Actions     []actionRecord `json:"actions"`
}

type actionRecord struct {
	ActionID string `json:"action_id"`
	BlockID  string `json:"block_id"`
	Value    string `json:"value"`
	Type     string `json:"type"`
	ActionTS string `json:"action_ts"`
}

// team is the workspace the click came from.
func (in interaction) team() string {
	if in.Team.ID != "" {
		return in.Team.ID
	}
	return in.User.TeamID
}

// userName is the clicker's name as Slack gives it.
func (in interaction) userName() string {
	if in.User.Username != "" {
		return in.User.Username
	}
	return in.User.Name
}

// click is one press on a hulpbot button.
type click struct {
	interaction
	Action    message.Action
	RequestID string
	OfferNo   int
}

// parseInteractionForm decodes the raw body of an interactivity request:
// a form with one field, payload, that holds JSON.
func parseInteractionForm(body []byte) (click, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return click{}, malformed("form encoding")
	}
	p := v.Get("payload")
	if p == "" {
		return click{}, malformed("no payload")
	}
	return decodeInteraction([]byte(p))
}

// decodeInteraction decodes a block_actions payload into the press of one
// hulpbot button.
func decodeInteraction(p []byte) (click, error) {
	var in interaction
	if err := json.Unmarshal(p, &in); err != nil {
		return click{}, malformed("payload JSON")
	}
	if in.Type != string(slack.InteractionTypeBlockActions) {
		return click{}, malformed("payload type")
	}
	if in.team() == "" || in.User.ID == "" {
		return click{}, malformed("no team or user")
	}
	if len(in.Actions) != 1 {
		return click{}, malformed("not one action")
	}
	for _, f := range []string{in.team(), in.User.ID, in.userName(), in.Channel.ID, in.Container.ChannelID, in.Container.MessageTS, in.TriggerID, in.Actions[0].ActionTS} {
		if len(f) > maxField {
			return click{}, malformed("field too long")
		}
	}
	a := in.Actions[0]
	action, reqID, offer, err := decodeButton(a.ActionID, a.Value)
	if err != nil {
		return click{}, err
	}
	return click{interaction: in, Action: action, RequestID: reqID, OfferNo: offer}, nil
}

// Buttons carry what they do in their value, "hb1:<action>:<request>:<offer>",
// and an action_id "hulpbot.<action>.<n>" that is unique in its message.
// Slack signs every interactivity request, so the value needs no signature
// of its own; who may press a button is the handlers' business.
const (
	valueVersion   = "hb1"
	actionIDPrefix = "hulpbot."
	maxOfferNo     = 1_000_000
)

var (
	actionRE    = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	requestIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// encodeButton gives the action_id and value of the i-th button of a message.
func encodeButton(i int, b message.Button) (actionID, value string, err error) {
	a := string(b.Action)
	if !actionRE.MatchString(a) || !requestIDRE.MatchString(b.RequestID) || b.OfferNo < 0 || b.OfferNo > maxOfferNo {
		return "", "", fmt.Errorf("%w: button %q for request %q offer %d", ErrRender, cutRunes(a, 40), cutRunes(b.RequestID, 70), b.OfferNo)
	}
	return actionIDPrefix + a + "." + strconv.Itoa(i), valueVersion + ":" + a + ":" + b.RequestID + ":" + strconv.Itoa(b.OfferNo), nil
}

// decodeButton reads a button hulpbot made. The action is passed on as it
// is: which actions exist is the handlers' business.
func decodeButton(actionID, value string) (message.Action, string, int, error) {
	if !strings.HasPrefix(actionID, actionIDPrefix) {
		return "", "", 0, malformed("unknown action")
	}
	parts := strings.Split(value, ":")
	if len(parts) != 4 || parts[0] != valueVersion {
		return "", "", 0, malformed("button value")
	}
	action, reqID, offer := parts[1], parts[2], parts[3]
	n, err := strconv.Atoi(offer)
	if err != nil || n < 0 || n > maxOfferNo || strconv.Itoa(n) != offer || !actionRE.MatchString(action) || !requestIDRE.MatchString(reqID) {
		return "", "", 0, malformed("button value")
	}
	if rest := strings.TrimPrefix(actionID, actionIDPrefix); !strings.HasPrefix(rest, action+".") {
		return "", "", 0, malformed("unknown action")
	}
	return message.Action(action), reqID, n, nil
}
