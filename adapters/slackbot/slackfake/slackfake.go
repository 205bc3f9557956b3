// Package slackfake is a fake of the parts of Slack hulpbot talks to, for
// tests: the Web API methods the adapter calls (point slack-go at it with
// APIURL), response_urls, Socket Mode, and the signing and payload shapes of
// requests Slack sends. It can be several workspaces at once, each with
// its own bot token, members and channels: a call is answered as the
// workspace of its token answers it (Workspace). It records every call so tests can assert on what
// "Slack" received, keeps what was posted in each conversation (with its
// metadata, served back by conversations.history as Slack does), and
// injects faults (HTTP errors, 429, Slack error codes, delays) per method.
package slackfake

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Call is one request the fake received.
type Call struct {
	Method string     // Web API method ("chat.postMessage"), "response" or "upload"
	Form   url.Values // the form of a Web API call
	Body   []byte     // the JSON of a response_url post, the file of an upload
	Path   string
	At     time.Time
	Status int  // what the fake answered
	OK     bool // the call succeeded
	// Channel is the conversation a successful post landed in: the DM's id
	// (D…) for a post to a member id, as Slack answers it.
	Channel string
	// TS is the ts of the message a successful post made or an update
	// changed.
	TS string
	// Token is the token the call came with (Authorization: Bearer, else
	// the form's token); Team the workspace it belongs to ("" when no
	// workspace is declared, or the token is none of theirs).
	Token, Team string
}

// Message is a message as the fake keeps it in a conversation.
type Message struct {
	TS     string
	Text   string
	Blocks json.RawMessage
	// Metadata is what the post (or its last update) set; nil for none.
	Metadata *Metadata
}

// Metadata is message metadata (chat.postMessage's metadata argument).
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Fault is what a method answers instead of success.
type Fault struct {
	// Times is how many calls fail; < 0 is all of them.
	Times int
	// Status is the HTTP status (500, 429, …); 0 means 200 with SlackError.
	Status int
	// RetryAfter goes with 429, in seconds.
	RetryAfter int
	// SlackError is the error code of an {"ok":false} answer.
	SlackError string
	// Delay holds the answer back (a timeout when longer than the client's).
	Delay time.Duration
}

// Server is the fake. Its zero state knows every user (U…/W…) and the
// channels in Channels; the bot is in all of them unless listed in NotIn.
type Server struct {
	*httptest.Server
	t testing.TB

	mu       sync.Mutex
	calls    []Call
	faults   map[string]*Fault
	channels map[string]string    // id → name
	notIn    map[string]bool      // channel ids the bot is not in
	private  map[string]bool      // channel ids the bot cannot join
	unknown  map[string]bool      // user ids that do not exist
	locales  map[string]string    // user id → locale, when set
	convs    map[string][]Message // conversation id → its messages, oldest first
	ts       int
	// Workspaces, once declared: token → team, and the team of members and
	// channels that belong to one.
	tokens      map[string]string
	userTeam    map[string]string
	channelTeam map[string]string
	// "Add to Slack": the app's credentials, and the codes an install
	// gives, by code.
	clientID, clientSecret string
	codes                  map[string]Installation
	socket                 *websocket.Conn
	acks                   map[string]chan json.RawMessage
	wsUp                   chan struct{}
}

// New starts a fake that stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		t:        t,
		faults:   map[string]*Fault{},
		channels: map[string]string{"C0KERNTEAM": "kernteam", "C0ALGEMEEN": "algemeen", "C0COORDIN": "coordinatie"},
		notIn:    map[string]bool{},
		private:  map[string]bool{},
		unknown:  map[string]bool{},
		locales:  map[string]string{},
		convs:    map[string][]Message{},
		tokens:   map[string]string{},
		codes:    map[string]Installation{},
		userTeam: map[string]string{}, channelTeam: map[string]string{},
		acks: map[string]chan json.RawMessage{},
		wsUp: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.api)
	mux.HandleFunc("/response/", s.response)
	mux.HandleFunc("/upload/", s.upload)
	mux.HandleFunc("/ws", s.websocket)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// APIURL is the base URL for slack.OptionAPIURL (and slack.api_url).
func (s *Server) APIURL() string { return s.URL + "/api/" }

// ResponseURL is a response_url of this fake; id tells them apart.
func (s *Server) ResponseURL(id string) string { return s.URL + "/response/" + id }

// Fail makes method answer with f (method "response" for response_urls).
func (s *Server) Fail(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := f
	s.faults[method] = &c
}

// Heal ends all faults.
func (s *Server) Heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*Fault{}
}

// AddChannel adds a channel; with member false the bot is not in it, with
// joinable false it cannot join it (a private channel).
func (s *Server) AddChannel(id, name string, member, joinable bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = name
	s.notIn[id] = !member
	s.private[id] = !joinable
}

// Workspace declares a workspace (team id) and its bot token. Once one is
// declared, a Web API call with a token of none of them is answered
// invalid_auth (not_authed without a token), as Slack does, and a call
// sees its own workspace only: members and channels of another are not
// found.
func (s *Server) Workspace(team, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = team
}

// Installation is what an install of the app in a workspace gives.
type Installation struct {
	Team, Token string
	// Enterprise: an org-wide installation (Enterprise Grid).
	Enterprise bool
}

// App sets the app's client id and secret, which oauth.v2.access checks.
func (s *Server) App(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientID, s.clientSecret = clientID, clientSecret
}

// Installed makes code the one Slack gives for in's installation: once
// exchanged (oauth.v2.access), its token is the workspace's (Workspace).
// A code is good once.
func (s *Server) Installed(code string, in Installation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = in
}

// Members puts members (U…) in workspace team: in any other they are
// unknown. A member not put anywhere is known in every workspace.
func (s *Server) Members(team string, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.userTeam[id] = team
	}
}

// AddChannelIn adds a channel to workspace team only (AddChannel). It
// hides a channel of the same name that belongs to no workspace: each
// workspace may have its own "kernteam".
func (s *Server) AddChannelIn(team, id, name string, member, joinable bool) {
	s.AddChannel(id, name, member, joinable)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channelTeam[id] = team
}

// UnknownUser makes a user id not exist.
func (s *Server) UnknownUser(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unknown[id] = true
}

// SetLocale sets the locale users.info tells of a user ("en-US").
func (s *Server) SetLocale(id, locale string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.locales[id] = locale
}

// Calls returns the calls of one method so far ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Posted returns the successful chat.postMessage calls to a channel id.
func (s *Server) Posted(channel string) []Call {
	var out []Call
	for _, c := range s.Calls("chat.postMessage") {
		if c.OK && c.Channel == channel {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns what the conversation (a channel id, or a DM's D…)
// holds now, oldest first: posts as updated since.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.convs[channel]))
	copy(out, s.convs[channel])
	return out
}

// Wait waits until ok holds for the calls so far, and returns them.
func (s *Server) Wait(t testing.TB, what string, timeout time.Duration, ok func([]Call) bool) []Call {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		calls := s.Calls("")
		if ok(calls) {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("slackfake: %s did not happen within %s; calls:\n%s", what, timeout, Dump(calls))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Dump lists calls for a failure message.
func Dump(calls []Call) string {
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "  %s %d %s", c.Method, c.Status, c.Path)
		if len(c.Form) > 0 {
			f := url.Values{}
			for k, v := range c.Form {
				if k != "token" {
					f[k] = v
				}
			}
			fmt.Fprintf(&b, " %s", f.Encode())
		}
		if c.Method == "response" {
			fmt.Fprintf(&b, " %s", c.Body)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// fault returns the fault of method for this call, using one of its times.
func (s *Server) fault(method string) *Fault {
	f, ok := s.faults[method]
	if !ok || f.Times == 0 {
		return nil
	}
	if f.Times > 0 {
		f.Times--
	}
	c := *f
	return &c
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

// answerFault writes the fault's answer; it reports false when there is none.
func answerFault(w http.ResponseWriter, r *http.Request, f *Fault) (int, bool) {
	if f == nil {
		return 0, false
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return 0, true
		}
	}
	switch {
	case f.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		w.WriteHeader(f.Status)
		return f.Status, true
	case f.Status != 0:
		http.Error(w, "<html>fake outage</html>", f.Status)
		return f.Status, true
	case f.SlackError != "":
		writeJSON(w, map[string]any{"ok": false, "error": f.SlackError})
		return http.StatusOK, true
	}
	// A delay only: carry on normally.
	return 0, false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// token is the token a request came with: Authorization: Bearer, else the
// form's token field (slack-go sends either, by method).
func token(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	return r.Form.Get("token")
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	_ = r.ParseForm()
	form := r.Form // the body's fields, and the query's of a GET
	s.mu.Lock()
	f := s.fault(method)
	tok := token(r)
	team, known := s.tokens[tok]
	// apps.connections.open takes the app-level token, oauth.v2.access the
	// app's credentials.
	strict := len(s.tokens) > 0 && method != "apps.connections.open" && method != "oauth.v2.access"
	s.mu.Unlock()
	c := Call{Method: method, Form: form, Path: r.URL.Path, At: time.Now(), Token: tok, Team: team}
	if st, done := answerFault(w, r, f); done {
		c.Status = st
		s.record(c)
		return
	}
	c.Status = http.StatusOK
	if strict && !known {
		code := "invalid_auth"
		if tok == "" {
			code = "not_authed"
		}
		s.record(c)
		writeJSON(w, fail(code))
		return
	}
	if method == "oauth.v2.access" {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = form.Get("client_id"), form.Get("client_secret")
		}
		resp := s.exchange(id, secret, form.Get("code"))
		c.OK, _ = resp["ok"].(bool)
		s.record(c)
		writeJSON(w, resp)
		return
	}
	resp := s.answer(method, team, form)
	c.OK, _ = resp["ok"].(bool)
	c.Channel, _ = resp["channel"].(string)
	c.TS, _ = resp["ts"].(string)
	s.record(c)
	writeJSON(w, resp)
}

func fail(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

// answer is the fake's behaviour of each Web API method, called with a
// token of workspace team ("" when no workspace is declared).
func (s *Server) answer(method, team string, f url.Values) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch method {
	case "auth.test":
		return map[string]any{"ok": true, "user_id": "U0HULPBOT1", "team_id": cmp.Or(team, "T0DEVAART1")}
	case "apps.connections.open":
		return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.URL, "http") + "/ws"}
	case "conversations.open":
		user := f.Get("users")
		if user == "" || strings.Contains(user, ",") || !s.knows(team, user) {
			return fail("user_not_found")
		}
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + user[1:]}}
	case "users.info":
		user := f.Get("user")
		if !s.knows(team, user) {
			return fail("user_not_found")
		}
		u := map[string]any{"id": user, "name": strings.ToLower(user)}
		if f.Get("include_locale") == "true" {
			u["locale"] = cmp.Or(s.locales[user], "en-US") // Slack's default
		}
		return map[string]any{"ok": true, "user": u}
	case "conversations.list":
		var list []map[string]any
		for id, name := range s.channels {
			if s.sees(team, id) {
				list = append(list, map[string]any{"id": id, "name": name, "is_channel": true})
			}
		}
		return map[string]any{"ok": true, "channels": list, "response_metadata": map[string]any{"next_cursor": ""}}
	case "conversations.join":
		id := f.Get("channel")
		if _, ok := s.channels[id]; !ok || !s.sees(team, id) {
			return fail("channel_not_found")
		}
		if s.private[id] {
			return fail("method_not_supported_for_channel_type")
		}
		s.notIn[id] = false
		return map[string]any{"ok": true, "channel": map[string]any{"id": id}}
	case "chat.postMessage", "chat.update", "chat.postEphemeral":
		ch := f.Get("channel")
		if method == "chat.postMessage" && (strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W")) {
			ch = "D" + ch[1:] // a member id: the bot's DM with that person
		}
		if code := s.reachable(team, ch); code != "" {
			return fail(code)
		}
		switch method {
		case "chat.postEphemeral":
			s.ts++
			return map[string]any{"ok": true, "message_ts": fmt.Sprintf("1764150000.%06d", s.ts)}
		case "chat.update":
			return s.update(ch, f)
		}
		s.ts++
		ts := fmt.Sprintf("1764150000.%06d", s.ts)
		s.convs[ch] = append(s.convs[ch], Message{TS: ts, Text: f.Get("text"), Blocks: json.RawMessage(f.Get("blocks")), Metadata: metadata(f)})
		return map[string]any{"ok": true, "channel": ch, "ts": ts}
	case "conversations.history":
		return s.history(team, f)
	case "files.getUploadURLExternal":
		s.ts++
		id := fmt.Sprintf("F0FILE%04d", s.ts)
		return map[string]any{"ok": true, "upload_url": s.URL + "/upload/" + id, "file_id": id}
	case "files.completeUploadExternal":
		var files []map[string]any
		_ = json.Unmarshal([]byte(f.Get("files")), &files)
		return map[string]any{"ok": true, "files": files}
	}
	return fail("unknown_method")
}

// exchange is oauth.v2.access: an install's code for its bot token.
func (s *Server) exchange(id, secret, code string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != s.clientID || s.clientID == "" {
		return fail("invalid_client_id")
	}
	if secret != s.clientSecret {
		return fail("bad_client_secret")
	}
	in, ok := s.codes[code]
	if !ok {
		return fail("invalid_code")
	}
	delete(s.codes, code)
	s.tokens[in.Token] = in.Team
	return map[string]any{
		"ok": true, "access_token": in.Token, "token_type": "bot", "bot_user_id": "U0HULPBOT1", "app_id": "A0HULPBOT1",
		"team": map[string]any{"id": in.Team, "name": in.Team}, "is_enterprise_install": in.Enterprise,
	}
}

// knows reports whether user is a member the workspace team can see.
// s.mu is held.
func (s *Server) knows(team, user string) bool {
	if s.unknown[user] || !(strings.HasPrefix(user, "U") || strings.HasPrefix(user, "W")) {
		return false
	}
	home, ok := s.userTeam[user]
	return !ok || team == "" || home == team
}

// sees reports whether channel id is one of workspace team's: its own, or
// one of no workspace whose name none of its own has. s.mu is held.
func (s *Server) sees(team, id string) bool {
	if team == "" {
		return true
	}
	if own, ok := s.channelTeam[id]; ok {
		return own == team
	}
	for other, t := range s.channelTeam {
		if t == team && s.channels[other] == s.channels[id] {
			return false
		}
	}
	return true
}

// reachable is "" when the bot may post in the conversation ch, seen from
// workspace team, else the error code Slack answers. s.mu is held.
func (s *Server) reachable(team, ch string) string {
	switch {
	case strings.HasPrefix(ch, "D"):
		// The DM with U… or W… of the same rest.
		for _, u := range []string{"U" + ch[1:], "W" + ch[1:]} {
			if home, ok := s.userTeam[u]; s.unknown[u] || (ok && team != "" && home != team) {
				return "channel_not_found"
			}
		}
	case s.channels[ch] != "" && !s.sees(team, ch):
		return "channel_not_found"
	case s.channels[ch] != "":
		if s.notIn[ch] {
			return "not_in_channel"
		}
	default:
		return "channel_not_found"
	}
	return ""
}

// metadata reads the metadata argument of a post or update; nil without.
func metadata(f url.Values) *Metadata {
	raw := f.Get("metadata")
	if raw == "" {
		return nil
	}
	var m Metadata
	if err := json.Unmarshal([]byte(raw), &m); err != nil || m.EventType == "" {
		return nil
	}
	return &m
}

// update is chat.update: the message's text and blocks replaced, its
// metadata too when the update brings some (else kept, as Slack does).
// s.mu is held.
func (s *Server) update(ch string, f url.Values) map[string]any {
	ts := f.Get("ts")
	for i, m := range s.convs[ch] {
		if m.TS != ts {
			continue
		}
		m.Text, m.Blocks = f.Get("text"), json.RawMessage(f.Get("blocks"))
		if md := metadata(f); md != nil {
			m.Metadata = md
		}
		s.convs[ch][i] = m
		return map[string]any{"ok": true, "channel": ch, "ts": ts}
	}
	return fail("message_not_found")
}

// history is conversations.history: the newest messages first, at most
// limit (100 by default), with their metadata only when
// include_all_metadata is set. s.mu is held.
func (s *Server) history(team string, f url.Values) map[string]any {
	ch := f.Get("channel")
	if code := s.reachable(team, ch); code != "" {
		return fail(code)
	}
	limit, err := strconv.Atoi(f.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	withMeta := f.Get("include_all_metadata") == "1" || f.Get("include_all_metadata") == "true"
	msgs := s.convs[ch]
	list := []map[string]any{}
	for i := len(msgs) - 1; i >= 0 && len(list) < limit; i-- {
		m := msgs[i]
		item := map[string]any{"type": "message", "user": "U0HULPBOT1", "bot_id": "B0HULPBOT1", "text": m.Text, "ts": m.TS}
		if len(m.Blocks) > 0 && json.Valid(m.Blocks) {
			item["blocks"] = m.Blocks
		}
		if withMeta && m.Metadata != nil {
			item["metadata"] = m.Metadata
		}
		list = append(list, item)
	}
	return map[string]any{"ok": true, "messages": list, "has_more": len(msgs) > limit}
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.fault("upload")
	s.mu.Unlock()
	c := Call{Method: "upload", Path: r.URL.Path, At: time.Now(), Token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")}
	if st, done := answerFault(w, r, f); done {
		c.Status = st
		s.record(c)
		return
	}
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "file" {
				c.Body, _ = io.ReadAll(p)
			}
		}
	} else {
		c.Body, _ = io.ReadAll(r.Body)
	}
	c.Status, c.OK = http.StatusOK, true
	s.record(c)
	_, _ = io.WriteString(w, "OK")
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	f := s.fault("response")
	s.mu.Unlock()
	c := Call{Method: "response", Path: r.URL.Path, Body: body, At: time.Now()}
	if st, done := answerFault(w, r, f); done {
		c.Status = st
		s.record(c)
		return
	}
	c.Status, c.OK = http.StatusOK, true
	s.record(c)
	_, _ = io.WriteString(w, "ok")
}

// Response is a post to a response_url, decoded.
type Response struct {
	ResponseType    string            `json:"response_type"`
	ReplaceOriginal *bool             `json:"replace_original"`
	Text            string            `json:"text"`
	Blocks          []json.RawMessage `json:"blocks"`
}

// Responses decodes the successful posts to the response_url with this id.
func (s *Server) Responses(id string) []Response {
	var out []Response
	for _, c := range s.Calls("response") {
		if c.Path != "/response/"+id || !c.OK {
			continue
		}
		var r Response
		if err := json.Unmarshal(c.Body, &r); err != nil {
			s.t.Errorf("slackfake: response_url got invalid JSON %q: %v", c.Body, err)
			continue
		}
		out = append(out, r)
	}
	return out
}

// Sign sets Slack's signature headers for body, as signed at ts with secret.
func Sign(h http.Header, secret string, ts time.Time, body []byte) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:", stamp)
	m.Write(body)
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
}
