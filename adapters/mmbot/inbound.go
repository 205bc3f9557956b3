package mmbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

const (
	// maxBody bounds what the endpoints read: a slash command or a click
	// is well under 8 KiB.
	maxBody = 64 << 10
	// handleTimeout bounds the work of one command or click. It is
	// detached from the caller's context: once a command has been
	// verified, it runs to its end even if Mattermost stops waiting.
	handleTimeout = 20 * time.Second
)

// ServeCommand answers POST /mattermost/command, the /hulp slash command.
//
// The token — header "Authorization: Token …" and/or form field token;
// each one present must be valid — is checked before anything else is
// looked at; a wrong or missing one is 401 and changes nothing. Each
// team's command has its own token, good for that team only: a token used
// with another team's id or name is 401 too. A body that is not a form, or
// lacks the user id or team, is 400. A team linked to no school gets an
// ephemeral answer saying so.
//
// Who typed the command is the account of user_id, which Mattermost sets,
// resolved to its username through the API (cached); user_name is not
// taken on its word.
func (a *Adapter) ServeCommand(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		a.reject(w, "command", http.StatusBadRequest, "body unreadable or too large")
		return
	}
	// team is the team the token(s) are bound to; every token present
	// must be good and bound to the same team.
	var team string
	tokens := 0
	bind := func(tok string) bool {
		t, ok := a.tokens.team(tok)
		if !ok || (tokens > 0 && t != team) {
			return false
		}
		team, tokens = t, tokens+1
		return true
	}
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Token ")
		if !ok || !bind(strings.TrimSpace(tok)) {
			a.reject(w, "command", http.StatusUnauthorized, "bad authorization header")
			return
		}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			a.reject(w, "command", http.StatusBadRequest, "not a form")
			return
		}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		a.reject(w, "command", http.StatusBadRequest, "malformed form")
		return
	}
	if tok, ok := form["token"]; ok {
		if len(tok) != 1 || !bind(tok[0]) {
			a.reject(w, "command", http.StatusUnauthorized, "bad form token")
			return
		}
	}
	if tokens == 0 {
		a.reject(w, "command", http.StatusUnauthorized, "no token")
		return
	}

	userID, userName := form.Get("user_id"), form.Get("user_name")
	teamID, teamName := form.Get("team_id"), form.Get("team_domain")
	if !model.IsValidId(userID) || (teamID == "" && teamName == "") {
		a.reject(w, "command", http.StatusBadRequest, "no user id or team")
		return
	}

	if team != "" && teamName != "" && !strings.EqualFold(teamName, team) {
		// A good token of one team, with another team's name.
		a.reject(w, "command", http.StatusUnauthorized, "token of another team")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
	defer cancel()
	sc, ok := a.teams.school(ctx, teamID, teamName)
	switch {
	case team == "" && !ok:
		// A token bound to no team (no school has one yet), from a team
		// linked to no school: handlers answers that it is not linked.
		a.log.Warn("command from a team linked to no school", "team", teamID, "user", bot.Mask(userID))
		sc = nil
	case !ok || !onTeam(sc, team):
		// A good token of one team, with another team's id.
		a.reject(w, "command", http.StatusUnauthorized, "token of another team")
		return
	}

	from := bot.Actor{Address: bot.Address{Platform: Platform}}
	if sc != nil {
		name, err := a.people.name(ctx, userID)
		if err != nil {
			a.log.Warn("command: who is asking unknown", "school", sc.ID, "user", bot.Mask(userID), "err", err)
			writeJSON(w, RenderCommandResponse(handlers.Reply{Text: whoUnknown(sc, err)}, Buttons{}))
			return
		}
		if !strings.EqualFold(userName, name) {
			a.log.Warn("command: user_name is not the account's username; the account counts", "school", sc.ID, "user", bot.Mask(userID))
		}
		from = bot.Actor{Address: bot.Address{Platform: Platform, Handle: name}, Name: name}
		// The reply is for the one who typed: in their language.
		sc = a.langs.School(ctx, sc, from.Identity(), func(ctx context.Context) (string, error) {
			return a.people.locale(ctx, userID)
		})
	}
	reply := a.dispatch.Command(ctx, handlers.Command{
		School:  sc,
		From:    from,
		Text:    form.Get("text"),
		Channel: form.Get("channel_id"),
		ID:      form.Get("trigger_id"),
	})
	// Buttons in the answer are for the one who typed the command, and on
	// a post Mattermost does not store: their clicks are answered through
	// the command's response URL (ephemeral.go).
	rb := Buttons{ActionURL: a.actionURL, For: ForUser(userID), Now: a.now(), Reply: replyID(form.Get("response_url"))}
	if sc != nil && len(reply.Buttons) > 0 {
		signer, err := a.keys.get(ctx)
		if err != nil {
			a.log.Error("no action secret", "err", err)
			reply.Buttons = nil
		} else {
			rb.Signer, rb.SchoolID = signer, sc.ID
		}
	} else {
		reply.Buttons = nil
	}
	writeJSON(w, RenderCommandResponse(reply, rb))
}

// refusals are the answers to a click on a verified button that is not
// the clicker's to press (ButtonRef.Allows).
var refusals = map[error]string{
	ErrNotForYou:    "err.button_not_yours",
	ErrOtherChannel: "err.button_channel",
	ErrExpired:      "err.button_expired",
}

// onTeam reports whether the school's Mattermost team is team.
func onTeam(sc *bot.School, team string) bool {
	t, ok := sc.TeamOn(Platform)
	return ok && strings.EqualFold(t, team)
}

// whoUnknown is the answer when the account that typed or clicked could
// not be looked up: gone or deactivated, or the API did not answer.
func whoUnknown(sc *bot.School, err error) string {
	l := catalog.Lang(sc.Language)
	if errors.Is(err, message.ErrPermanent) {
		return catalog.Text(l, "err.who")
	}
	return catalog.Text(l, "err.unavailable", "when_down", catalog.WhenDown(sc))
}

// ServeAction answers POST /mattermost/action, a press on a button hulpbot
// put on a post.
//
// A body that is not the JSON Mattermost sends, or without a user id, is
// 400. Every other refusal is an ephemeral note that changes nothing: a
// context hulpbot did not sign (or signed before buttons named their
// person and expiry), one for a school that is gone, a click by another
// account than the one the button was sent to, from another channel than
// the one a pick-up was posted in, after the button expired, or from
// another school's team. A verified click goes to handlers as the account
// of user_id (resolved through the API; user_name is not taken on its
// word): who may press what (only the offered helper may accept or decline
// an offer; a request no longer open refuses) is decided there, atomically
// with the change.
func (a *Adapter) ServeAction(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		a.reject(w, "click", http.StatusBadRequest, "body unreadable or too large")
		return
	}
	var req model.PostActionIntegrationRequest
	if err := decodeJSON(body, &req); err != nil {
		a.reject(w, "click", http.StatusBadRequest, "malformed JSON")
		return
	}
	if !model.IsValidId(req.UserId) {
		a.reject(w, "click", http.StatusBadRequest, "no user id")
		return
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
	defer cancel()
	signer, err := a.keys.get(ctx)
	if err != nil {
		a.log.Error("click: no action secret", "post", bot.Mask(req.PostId), "err", err)
		writeJSON(w, RenderEphemeral(catalog.Text(catalog.LangNL, "err.internal")))
		return
	}
	ref, err := signer.Verify(req.Context)
	if err != nil {
		key := "err.unknown_button"
		if errors.Is(err, ErrOldContext) {
			key = "err.button_old"
		}
		a.log.Warn("click refused", "reason", "context", "err", err, "post", bot.Mask(req.PostId), "user", bot.Mask(req.UserId))
		writeJSON(w, RenderEphemeral(catalog.Text(catalog.LangNL, key)))
		return
	}
	sc, ok := a.dir.School(ref.SchoolID)
	if !ok {
		a.log.Warn("click refused", "reason", "school gone", "school", ref.SchoolID, "post", bot.Mask(req.PostId), "user", bot.Mask(req.UserId))
		writeJSON(w, RenderEphemeral(catalog.Text(catalog.LangNL, "err.unknown_school")))
		return
	}
	l := catalog.Lang(sc.Language)
	if err := ref.Allows(req.UserId, req.ChannelId, a.now()); err != nil {
		a.log.Warn("click refused", "reason", err, "school", sc.ID, "action", ref.Action, "request", ref.RequestID, "post", bot.Mask(req.PostId), "user", bot.Mask(req.UserId), "channel", bot.Mask(req.ChannelId))
		writeJSON(w, RenderEphemeral(catalog.Text(l, refusals[err])))
		return
	}
	if req.TeamId != "" {
		// A post in a team's channel: the team must be the school's.
		// Direct messages have no team.
		if tsc, ok := a.teams.school(ctx, req.TeamId, req.TeamName); !ok || tsc.ID != sc.ID {
			a.log.Warn("click refused", "reason", "foreign team", "school", sc.ID, "team", bot.Mask(req.TeamId), "post", bot.Mask(req.PostId), "user", bot.Mask(req.UserId))
			writeJSON(w, RenderEphemeral(catalog.Text(l, "err.unknown_button")))
			return
		}
	}
	name, err := a.people.name(ctx, req.UserId)
	if err != nil {
		a.log.Warn("click: who clicked unknown", "school", sc.ID, "post", bot.Mask(req.PostId), "user", bot.Mask(req.UserId), "err", err)
		writeJSON(w, RenderEphemeral(whoUnknown(sc, err)))
		return
	}
	if !strings.EqualFold(req.UserName, name) {
		a.log.Warn("click: user_name is not the account's username; the account counts", "school", sc.ID, "post", bot.Mask(req.PostId), "user", bot.Mask(req.UserId))
	}
	if ref.Action == message.ActionAccept || ref.Action == message.ActionDecline {
		a.sender.clicked(ctx, sc.ID, ref.RequestID, ref.OfferNo, req.PostId)
	}
	from := bot.Actor{Address: bot.Address{Platform: Platform, Handle: name}, Name: name}
	own := a.langs.School(ctx, sc, from.Identity(), func(ctx context.Context) (string, error) {
		return a.people.locale(ctx, req.UserId)
	})
	if req.TeamId == "" || ref.For.User != "" {
		// A direct message, or an answer only the clicker sees (its
		// buttons are for them alone), is theirs: its update is in their
		// language; a channel's post stays in the school's.
		sc = own
	}
	reply := a.dispatch.Click(ctx, handlers.Click{
		School:    sc,
		Clicker:   own,
		From:      from,
		Action:    ref.Action,
		RequestID: ref.RequestID,
		OfferNo:   ref.OfferNo,
	})
	a.log.Info("click", "school", sc.ID, "action", ref.Action, "request", ref.RequestID, "offer", ref.OfferNo,
		"post", bot.Mask(req.PostId), "user", bot.Mask(req.UserId), "updated", reply.Update != nil)
	// Buttons the update brings work for whom the pressed one did, and
	// are shown where it was.
	rb := Buttons{ActionURL: a.actionURL, Signer: signer, SchoolID: sc.ID, For: ref.For, Now: a.now(), Reply: ref.Reply}
	if ref.Reply != "" {
		// An ephemeral post: Mattermost cannot update it.
		writeJSON(w, a.answerOnReply(ctx, ref.Reply, reply, rb))
		return
	}
	writeJSON(w, RenderClickResponse(reply, rb))
}

// decodeJSON reads exactly one JSON object.
func decodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

func (a *Adapter) reject(w http.ResponseWriter, what string, status int, reason string) {
	a.log.Warn(what+" rejected", "status", status, "reason", reason)
	http.Error(w, http.StatusText(status), status)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
