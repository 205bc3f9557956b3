package mmbot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
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

// hashToken is what a token is compared as: equal-length digests, so the
// comparison takes the same time whatever the lengths.
func hashToken(t string) [32]byte { return sha256.Sum256([]byte(t)) }

// validToken compares got with every configured token in constant time.
func (a *Adapter) validToken(got string) bool {
	if got == "" {
		return false
	}
	h := hashToken(got)
	ok := 0
	for _, t := range a.tokens {
		ok |= subtle.ConstantTimeCompare(h[:], t[:])
	}
	return ok == 1
}

// ServeCommand answers POST /mattermost/command, the /hulp slash command.
//
// The token — header "Authorization: Token …" and/or form field token;
// each one present must be valid — is checked before anything else is
// looked at; a wrong or missing one is 401 and changes nothing. A body
// that is not a form, or lacks the user or team, is 400. A team linked to
// no school gets an ephemeral answer saying so.
func (a *Adapter) ServeCommand(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		a.reject(w, "command", http.StatusBadRequest, "body unreadable or too large")
		return
	}
	hasHeader := false
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Token ")
		if !ok || !a.validToken(strings.TrimSpace(tok)) {
			a.reject(w, "command", http.StatusUnauthorized, "bad authorization header")
			return
		}
		hasHeader = true
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
		if len(tok) != 1 || !a.validToken(tok[0]) {
			a.reject(w, "command", http.StatusUnauthorized, "bad form token")
			return
		}
	} else if !hasHeader {
		a.reject(w, "command", http.StatusUnauthorized, "no token")
		return
	}

	userName, userID := form.Get("user_name"), form.Get("user_id")
	teamID, teamName := form.Get("team_id"), form.Get("team_domain")
	if userName == "" || (teamID == "" && teamName == "") {
		a.reject(w, "command", http.StatusBadRequest, "no user or team")
		return
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
	defer cancel()
	sc, ok := a.teams.school(ctx, teamID, teamName)
	if !ok {
		a.log.Warn("command from a team linked to no school", "team", teamID, "user", userID)
		sc = nil // handlers answers that the team is linked to no school
	}
	reply := a.dispatch.Command(ctx, handlers.Command{
		School:  sc,
		From:    bot.Actor{Address: bot.Address{Platform: Platform, Handle: userName}, Name: userName},
		Text:    form.Get("text"),
		Channel: form.Get("channel_id"),
		ID:      form.Get("trigger_id"),
	})
	rb := Buttons{ActionURL: a.actionURL}
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

// ServeAction answers POST /mattermost/action, a press on a button hulpbot
// put on a post.
//
// A body that is not the JSON Mattermost sends is 400. A context hulpbot
// did not sign, one for a school that is gone, or a click from another
// school's team gets an ephemeral note and changes nothing. A verified
// click goes to handlers: who may press what (only the offered helper may
// accept or decline an offer; a request no longer open refuses) is decided
// there, atomically with the change.
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
	if req.UserName == "" {
		a.reject(w, "click", http.StatusBadRequest, "no user")
		return
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
	defer cancel()
	signer, err := a.keys.get(ctx)
	if err != nil {
		a.log.Error("click: no action secret", "post", req.PostId, "err", err)
		writeJSON(w, RenderEphemeral(catalog.Text(catalog.LangNL, "err.internal")))
		return
	}
	ref, err := signer.Verify(req.Context)
	if err != nil {
		a.log.Warn("click refused", "reason", "context", "err", err, "post", req.PostId, "user", req.UserId)
		writeJSON(w, RenderEphemeral(catalog.Text(catalog.LangNL, "err.unknown_button")))
		return
	}
	sc, ok := a.dir.School(ref.SchoolID)
	if !ok {
		a.log.Warn("click refused", "reason", "school gone", "school", ref.SchoolID, "post", req.PostId, "user", req.UserId)
		writeJSON(w, RenderEphemeral(catalog.Text(catalog.LangNL, "err.unknown_school")))
		return
	}
	if req.TeamId != "" {
		// A post in a team's channel: the team must be the school's.
		// Direct messages have no team.
		if tsc, ok := a.teams.school(ctx, req.TeamId, req.TeamName); !ok || tsc.ID != sc.ID {
			a.log.Warn("click refused", "reason", "foreign team", "school", sc.ID, "team", req.TeamId, "post", req.PostId, "user", req.UserId)
			writeJSON(w, RenderEphemeral(catalog.Text(sc.Language, "err.unknown_button")))
			return
		}
	}
	reply := a.dispatch.Click(ctx, handlers.Click{
		School:    sc,
		From:      bot.Actor{Address: bot.Address{Platform: Platform, Handle: req.UserName}, Name: req.UserName},
		Action:    ref.Action,
		RequestID: ref.RequestID,
		OfferNo:   ref.OfferNo,
	})
	a.log.Info("click", "school", sc.ID, "action", ref.Action, "request", ref.RequestID, "offer", ref.OfferNo,
		"post", req.PostId, "user", req.UserId, "updated", reply.Update != nil)
	writeJSON(w, RenderClickResponse(reply, Buttons{ActionURL: a.actionURL, Signer: signer, SchoolID: sc.ID}))
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
