// Package yearpage serves the year overview in the browser: a read-only
// page per school and per samenwerkingsverband with the school year's
// figures (requests per month, by group and day part, time until someone
// came, kinds of support, outcomes, survey trends, stories), drawn as SVG
// on the server, printable, with a CSV download. Coordinators open it with
// a personal link they get in the chat ("/hulp overzicht web"); the link
// becomes a session cookie; nothing is shown without one.
package yearpage

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/handlers"
)

// Figures reads one school's figures of one school year.
type Figures interface {
	YearFigures(ctx context.Context, school string, y bot.SchoolYear) (bot.YearFigures, error)
}

// Auditor records who looked at which figures: each page view and each
// CSV download.
type Auditor interface {
	RecordView(ctx context.Context, v View) error
}

// View is one look at the figures, for the audit trail.
type View struct {
	At    time.Time
	Who   bot.Address
	Scope Scope
	What  string // "page" or "csv"
	Year  bot.SchoolYear
	// Schools are the schools whose figures were shown: one, or all of a
	// samenwerkingsverband's.
	Schools []string
}

// Schools finds schools by id.
type Schools interface {
	School(id string) (*bot.School, bool)
}

// Options configure a Server.
type Options struct {
	// PublicURL is where browsers reach the listener: links start with it.
	PublicURL string
	// LinkTTL and SessionTTL are how long a link and a session last.
	LinkTTL, SessionTTL time.Duration
	// Samenwerkingsverbanden are the partnerships of schools.
	Samenwerkingsverbanden []bot.Samenwerkingsverband
	// Audit, when set, records each view and download.
	Audit Auditor
	// Languages, when set, knows the language kept for a person: a link
	// made for them opens the page in it, where the school allows it.
	Languages catalog.PersonLanguages
	Now       func() time.Time
	Log       *slog.Logger
}

// Keys gives the signer of passes.
type Keys interface {
	Signer(ctx context.Context) (*Signer, error)
}

// Server is the year overview's HTTP handler and the maker of its links.
type Server struct {
	schools Schools
	figs    Figures
	keys    Keys
	o       Options
	secure  bool
	tmpl    map[string]*template.Template // by language
}

//go:embed assets
var assets embed.FS

// cookieName is the session cookie; its path is the scope's page, so a
// browser holds one per school or samenwerkingsverband it opened.
const cookieName = "hulpbot_overzicht"

// New returns the server.
func New(schools Schools, figs Figures, keys Keys, o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Log = o.Log.With("component", "yearpage")
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	s := &Server{schools: schools, figs: figs, keys: keys, o: o, secure: strings.HasPrefix(o.PublicURL, "https://")}
	// One set of templates per language, each with its words: parsed once.
	s.tmpl = map[string]*template.Template{}
	for _, l := range []string{catalog.LangNL, catalog.LangEN} {
		s.tmpl[l] = template.Must(template.New("").Funcs(template.FuncMap{
			"t": func(key string, vars ...string) string { return catalog.Text(l, key, vars...) },
		}).ParseFS(assets, "assets/page.html"))
	}
	return s
}

// Register adds the overview's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /overzicht/open", s.open)
	mux.HandleFunc("GET /overzicht/static/overzicht.css", s.css)
	mux.HandleFunc("GET /overzicht/{kind}/{id}/{$}", s.page)
	mux.HandleFunc("GET /overzicht/{kind}/{id}/overzicht.csv", s.csv)
	// A samenwerkingsverband's coordinators open each of its schools
	// within their session (its cookie's path covers these).
	mux.HandleFunc("GET /overzicht/{kind}/{id}/school/{school}/{$}", s.page)
	mux.HandleFunc("GET /overzicht/{kind}/{id}/school/{school}/overzicht.csv", s.csv)
	mux.HandleFunc("/overzicht/", func(w http.ResponseWriter, r *http.Request) {
		s.message(w, catalog.LangNL, http.StatusNotFound, "year.err.not_found")
	})
}

// Links are the personal links who may open from school sc: the school's
// own overview when who is one of its coordinators, and the overview of
// every samenwerkingsverband of sc that who coordinates. None: who may
// open nothing.
func (s *Server) Links(ctx context.Context, now time.Time, sc *bot.School, who bot.Address) ([]handlers.YearLink, error) {
	var scopes []struct {
		Scope
		name string
	}
	for i := range s.o.Samenwerkingsverbanden {
		v := &s.o.Samenwerkingsverbanden[i]
		if v.Has(sc.ID) && v.IsCoordinator(who) {
			scopes = append(scopes, struct {
				Scope
				name string
			}{Scope{ScopeSWV, v.ID}, v.Name})
		}
	}
	if sc.IsCoordinator(who) {
		scopes = append(scopes, struct {
			Scope
			name string
		}{Scope{ScopeSchool, sc.ID}, sc.Name})
	}
	if len(scopes) == 0 {
		return nil, nil
	}
	sg, err := s.keys.Signer(ctx)
	if err != nil {
		return nil, err
	}
	exp := now.Add(s.o.LinkTTL)
	var lang string
	if s.o.Languages != nil {
		// Checked against the scope's languages when the link is opened.
		lang, _ = s.o.Languages.Known(ctx, who.Identity())
	}
	out := make([]handlers.YearLink, 0, len(scopes))
	for _, sc := range scopes {
		tok := sg.Sign(Pass{Kind: passLink, Scope: sc.Scope, Who: who, Expires: exp.Unix(), Lang: lang})
		out = append(out, handlers.YearLink{Name: sc.name, URL: s.o.PublicURL + "/overzicht/open?t=" + url.QueryEscape(tok), Expires: exp})
	}
	return out, nil
}

// allowed reports whether who may see scope now (the configuration may
// have changed since the pass was made), and the languages its page may
// be read in, its own first (scopeLanguages).
func (s *Server) allowed(scope Scope, who bot.Address) (bool, []string) {
	langs := s.languages(scope)
	switch scope.Kind {
	case ScopeSchool:
		sc, ok := s.schools.School(scope.ID)
		return ok && sc.IsCoordinator(who), langs
	case ScopeSWV:
		v, ok := s.swv(scope.ID)
		return ok && v.IsCoordinator(who), langs
	}
	return false, langs
}

// languages are those scope's page may be read in, its own first
// (scopeLanguages); Dutch for a scope that does not exist.
func (s *Server) languages(scope Scope) []string {
	var schools []*bot.School
	switch scope.Kind {
	case ScopeSchool:
		if sc, ok := s.schools.School(scope.ID); ok {
			schools = append(schools, sc)
		}
	case ScopeSWV:
		if v, ok := s.swv(scope.ID); ok {
			for _, id := range v.Schools {
				if sc, ok := s.schools.School(id); ok {
					schools = append(schools, sc)
				}
			}
		}
	}
	return scopeLanguages(schools)
}

func (s *Server) swv(id string) (*bot.Samenwerkingsverband, bool) {
	for i := range s.o.Samenwerkingsverbanden {
		if s.o.Samenwerkingsverbanden[i].ID == id {
			return &s.o.Samenwerkingsverbanden[i], true
		}
	}
	return nil, false
}

// open trades a link for a session cookie and sends the browser on to the
// page, without the token in its address. The page is reached by a
// refresh from this answer instead of a redirect: a SameSite=Strict cookie
// set while following a link from a chat app (another site) would not go
// with a redirect of that same navigation.
func (s *Server) open(w http.ResponseWriter, r *http.Request) {
	now := s.o.Now()
	sg, err := s.keys.Signer(r.Context())
	if err != nil {
		s.o.Log.Error("signer", "err", err)
		s.message(w, catalog.LangNL, http.StatusServiceUnavailable, "year.err.unavailable")
		return
	}
	p, err := sg.Verify(r.URL.Query().Get("t"), passLink, now)
	switch {
	case errors.Is(err, ErrExpired):
		// Signed, only too late: its scope and language are ours.
		s.o.Log.Info("link", "outcome", "expired")
		s.message(w, pageLanguage(s.languages(p.Scope), p.Lang, r.Header.Get("Accept-Language")), http.StatusForbidden, "year.err.expired")
		return
	case err != nil:
		s.o.Log.Info("link", "outcome", "invalid")
		s.message(w, catalog.LangNL, http.StatusForbidden, "year.err.altered")
		return
	}
	ok, langs := s.allowed(p.Scope, p.Who)
	l := pageLanguage(langs, p.Lang, r.Header.Get("Accept-Language"))
	if !ok {
		s.message(w, l, http.StatusForbidden, "year.err.not_allowed")
		return
	}
	chosen := ""
	if len(langs) > 1 && slices.Contains(langs, p.Lang) {
		chosen = p.Lang
	}
	s.setSession(w, sg, Pass{Kind: passSession, Scope: p.Scope, Who: p.Who, Expires: now.Add(s.o.SessionTTL).Unix(), Lang: chosen}, now)
	s.o.Log.Info("link", "outcome", "opened", "scope", p.Scope.Kind, "id", p.Scope.ID, "lang", l)
	s.render(w, http.StatusOK, "message", l, messageModel{
		Lang: l, Title: catalog.Text(l, "year.open"), Text: catalog.Text(l, "year.open"),
		Refresh: p.Scope.Path(), LinkText: catalog.Text(l, "year.open.link"),
	})
}

// setSession sets p (a session pass) as the session cookie, until p
// expires.
func (s *Server) setSession(w http.ResponseWriter, sg *Signer, p Pass, now time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sg.Sign(p), Path: p.Scope.Path(), MaxAge: int(p.Expires - now.Unix()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
}

// visit is a request within a session: its pass, the language the page
// is read in, and the languages it may be.
type visit struct {
	Pass
	lang  string
	langs []string
}

// session checks the request's session cookie for the scope of its path.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (visit, bool) {
	scope := Scope{Kind: r.PathValue("kind"), ID: r.PathValue("id")}
	if scope.Kind != ScopeSchool && scope.Kind != ScopeSWV {
		s.message(w, catalog.LangNL, http.StatusNotFound, "year.err.not_found")
		return visit{}, false
	}
	// Without a session, the page's own languages (its address is no
	// secret) and the browser's preference.
	none := pageLanguage(s.languages(scope), "", r.Header.Get("Accept-Language"))
	c, err := r.Cookie(cookieName)
	if err != nil {
		s.message(w, none, http.StatusForbidden, "year.err.no_session")
		return visit{}, false
	}
	sg, err := s.keys.Signer(r.Context())
	if err != nil {
		s.o.Log.Error("signer", "err", err)
		s.message(w, none, http.StatusServiceUnavailable, "year.err.unavailable")
		return visit{}, false
	}
	p, err := sg.Verify(c.Value, passSession, s.o.Now())
	if err != nil {
		s.message(w, none, http.StatusForbidden, "year.err.no_session")
		return visit{}, false
	}
	ok, langs := s.allowed(p.Scope, p.Who)
	l := pageLanguage(langs, p.Lang, r.Header.Get("Accept-Language"))
	if !ok || p.Scope != scope {
		s.message(w, l, http.StatusForbidden, "year.err.not_allowed")
		return visit{}, false
	}
	return visit{Pass: p, lang: l, langs: langs}, true
}

// shown is the scope whose figures the request asks for: the session's,
// or one school of the session's samenwerkingsverband.
func (s *Server) shown(w http.ResponseWriter, r *http.Request, p Pass, l string) (Scope, bool) {
	id := r.PathValue("school")
	if id == "" {
		return p.Scope, true
	}
	if v, ok := s.swv(p.Scope.ID); p.Scope.Kind == ScopeSWV && ok && v.Has(id) {
		return Scope{Kind: ScopeSchool, ID: id}, true
	}
	s.message(w, l, http.StatusForbidden, "year.err.not_allowed")
	return Scope{}, false
}

// year is the school year asked for (?jaar=2025): this one or the one
// before, the two whose figures are kept.
func (s *Server) year(r *http.Request, loc *time.Location) (bot.SchoolYear, bot.SchoolYear, bool) {
	cur := bot.SchoolYearOf(s.o.Now().In(loc))
	q := r.URL.Query().Get("jaar")
	if q == "" {
		return cur, cur, true
	}
	n, err := strconv.Atoi(q)
	if err != nil || (n != cur.Start && n != cur.Start-1) {
		return cur, cur, false
	}
	return bot.SchoolYear{Start: n}, cur, true
}

// units reads the figures of the scope's schools, of y and the year before.
func (s *Server) units(ctx context.Context, scope Scope, y bot.SchoolYear) (name string, out []unit, err error) {
	var ids []string
	switch scope.Kind {
	case ScopeSchool:
		ids = []string{scope.ID}
	case ScopeSWV:
		v, _ := s.swv(scope.ID)
		name, ids = v.Name, v.Schools
	}
	for _, id := range ids {
		sc, ok := s.schools.School(id)
		if !ok {
			continue
		}
		if scope.Kind == ScopeSchool {
			name = sc.Name
		}
		u := unit{School: sc}
		if u.This, err = s.figs.YearFigures(ctx, id, y); err != nil {
			return "", nil, err
		}
		if u.Prev, err = s.figs.YearFigures(ctx, id, bot.SchoolYear{Start: y.Start - 1}); err != nil {
			return "", nil, err
		}
		out = append(out, u)
	}
	return name, out, nil
}

func (s *Server) location(scope Scope) *time.Location {
	id := scope.ID
	if scope.Kind == ScopeSWV {
		if v, ok := s.swv(scope.ID); ok && len(v.Schools) > 0 {
			id = v.Schools[0]
		}
	}
	if sc, ok := s.schools.School(id); ok && sc.Location != nil {
		return sc.Location
	}
	return time.UTC
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	v, ok := s.session(w, r)
	if !ok {
		return
	}
	if s.switchLanguage(w, r, v) {
		return
	}
	p, l := v.Pass, v.lang
	scope, ok := s.shown(w, r, p, l)
	if !ok {
		return
	}
	loc := s.location(scope)
	y, cur, ok := s.year(r, loc)
	if !ok {
		s.message(w, l, http.StatusNotFound, "year.err.bad_year")
		return
	}
	name, units, err := s.units(r.Context(), scope, y)
	if err != nil {
		s.o.Log.Error("figures", "scope", scope.Kind, "id", scope.ID, "err", err)
		s.message(w, l, http.StatusServiceUnavailable, "year.err.unavailable")
		return
	}
	now := s.o.Now().In(loc)
	m := build(l, name, scope.Kind == ScopeSWV, y, units, now)
	for _, yy := range []bot.SchoolYear{{Start: cur.Start - 1}, cur} {
		if yy != cur && yy != y && !m.Compare {
			continue // the year before, without figures: nothing to open
		}
		m.Years = append(m.Years, yearNav{Label: yy.String(), URL: "?jaar=" + strconv.Itoa(yy.Start), Current: yy == y})
	}
	m.CSVURL = "overzicht.csv?jaar=" + strconv.Itoa(y.Start)
	m.Langs = languageSwitch(v.langs, l, y.Start)
	if scope != p.Scope {
		v, _ := s.swv(p.Scope.ID)
		m.Back = &yearNav{Label: catalog.Text(l, "year.back", "name", v.Name), URL: "../../?jaar=" + strconv.Itoa(y.Start)}
	}
	for i := range m.Schools {
		if m.Schools[i].ID != "" {
			m.Schools[i].URL = "school/" + m.Schools[i].ID + "/?jaar=" + strconv.Itoa(y.Start)
		}
	}
	s.audit(r.Context(), View{At: now, Who: p.Who, Scope: p.Scope, What: "page", Year: y, Schools: schoolIDs(units)})
	s.render(w, http.StatusOK, "page", l, m)
}

func (s *Server) csv(w http.ResponseWriter, r *http.Request) {
	v, ok := s.session(w, r)
	if !ok {
		return
	}
	p, l := v.Pass, v.lang
	scope, ok := s.shown(w, r, p, l)
	if !ok {
		return
	}
	y, _, ok := s.year(r, s.location(scope))
	if !ok {
		s.message(w, l, http.StatusNotFound, "year.err.bad_year")
		return
	}
	_, units, err := s.units(r.Context(), scope, y)
	if err != nil {
		s.o.Log.Error("figures", "scope", scope.Kind, "id", scope.ID, "err", err)
		s.message(w, l, http.StatusServiceUnavailable, "year.err.unavailable")
		return
	}
	body := CSV(l, scope.Kind == ScopeSWV, y, units)
	s.audit(r.Context(), View{At: s.o.Now(), Who: p.Who, Scope: p.Scope, What: "csv", Year: y, Schools: schoolIDs(units)})
	h := w.Header()
	securityHeaders(h)
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="jaaroverzicht-`+scope.ID+"-"+y.String()+`.csv"`)
	_, _ = w.Write(body)
}

// switchLanguage answers the language switch (?taal=en): the session
// keeps the language, without lasting longer, and the browser is sent back
// to the page without the parameter, so a reload or a shared address does
// not switch again. It reports whether it answered.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request, v visit) bool {
	q := r.URL.Query()
	want := q.Get(langParam)
	if want == "" {
		return false
	}
	back := url.Values{}
	if y := q.Get("jaar"); y != "" {
		back.Set("jaar", y)
	}
	to := r.URL.Path
	if len(back) > 0 {
		to += "?" + back.Encode()
	}
	if slices.Contains(v.langs, want) && want != v.Lang {
		sg, err := s.keys.Signer(r.Context())
		if err != nil {
			s.o.Log.Error("signer", "err", err)
			s.message(w, v.lang, http.StatusServiceUnavailable, "year.err.unavailable")
			return true
		}
		p := v.Pass
		p.Lang = want
		s.setSession(w, sg, p, s.o.Now())
		s.o.Log.Info("language", "scope", p.Scope.Kind, "id", p.Scope.ID, "lang", want)
	}
	securityHeaders(w.Header())
	http.Redirect(w, r, to, http.StatusSeeOther)
	return true
}

func schoolIDs(us []unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.School.ID
	}
	return out
}

func (s *Server) audit(ctx context.Context, v View) {
	s.o.Log.Info("viewed", "scope", v.Scope.Kind, "id", v.Scope.ID, "what", v.What, "year", v.Year.String())
	if s.o.Audit == nil {
		return
	}
	if err := s.o.Audit.RecordView(ctx, v); err != nil {
		s.o.Log.Warn("audit", "err", err)
	}
}

func (s *Server) css(w http.ResponseWriter, _ *http.Request) {
	b, _ := assets.ReadFile("assets/overzicht.css")
	h := w.Header()
	securityHeaders(h)
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}

// messageModel is a short page: an error, or "taking you to the page".
type messageModel struct {
	Lang, Title, Text string
	Refresh, LinkText string
}

func (s *Server) message(w http.ResponseWriter, l string, status int, key string) {
	title := catalog.Text(l, "year.err.title")
	if status == http.StatusNotFound {
		title = catalog.Text(l, "year.err.not_found")
	}
	s.render(w, status, "message", l, messageModel{Lang: l, Title: title, Text: catalog.Text(l, key)})
}

// render executes a template in language l; the page is built in memory
// first, so a failure is a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, name, l string, data any) {
	t, ok := s.tmpl[l]
	if !ok {
		t = s.tmpl[catalog.LangNL]
	}
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, name, data)
	if err == nil {
		h := w.Header()
		securityHeaders(h)
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
		return
	}
	s.o.Log.Error("render", "template", name, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// securityHeaders: nothing from another site, no framing, no caching of
// figures by proxies, no address leaking to other sites.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
}
