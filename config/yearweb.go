package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// Web is the year overview in the browser: a coordinator asks for it with
// "/hulp overzicht web" and gets a personal link that expires.
type Web struct {
	// PublicURL is where coordinators' browsers reach hulpbot's listener;
	// links point there. https:// in production (the session cookie is
	// then Secure).
	PublicURL string `yaml:"public_url"`
	// Secret signs links and sessions (16+ characters); empty means
	// generated and kept in Redis, shared by all replicas.
	Secret string `yaml:"secret,omitempty"`
	// LinkTTL is how long a link opens the overview. Default 15m.
	LinkTTL Duration `yaml:"link_ttl,omitempty"`
	// SessionTTL is how long the browser that opened a link may keep
	// looking. Default 8h.
	SessionTTL Duration `yaml:"session_ttl,omitempty"`
}

// Samenwerkingsverband is a partnership of schools whose coordinators see
// each of its schools and the totals.
type Samenwerkingsverband struct {
	// ID is the stable key: lowercase letters, digits, - and _.
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Coordinators have the same account fields as a school's.
	Coordinators []Coordinator `yaml:"coordinators"`
	// Schools are the ids of its schools.
	Schools []string `yaml:"schools"`
}

// Defaults and limits of the web section.
const (
	DefaultLinkTTL    = 15 * time.Minute
	DefaultSessionTTL = 8 * time.Hour
	MinLinkTTL        = time.Minute
	MaxLinkTTL        = time.Hour
	MinSessionTTL     = 5 * time.Minute
	MaxSessionTTL     = 24 * time.Hour
	MinWebSecret      = 16
)

// LinkTTLOrDefault is how long a link to the year overview opens it.
func (w *Web) LinkTTLOrDefault() time.Duration {
	if w == nil || w.LinkTTL.Duration == 0 {
		return DefaultLinkTTL
	}
	return w.LinkTTL.Duration
}

// SessionTTLOrDefault is how long a browser that opened a link may look.
func (w *Web) SessionTTLOrDefault() time.Duration {
	if w == nil || w.SessionTTL.Duration == 0 {
		return DefaultSessionTTL
	}
	return w.SessionTTL.Duration
}

// SamenwerkingsverbandenOf converts the partnerships to the domain.
func (c *Config) SamenwerkingsverbandenOf() []bot.Samenwerkingsverband {
	out := make([]bot.Samenwerkingsverband, 0, len(c.Samenwerkingsverbanden))
	for _, s := range c.Samenwerkingsverbanden {
		b := bot.Samenwerkingsverband{ID: s.ID, Name: s.Name, Schools: append([]string(nil), s.Schools...)}
		for _, co := range s.Coordinators {
			b.Coordinators = append(b.Coordinators, bot.Coordinator{Name: co.Name, Accounts: accounts(co.Mattermost, co.Slack, co.shell())})
		}
		out = append(out, b)
	}
	return out
}

// yearweb checks the web section and the partnerships; schools must have
// been checked (v.schoolIDs).
func (v *validator) yearweb(c *Config) {
	if w := c.Web; w != nil {
		if v.required("web.public_url", w.PublicURL) {
			v.httpURL("web.public_url", w.PublicURL)
			if u, err := url.Parse(w.PublicURL); err == nil && (u.RawQuery != "" || u.Fragment != "") {
				v.add("web.public_url", "%q must not have a query or fragment", w.PublicURL)
			}
		}
		if w.Secret != "" && len(w.Secret) < MinWebSecret {
			v.add("web.secret", "too short: use at least %d characters, or leave it empty to have one generated", MinWebSecret)
		}
		if d := w.LinkTTL.Duration; d != 0 && (d < MinLinkTTL || d > MaxLinkTTL) {
			v.add("web.link_ttl", "%s is out of range: between %s and %s", formatDuration(d), formatDuration(MinLinkTTL), formatDuration(MaxLinkTTL))
		}
		if d := w.SessionTTL.Duration; d != 0 && (d < MinSessionTTL || d > MaxSessionTTL) {
			v.add("web.session_ttl", "%s is out of range: between %s and %s", formatDuration(d), formatDuration(MinSessionTTL), formatDuration(MaxSessionTTL))
		}
	}
	ids := map[string]int{}
	for i, s := range c.Samenwerkingsverbanden {
		p := fmt.Sprintf("samenwerkingsverbanden[%d]", i)
		if v.required(p+".id", s.ID) {
			if !idRE.MatchString(s.ID) {
				v.add(p+".id", "%q: use lowercase letters, digits, - and _", s.ID)
			} else if j, dup := ids[s.ID]; dup {
				v.add(p+".id", "%q is also samenwerkingsverbanden[%d]", s.ID, j)
			}
			ids[s.ID] = i
		}
		v.required(p+".name", s.Name)
		if len(s.Coordinators) == 0 {
			v.add(p+".coordinators", "empty: nobody could open its overview")
		}
		for k, co := range s.Coordinators {
			cp := fmt.Sprintf("%s.coordinators[%d]", p, k)
			v.required(cp+".name", co.Name)
			v.accounts(cp, co.Mattermost, co.Slack, co.Shell)
		}
		if len(s.Schools) == 0 {
			v.add(p+".schools", "empty")
		}
		seen := map[string]bool{}
		for k, id := range s.Schools {
			sp := fmt.Sprintf("%s.schools[%d]", p, k)
			switch _, ok := v.schoolIDs[strings.TrimSpace(id)]; {
			case !ok:
				v.add(sp, "%q is no school id of schools", id)
			case seen[id]:
				v.add(sp, "%q is listed twice", id)
			}
			seen[id] = true
		}
	}
}
