package mmbot

import (
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

// Paths of the endpoints Mattermost calls, below public_url.
const (
	CommandPath = "/mattermost/command"
	ActionPath  = "/mattermost/action"
)

// How long a button works: until the moment its message names (an
// offer's deadline, the end of a request's retention) and a grace for a
// click on its way and clocks that differ a little; a day when it names
// none (the "Hielp het?" and kernteam buttons).
const (
	clickGrace        = 2 * time.Minute
	defaultButtonLife = 24 * time.Hour
)

// Buttons renders neutral buttons as Mattermost attachment actions whose
// integration calls ActionURL with a context Signer signs for SchoolID,
// for the audience For (the person a message goes to, or the channel it is
// posted in), expiring as the button says, counted from Now.
type Buttons struct {
	ActionURL string
	Signer    *Signer
	SchoolID  string
	For       Audience
	Now       time.Time
	// Reply is the id of the slash command's response URL when the
	// buttons go on the command's ephemeral answer (ButtonRef.Reply).
	Reply string
}

// ref is what b's context names.
func (rb Buttons) ref(b message.Button) ButtonRef {
	return ButtonRef{SchoolID: rb.SchoolID, Action: b.Action, RequestID: b.RequestID, OfferNo: b.OfferNo, For: rb.For, Expires: rb.expires(b), Reply: rb.Reply}
}

// expires is when b stops working.
func (rb Buttons) expires(b message.Button) time.Time {
	if !b.Until.IsZero() {
		return b.Until.Add(clickGrace)
	}
	return rb.Now.Add(defaultButtonLife)
}

// attachments puts the buttons in one attachment, or returns nil without
// buttons. Action ids are letters and digits only (Mattermost's route for a
// click accepts nothing else) and unique within the post.
func (rb Buttons) attachments(bs []message.Button) []*model.SlackAttachment {
	if len(bs) == 0 {
		return nil
	}
	used := map[string]bool{}
	labels := make([]string, 0, len(bs))
	actions := make([]*model.PostAction, 0, len(bs))
	for i, b := range bs {
		style := "default"
		if b.Primary {
			style = "primary"
		}
		actions = append(actions, &model.PostAction{
			Id:    actionID(b.Action, i, used),
			Type:  model.PostActionTypeButton,
			Name:  b.Label,
			Style: style,
			Integration: &model.PostActionIntegration{
				URL:     rb.ActionURL,
				Context: rb.Signer.Context(rb.ref(b)),
			},
		})
		labels = append(labels, b.Label)
	}
	return []*model.SlackAttachment{{
		Fallback: strings.Join(labels, " / "),
		Actions:  actions,
	}}
}

// actionID is the button's action in letters and digits, with its position
// added when another button of the post has it already.
func actionID(a message.Action, i int, used map[string]bool) string {
	var b strings.Builder
	for _, r := range string(a) {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() == 20 {
			break
		}
	}
	id := b.String()
	if id == "" {
		id = "button"
	}
	if used[id] {
		id += strconv.Itoa(i)
	}
	used[id] = true
	return id
}

// RenderPost is the post that shows m in channelID: its text, escaped, and
// its buttons. Attachment files are uploaded by the Sender, which adds their
// ids.
func RenderPost(m message.Message, channelID string, rb Buttons) *model.Post {
	p := &model.Post{ChannelId: channelID, Message: plain(m.Text)}
	if att := rb.attachments(m.Buttons); att != nil {
		p.AddProp(model.PostPropsAttachments, att)
	}
	return p
}

// RenderCommandResponse is the answer to a slash command: shown only to the
// person who typed it.
func RenderCommandResponse(r handlers.Reply, rb Buttons) *model.CommandResponse {
	return &model.CommandResponse{
		ResponseType:     model.CommandResponseTypeEphemeral,
		Text:             plain(r.Text),
		SkipSlackParsing: true,
		Attachments:      rb.attachments(r.Buttons),
	}
}

// RenderClickResponse is the answer to a button press. An update replaces
// the post for everyone; its props are set (not left null, which would keep
// the old ones), so the pressed buttons are gone unless the update brings
// buttons of its own.
func RenderClickResponse(cr handlers.ClickReply, rb Buttons) *model.PostActionIntegrationResponse {
	out := &model.PostActionIntegrationResponse{SkipSlackParsing: true}
	if cr.Update != nil {
		props := model.StringInterface{model.PostPropsFromBot: "true"}
		if att := rb.attachments(cr.Update.Buttons); att != nil {
			props[model.PostPropsAttachments] = att
		}
		out.Update = &model.Post{Message: plain(cr.Update.Text), Props: props}
	}
	if cr.Ephemeral != "" {
		out.EphemeralText = plain(cr.Ephemeral)
	}
	return out
}

// RenderEphemeral answers a click with a note for the clicker only.
func RenderEphemeral(text string) *model.PostActionIntegrationResponse {
	return &model.PostActionIntegrationResponse{EphemeralText: plain(text), SkipSlackParsing: true}
}
