package mmbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/handlers"
)

// Buttons on a slash command's answer.
//
// The answer to /hulp is ephemeral: Mattermost shows it to the one who
// typed and never stores it. A press on one of its buttons comes with the
// button's cookie (the webapp calls DoPostActionWithCookie), and
// Mattermost, not finding the post, takes the channel and the integration
// from the cookie. It can then not apply an "update" to that post: the
// click fails ("Unable to get the post", HTTP 404) after hulpbot has acted,
// and an ephemeral_text in the same answer is dropped with it. An
// integration outside a plugin has no call that edits or removes an
// ephemeral post either (POST /posts/ephemeral needs a system admin).
//
// So a click on such a button is answered through the command's response
// URL (POST /hooks/commands/{id}, no token, good for 30 minutes and 5
// posts): what would have replaced the post comes as a new ephemeral post
// in the same channel, with its buttons, and the click itself answers
// nothing. The pressed post keeps its buttons on the screen until the page
// is reloaded; pressing one again is answered as a second press of a used
// button ("Al verstuurd."). The id of the response URL travels in the
// signed context of each button (ButtonRef.Reply), which Mattermost keeps
// in the encrypted cookie; the URL is built from the configured Mattermost
// URL, not taken from the request. When the response URL no longer takes
// posts, the answer's text comes as ephemeral_text (its buttons are lost);
// Mattermost makes that a reply to the pressed post (root_id is the id of
// the post it never stored), where a client that collapses threads may
// show it only in the thread.

// replyHookPath is where a slash command's response URL points, below the
// server's URL.
const replyHookPath = "/hooks/commands/"

// replyID is the id in a command's response_url, "" when it is not one.
func replyID(responseURL string) string {
	u, err := url.Parse(responseURL)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	dir, id := path.Split(u.Path)
	if !strings.HasSuffix(dir, replyHookPath) || !model.IsValidId(id) {
		return ""
	}
	return id
}

// replyHooks posts answers to slash commands' response URLs.
type replyHooks struct {
	base string // the Mattermost server, without a trailing slash
	http *http.Client
}

// post sends r to the response URL with the id.
func (h replyHooks) post(ctx context.Context, id string, r *model.CommandResponse) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+replyHookPath+id, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL holds the id: keep it out of logs
		}
		return &apiError{Op: "post to the command's response URL", Err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode != http.StatusOK {
		return &apiError{Op: "post to the command's response URL", Status: resp.StatusCode, Err: fmt.Errorf("HTTP %d", resp.StatusCode)}
	}
	return nil
}

// answerOnReply answers a click on a button of a command's ephemeral
// answer (ref.Reply set): the update, or the note, goes to the response
// URL as a new ephemeral post, and the click answers nothing. When the
// response URL refuses, the text comes back as ephemeral_text.
func (a *Adapter) answerOnReply(ctx context.Context, reply string, cr handlers.ClickReply, rb Buttons) *model.PostActionIntegrationResponse {
	var shown handlers.Reply
	switch {
	case cr.Update != nil:
		shown = handlers.Reply{Text: cr.Update.Text, Buttons: cr.Update.Buttons}
	case cr.Ephemeral != "":
		shown = handlers.Reply{Text: cr.Ephemeral}
	default:
		return &model.PostActionIntegrationResponse{}
	}
	err := a.hooks.post(ctx, reply, RenderCommandResponse(shown, rb))
	if err == nil {
		return &model.PostActionIntegrationResponse{}
	}
	a.log.Warn("click on a command's answer: its response URL refused; the text comes as ephemeral_text", "buttons_lost", len(shown.Buttons), "err", err)
	return RenderEphemeral(shown.Text)
}
