package slackbot

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
)

const (
	clientID, clientSecret = "123.456", "client-secret-of-the-app"
	installedWilg          = "xoxb-installed-wilg"
)

// installStack is the stack of two workspaces with "Add to Slack" on and
// no configured token for de-wilg: its installation must give it one.
func installStack(t *testing.T) *stack {
	s := workspacesStack(t, func(c *stackConfig) {
		delete(c.Workspaces, teamWilg)
		c.Install = &Install{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: "https://hulpbot.example.nl/slack/oauth"}
	})
	s.fake.App(clientID, clientSecret)
	return s
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// startInstall opens /slack/install and returns the state Slack would get
// and the cookie the browser keeps.
func (s *stack) startInstall() (state string, cookie *http.Cookie) {
	s.t.Helper()
	resp, err := noRedirects.Get(s.http.URL + "/slack/install")
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		s.t.Fatalf("GET /slack/install = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, want := loc.Scheme+"://"+loc.Host+loc.Path, s.fake.URL+"/oauth/v2/authorize"; got != want {
		s.t.Errorf("sent to %s, want Slack's %s", got, want)
	}
	q := loc.Query()
	if q.Get("client_id") != clientID || q.Get("scope") != strings.Join(InstallScopes, ",") || q.Get("redirect_uri") != "https://hulpbot.example.nl/slack/oauth" {
		s.t.Errorf("authorize query %v", q)
	}
	for _, c := range resp.Cookies() {
		if c.Name == installCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		s.t.Fatalf("cookie %+v, want an HttpOnly, SameSite=Lax one", cookie)
	}
	return q.Get("state"), cookie
}

// finishInstall is Slack sending the browser back with query.
func (s *stack) finishInstall(query url.Values, cookie *http.Cookie) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.http.URL+"/slack/oauth?"+query.Encode(), nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *stack) installedToken(team string) string {
	return s.ardb.Get(context.Background(), s.prefix+":slack:token:"+team).Val()
}

// TestInstall: a school's workspace without a configured token is refused
// until the app is installed there through /slack/install; the token its
// installation gives is kept, and from then on everything about the school
// goes with it — also from another hulpbot process on the same Redis.
func TestInstall(t *testing.T) {
	s := installStack(t)
	if a := s.commandIn(teamWilg, joostID, "meester.joost", "groep 5"); !strings.Contains(a.Text, "geen bot-token") {
		t.Fatalf("before the install: %+v, want the refusal", a)
	}
	state, cookie := s.startInstall()
	s.fake.Installed("code-wilg", slackfake.Installation{Team: teamWilg, Token: installedWilg})
	status, page := s.finishInstall(url.Values{"code": {"code-wilg"}, "state": {state}}, cookie)
	if status != http.StatusOK || !strings.Contains(page, "geïnstalleerd in deze Slack-werkruimte, voor Basisschool De Wilg") || !strings.Contains(page, `lang="en"`) {
		t.Fatalf("install = %d %s", status, page)
	}
	if got := s.installedToken(teamWilg); got != installedWilg {
		t.Fatalf("kept token %q, want %q", got, installedWilg)
	}
	if strings.Contains(s.logs.String(), installedWilg) || strings.Contains(page, installedWilg) {
		t.Error("the token is in the log or on the page")
	}

	if a := s.commandIn(teamWilg, joostID, "meester.joost", "groep 5"); !strings.Contains(a.Text, "Wim") {
		t.Fatalf("after the install: %+v, want passed on to Wim", a)
	}
	offer := s.offer(wimID, 1)
	if offer.Token != installedWilg {
		t.Errorf("Wim's offer went with %q, want the installed token", offer.Token)
	}

	// Another process on the same Redis finds the token there.
	other, err := New(Options{Workspaces: map[string]string{team: tokVaart}, APIURL: s.fake.APIURL(), Dispatcher: s.adapter.cmds,
		Schools: s.adapter.schools, Redis: s.ardb, Prefix: s.prefix, Install: s.adapter.install})
	if err != nil {
		t.Fatal(err)
	}
	from := len(s.fake.Calls(""))
	if err := other.Sender().Send(context.Background(), at("de-wilg", dmTo(wimID, "k-other", "hoi"))); err != nil {
		t.Fatalf("the other process: %v", err)
	}
	checkTokens(t, s.fake, from, installedWilg)
}

// TestInstallRefused: an install that did not start here, that is
// cancelled, expired, for a whole organisation or for a workspace no
// school is linked to keeps nothing.
func TestInstallRefused(t *testing.T) {
	s := installStack(t)
	for _, tc := range []struct {
		name   string
		in     *slackfake.Installation // what the code gives; nil: no such code
		query  func(state, code string) url.Values
		cookie bool
		status int
		page   string
	}{
		{name: "no cookie", in: &slackfake.Installation{Team: teamWilg, Token: installedWilg},
			query: func(st, code string) url.Values { return url.Values{"code": {code}, "state": {st}} }, status: http.StatusBadRequest, page: "verlopen of hoort bij een andere browser"},
		{name: "state altered", in: &slackfake.Installation{Team: teamWilg, Token: installedWilg}, cookie: true,
			query: func(st, code string) url.Values { return url.Values{"code": {code}, "state": {st + "0"}} }, status: http.StatusBadRequest, page: "verlopen"},
		{name: "state expired", in: &slackfake.Installation{Team: teamWilg, Token: installedWilg}, cookie: true,
			query: func(st, code string) url.Values {
				nonce := strings.Split(st, ".")[0]
				return url.Values{"code": {code}, "state": {s.adapter.state(nonce, time.Now().Add(-time.Second))}}
			}, status: http.StatusBadRequest, page: "verlopen"},
		{name: "cancelled", cookie: true,
			query: func(st, code string) url.Values { return url.Values{"error": {"access_denied"}, "state": {st}} }, status: http.StatusBadRequest, page: "afgebroken"},
		{name: "unknown code", cookie: true,
			query: func(st, code string) url.Values { return url.Values{"code": {code}, "state": {st}} }, status: http.StatusBadGateway, page: "geen toegang"},
		{name: "a workspace no school is linked to", in: &slackfake.Installation{Team: "T0ELDERS01", Token: "xoxb-elders"}, cookie: true,
			query: func(st, code string) url.Values { return url.Values{"code": {code}, "state": {st}} }, status: http.StatusForbidden, page: "(T0ELDERS01) is nog niet aan een school gekoppeld"},
		{name: "a whole organisation", in: &slackfake.Installation{Team: teamWilg, Token: installedWilg, Enterprise: true}, cookie: true,
			query: func(st, code string) url.Values { return url.Values{"code": {code}, "state": {st}} }, status: http.StatusBadRequest, page: "niet voor een hele organisatie"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state, cookie := s.startInstall()
			if tc.in != nil {
				s.fake.Installed("c-"+tc.name, *tc.in)
			}
			if !tc.cookie {
				cookie = nil
			}
			status, page := s.finishInstall(tc.query(state, "c-"+tc.name), cookie)
			if status != tc.status || !strings.Contains(page, tc.page) {
				t.Errorf("got %d %s, want %d with %q", status, page, tc.status, tc.page)
			}
			for _, team := range []string{teamWilg, "T0ELDERS01"} {
				if tok := s.installedToken(team); tok != "" {
					t.Errorf("kept a token for %s", team)
				}
			}
		})
	}
}

// TestInstallScopes: the install asks for the scopes of the app manifest.
func TestInstallScopes(t *testing.T) {
	b, err := os.ReadFile("../../deploy/slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.OAuth.Scopes.Bot, InstallScopes) {
		t.Errorf("manifest scopes %v, InstallScopes %v", m.OAuth.Scopes.Bot, InstallScopes)
	}
}
