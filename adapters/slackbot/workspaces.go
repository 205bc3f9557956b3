package slackbot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// ErrNoWorkspace is a school, or a request's workspace, for which hulpbot
// has no bot token: no Web API call can reach that workspace.
var ErrNoWorkspace = errors.New("no bot token for the workspace")

// Workspaces are the Web API clients of the workspaces the app is
// installed in, one per bot token: a bot token works in the workspace its
// installation was made in only, so every call picks the client of the
// workspace it concerns.
type Workspaces struct {
	byTeam map[string]*workspace // team id, upper case
	// fallback serves every workspace without a token of its own (the one
	// bot token of a single-workspace setup); nil without.
	fallback *workspace
	// teamless serves a school linked to no workspace whose people have
	// Slack accounts: fallback, else the only workspace there is.
	teamless *workspace
	// installed are the tokens installations gave through "Add to Slack"
	// (Install), for workspaces without a configured one; nil without.
	installed *installedTokens
	newWS     func(token string) *workspace
}

// workspace is one bot token's client, and the names of the channels in
// its workspace.
type workspace struct {
	api *slack.Client

	mu       sync.Mutex
	channels map[string]string // lower-cased name → channel id
	listedAt time.Time
}

// NewWorkspaces returns the clients of the bot tokens by team id (tokens)
// and of fallback, which serves every workspace without a token of its
// own ("" for none), against the Web API at apiURL through hc (nil:
// slack-go's default client).
func NewWorkspaces(tokens map[string]string, fallback, apiURL string, hc *http.Client) (*Workspaces, error) {
	if len(tokens) == 0 && fallback == "" {
		return nil, errors.New("slack: no bot token")
	}
	return newWorkspaces(tokens, fallback, apiURL, hc)
}

// newWorkspaces is NewWorkspaces, also without any token (they come
// through the install flow).
func newWorkspaces(tokens map[string]string, fallback, apiURL string, hc *http.Client) (*Workspaces, error) {
	opts := []slack.Option{slack.OptionAPIURL(apiURL)}
	if hc != nil {
		opts = append(opts, slack.OptionHTTPClient(hc))
	}
	newWS := func(token string) *workspace {
		return &workspace{api: slack.New(token, opts...), channels: map[string]string{}}
	}
	w := &Workspaces{byTeam: map[string]*workspace{}, newWS: newWS}
	for team, tok := range tokens {
		k := teamKey(team)
		if k == "" || tok == "" {
			return nil, fmt.Errorf("slack: workspace %q without a team or a token", team)
		}
		w.byTeam[k] = newWS(tok)
	}
	if fallback != "" {
		w.fallback = newWS(fallback)
	}
	w.teamless = w.fallback
	if w.teamless == nil && len(w.byTeam) == 1 {
		for _, only := range w.byTeam {
			w.teamless = only
		}
	}
	return w, nil
}

func teamKey(team string) string { return strings.ToUpper(strings.TrimSpace(team)) }

// forTeam is the client of the workspace team: its configured token's,
// else the one its installation gave, else the fallback; ok is false when
// there is none.
func (w *Workspaces) forTeam(ctx context.Context, team string) (*workspace, bool) {
	ws, err := w.lookup(ctx, team)
	return ws, err == nil && ws != nil
}

// lookup is forTeam's client, nil when there is none; it fails when the
// installed tokens cannot be read now.
func (w *Workspaces) lookup(ctx context.Context, team string) (*workspace, error) {
	if ws, ok := w.byTeam[teamKey(team)]; ok {
		return ws, nil
	}
	if w.installed != nil {
		ws, err := w.installed.get(ctx, teamKey(team))
		if err != nil || ws != nil {
			return ws, err
		}
	}
	return w.fallback, nil
}

// forSchool is the client of the workspace school sc is linked to; a
// school linked to none (its people on Slack all the same) gets the
// fallback, or the only workspace.
func (w *Workspaces) forSchool(ctx context.Context, sc *bot.School) (*workspace, error) {
	team, ok := sc.TeamOn(Platform)
	if ok && team != "" {
		ws, err := w.lookup(ctx, team)
		if err != nil {
			return nil, fmt.Errorf("school %s: %w", sc.ID, err) // worth a retry
		}
		if ws != nil {
			return ws, nil
		}
		return nil, fmt.Errorf("school %s, workspace %s: %w: %w", sc.ID, team, ErrNoWorkspace, message.ErrPermanent)
	}
	if w.teamless == nil {
		return nil, fmt.Errorf("school %s is linked to no Slack workspace: %w: %w", sc.ID, ErrNoWorkspace, message.ErrPermanent)
	}
	return w.teamless, nil
}

// Count is how many bot tokens there are.
func (w *Workspaces) Count() int {
	n := len(w.byTeam)
	if w.fallback != nil {
		n++
	}
	return n
}

// CheckTokens asks Slack (auth.test) which workspace each configured bot
// token belongs to, and logs an error for a token Slack refuses or that
// belongs to another workspace than the one it is configured for — a token
// pasted under the wrong team would otherwise show only as failed
// deliveries. It returns the number of tokens found wrong; a token Slack
// could not be asked about counts as right.
func (a *Adapter) CheckTokens(ctx context.Context) int {
	wrong := 0
	check := func(team string, w *workspace) {
		res, err := w.api.AuthTestContext(ctx)
		switch code := slackCode(err); {
		case code == "invalid_auth" || code == "not_authed" || code == "account_inactive" || code == "token_revoked":
			a.log.Error("slack bot token refused", "team", team, "error", code)
			wrong++
		case err != nil:
			a.log.Warn("slack bot token not checked", "team", team, "err", err)
		case team == "":
			a.log.Info("slack fallback bot token", "token_team", res.TeamID)
		case res.TeamID != "" && !strings.EqualFold(res.TeamID, team) && !strings.EqualFold(res.EnterpriseID, team):
			a.log.Error("slack bot token is of another workspace", "team", team, "token_team", res.TeamID)
			wrong++
		}
	}
	for team, w := range a.ws.byTeam {
		if ctx.Err() != nil {
			return wrong
		}
		check(team, w)
	}
	if a.ws.fallback != nil {
		check("", a.ws.fallback)
	}
	return wrong
}
