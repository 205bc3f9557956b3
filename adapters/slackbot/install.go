package slackbot

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/catalog"
)

// Install configures "Add to Slack": GET /slack/install sends the browser
// to Slack to install the app in a workspace; Slack sends it back to
// RedirectURL (hulpbot's GET /slack/oauth) with a code, which hulpbot
// exchanges for that workspace's bot token (oauth.v2.access) and keeps in
// Redis. Only a workspace a school is linked to is accepted.
type Install struct {
	// ClientID and ClientSecret are the app's (Basic Information → App
	// Credentials).
	ClientID, ClientSecret string
	// RedirectURL is hulpbot's /slack/oauth as browsers reach it; it must
	// be one of the app's Redirect URLs.
	RedirectURL string
}

// InstallScopes are the bot scopes the install asks for: those of
// deploy/slack-app-manifest.yaml.
var InstallScopes = []string{
	"commands", "chat:write", "im:write", "channels:read", "groups:read", "channels:join",
	"files:write", "im:history", "channels:history", "groups:history",
}

const (
	// installTTL is how long an install may take, from /slack/install to
	// Slack's redirect back.
	installTTL = 10 * time.Minute
	// installCookie binds the install's state to the browser that began it.
	installCookie = "hulpbot_slack_install"
	// installedRecheck is how long a looked-up installation's token is
	// trusted before Redis is asked again (a new install replaces it).
	installedRecheck = time.Minute
)

// installedTokens are the bot tokens installations gave, in Redis under
// <prefix>:slack:token:<TEAM> (kept until replaced: a token lives as long
// as the installation), cached briefly in memory.
type installedTokens struct {
	rdb   redis.UniversalClient
	keys  keys
	newWS func(token string) *workspace

	mu    sync.Mutex
	cache map[string]installed // team → what Redis held when asked
}

type installed struct {
	ws    *workspace // nil: no token
	token string
	at    time.Time
}

func (k keys) token(team string) string { return k.p + "token:" + team }

// get is the workspace of team's installation; nil when there is none.
// It fails only when Redis cannot say and nothing is known of team.
func (t *installedTokens) get(ctx context.Context, team string) (*workspace, error) {
	t.mu.Lock()
	c, ok := t.cache[team]
	t.mu.Unlock()
	if ok && time.Since(c.at) < installedRecheck {
		return c.ws, nil
	}
	tok, err := t.rdb.Get(ctx, t.keys.token(team)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		tok = ""
	case err != nil && ok:
		// Redis cannot say now: what it said last is still the best guess.
		return c.ws, nil
	case err != nil:
		return nil, fmt.Errorf("installed token of %s: %w", team, err)
	}
	return t.remember(team, tok, c), nil
}

// remember caches team's token, keeping the client (and its channel
// names) when the token is the one it had, and returns the client.
func (t *installedTokens) remember(team, tok string, was installed) *workspace {
	now := installed{token: tok, at: time.Now()}
	switch {
	case tok == "":
	case tok == was.token && was.ws != nil:
		now.ws = was.ws
	default:
		now.ws = t.newWS(tok)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cache[team] = now
	return now.ws
}

// put keeps team's new token.
func (t *installedTokens) put(ctx context.Context, team, tok string) error {
	if err := t.rdb.Set(ctx, t.keys.token(team), tok, 0).Err(); err != nil {
		return fmt.Errorf("keep the token of %s: %w", team, err)
	}
	t.mu.Lock()
	was := t.cache[team]
	t.mu.Unlock()
	t.remember(team, tok, was)
	return nil
}

// authorizeURL is Slack's page that asks to install the app: next to the
// Web API (https://slack.com/api/ → https://slack.com/oauth/v2/authorize).
func (a *Adapter) authorizeURL() string {
	return strings.TrimSuffix(a.apiURL, "api/") + "oauth/v2/authorize"
}

// ServeInstall sends the browser to Slack to install the app, with a state
// signed for this browser.
func (a *Adapter) ServeInstall(w http.ResponseWriter, r *http.Request) {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	http.SetCookie(w, &http.Cookie{
		Name: installCookie, Value: n, Path: a.cookiePath(), MaxAge: int(installTTL / time.Second),
		HttpOnly: true, Secure: strings.HasPrefix(a.install.RedirectURL, "https://"),
		// Slack's redirect back is a top-level GET: Lax sends the cookie.
		SameSite: http.SameSiteLaxMode,
	})
	q := url.Values{
		"client_id":    {a.install.ClientID},
		"scope":        {strings.Join(InstallScopes, ",")},
		"redirect_uri": {a.install.RedirectURL},
		"state":        {a.state(n, time.Now().Add(installTTL))},
	}
	http.Redirect(w, r, a.authorizeURL()+"?"+q.Encode(), http.StatusFound)
}

// cookiePath is the folder of /slack/install and /slack/oauth as browsers
// see it (behind a proxy, perhaps /hulpbot/slack/).
func (a *Adapter) cookiePath() string {
	u, err := url.Parse(a.install.RedirectURL)
	if err != nil || !strings.HasSuffix(u.Path, "/oauth") {
		return "/slack/"
	}
	return strings.TrimSuffix(u.Path, "oauth")
}

// state is nonce and its expiry, signed with the app's client secret.
func (a *Adapter) state(nonce string, until time.Time) string {
	exp := strconv.FormatInt(until.Unix(), 10)
	m := hmac.New(sha256.New, []byte(a.install.ClientSecret))
	fmt.Fprintf(m, "hulpbot-slack-install\x00%s\x00%s", nonce, exp)
	return nonce + "." + exp + "." + hex.EncodeToString(m.Sum(nil))
}

// validState reports whether state is one ServeInstall made for the
// browser holding nonce, and has not expired.
func (a *Adapter) validState(state, nonce string, now time.Time) bool {
	parts := strings.Split(state, ".")
	if len(parts) != 3 || nonce == "" || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(nonce)) != 1 {
		return false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Unix() > exp {
		return false
	}
	want := a.state(nonce, time.Unix(exp, 0))
	return hmac.Equal([]byte(want), []byte(state))
}

// ServeOAuth is where Slack sends the browser back after an install: the
// code is exchanged for the workspace's bot token, which is kept when a
// school is linked to the workspace.
func (a *Adapter) ServeOAuth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	http.SetCookie(w, &http.Cookie{Name: installCookie, Path: a.cookiePath(), MaxAge: -1})
	if q.Get("error") != "" {
		a.installPage(w, http.StatusBadRequest, "install.cancelled")
		return
	}
	nonce := ""
	if c, err := r.Cookie(installCookie); err == nil {
		nonce = c.Value
	}
	if !a.validState(q.Get("state"), nonce, time.Now()) || q.Get("code") == "" {
		a.log.Warn("slack install refused", "reason", "state")
		a.installPage(w, http.StatusBadRequest, "install.bad_state")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	res, err := slack.GetOAuthV2ResponseContext(ctx, a.hc, a.install.ClientID, a.install.ClientSecret, q.Get("code"), a.install.RedirectURL,
		slack.OAuthOptionAPIURL(a.apiURL))
	if err != nil {
		a.log.Warn("slack install failed", "reason", "oauth.v2.access", "error", slackCode(err))
		a.installPage(w, http.StatusBadGateway, "install.failed")
		return
	}
	team := teamKey(res.Team.ID)
	if res.IsEnterpriseInstall || team == "" || !strings.HasPrefix(res.AccessToken, "xoxb-") {
		a.log.Warn("slack install refused", "reason", "not a workspace's bot token", "team", team, "enterprise", res.IsEnterpriseInstall)
		a.installPage(w, http.StatusBadRequest, "install.not_workspace")
		return
	}
	sc, ok := a.schools.ByTeam(Platform, team)
	if !ok {
		// The token is dropped: no school would use it.
		a.log.Warn("slack install refused", "reason", "workspace not linked to a school", "team", team)
		a.installPage(w, http.StatusForbidden, "install.unlinked", "team", team)
		return
	}
	if err := a.ws.installed.put(context.WithoutCancel(ctx), team, res.AccessToken); err != nil {
		a.log.Error("slack install not kept", "team", team, "school", sc.ID, "err", err)
		a.installPage(w, http.StatusServiceUnavailable, "install.failed")
		return
	}
	if _, configured := a.ws.byTeam[team]; configured {
		a.log.Warn("slack app installed; the configured token of the workspace still goes first", "team", team, "school", sc.ID)
	} else {
		a.log.Info("slack app installed", "team", team, "school", sc.ID)
	}
	a.installPage(w, http.StatusOK, "install.done", "school", sc.Name)
}

var installTmpl = template.Must(template.New("install").Parse(`<!doctype html>
<html lang="nl"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>hulpbot</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<p>{{.NL}}</p>
<p lang="en">{{.EN}}</p>
</body></html>
`))

// installPage answers the browser in Dutch, then English.
func (a *Adapter) installPage(w http.ResponseWriter, status int, key string, vars ...string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = installTmpl.Execute(w, struct{ NL, EN string }{catalog.Text(catalog.LangNL, key, vars...), catalog.Text(catalog.LangEN, key, vars...)})
}
