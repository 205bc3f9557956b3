package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Delivery is one message hulpbot handed to the fake Slack.
type Delivery struct {
	Method  string // chat.postMessage, chat.update, chat.postEphemeral, response, upload
	Channel string // conversation id
	User    string // the person of a DM channel ("" for a channel)
	TS      string // the message's ts, as the fake answered it
	Seq     int64  // the hulpload token in the text (see Token), -1 when none
	// RequestID and OfferNo come from the message's buttons (offers).
	RequestID string
	OfferNo   int
	Buttons   []Button
	At        time.Time
}

// Button is a button of a message.
type Button struct {
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
}

// Token marks the text of a request for help so its messages can be found:
// "lt<seq>x" (lowercase letters and digits: no name check trips on it).
func Token(seq int64) string { return "lt" + strconv.FormatInt(seq, 10) + "x" }

var tokenRE = regexp.MustCompile(`\blt([0-9]+)x\b`)

// seqOf finds the token in text; -1 when there is none.
func seqOf(text string) int64 {
	m := tokenRE.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// offerKey names the offer of a request for help: its token and offer number.
type offerKey struct {
	Seq   int64
	Offer int
}

// Fake is a stand-in for Slack's Web API on loopback: it answers the
// methods hulpbot calls with {"ok":true,…} and plausible ids, and records
// every message with the time it arrived.
type Fake struct {
	URL string // base URL; the Web API is under URL + "/api/"

	srv   *http.Server
	ln    net.Listener
	delay time.Duration // held before each answer (Slack's own latency)

	ts      atomic.Int64
	calls   sync.Map // method → *atomic.Int64
	unknown atomic.Int64

	mu         sync.Mutex
	deliveries []Delivery
	waiters    map[offerKey]chan Delivery
}

// channels are the channels of every workspace the fake plays: the
// fallback channel of the generated configuration and a few others.
var fakeChannels = map[string]string{"C0KERNTEAM": "kernteam", "C0COORDIN": "coordinatie", "C0ALGEMEEN": "algemeen"}

// StartFake listens on addr ("127.0.0.1:0" for any free port).
func StartFake(addr string, delay time.Duration) (*Fake, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("fake slack: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("fake slack: %s is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fake slack: %w", err)
	}
	f := &Fake{URL: "http://" + ln.Addr().String(), ln: ln, delay: delay, waiters: map[offerKey]chan Delivery{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", f.api)
	mux.HandleFunc("/response/", f.response)
	mux.HandleFunc("/upload/", f.upload)
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// APIURL is the value for slack.api_url.
func (f *Fake) APIURL() string { return f.URL + "/api/" }

// ResponseURL is a response_url of the fake.
func (f *Fake) ResponseURL(id string) string { return f.URL + "/response/" + id }

// Close stops the fake.
func (f *Fake) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = f.srv.Shutdown(ctx)
}

// Expect returns a channel that receives the offer with this token and
// number when it arrives. Call it before the request is sent.
func (f *Fake) Expect(seq int64, offer int) <-chan Delivery {
	ch := make(chan Delivery, 1)
	f.mu.Lock()
	f.waiters[offerKey{seq, offer}] = ch
	f.mu.Unlock()
	return ch
}

// Forget drops a waiter that gave up.
func (f *Fake) Forget(seq int64, offer int) {
	f.mu.Lock()
	delete(f.waiters, offerKey{seq, offer})
	f.mu.Unlock()
}

// Deliveries returns what was delivered so far.
func (f *Fake) Deliveries() []Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Delivery(nil), f.deliveries...)
}

// Calls counts the calls of each method so far.
func (f *Fake) Calls() map[string]int64 {
	out := map[string]int64{}
	f.calls.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	if n := f.unknown.Load(); n > 0 {
		out["unknown"] = n
	}
	return out
}

func (f *Fake) count(method string) {
	v, ok := f.calls.Load(method)
	if !ok {
		v, _ = f.calls.LoadOrStore(method, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

func (f *Fake) record(d Delivery) {
	f.mu.Lock()
	f.deliveries = append(f.deliveries, d)
	var ch chan Delivery
	if d.OfferNo > 0 && d.Seq >= 0 {
		k := offerKey{d.Seq, d.OfferNo}
		if ch = f.waiters[k]; ch != nil {
			delete(f.waiters, k)
		}
	}
	f.mu.Unlock()
	if ch != nil {
		ch <- d
	}
}

func (f *Fake) hold(r *http.Request) {
	if f.delay <= 0 {
		return
	}
	t := time.NewTimer(f.delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func slackError(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func (f *Fake) api(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		_ = r.ParseForm()
	}
	f.count(method)
	f.hold(r)
	form := r.Form
	switch method {
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "user_id": "U0HULPBOT1", "team_id": "T0HULPLOAD", "bot_id": "B0HULPBOT1"})
	case "conversations.open":
		user := form.Get("users")
		if user == "" || strings.Contains(user, ",") || !(strings.HasPrefix(user, "U") || strings.HasPrefix(user, "W")) {
			writeJSON(w, slackError("user_not_found"))
			return
		}
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": dmChannel(user)}})
	case "conversations.list":
		var list []map[string]any
		for id, name := range fakeChannels {
			list = append(list, map[string]any{"id": id, "name": name, "is_channel": true, "is_member": true})
		}
		writeJSON(w, map[string]any{"ok": true, "channels": list, "response_metadata": map[string]any{"next_cursor": ""}})
	case "conversations.join":
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": form.Get("channel")}})
	case "chat.postMessage", "chat.update", "chat.postEphemeral":
		ch := form.Get("channel")
		if method == "chat.postMessage" && (strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W")) {
			ch = dmChannel(ch) // a member id: the bot's DM with that person, as Slack answers
		}
		user := dmUser(ch)
		if user == "" && fakeChannels[ch] == "" {
			writeJSON(w, slackError("channel_not_found"))
			return
		}
		ts := form.Get("ts")
		if method != "chat.update" {
			ts = fmt.Sprintf("1764150000.%06d", f.ts.Add(1))
		}
		d := Delivery{Method: method, Channel: ch, User: user, TS: ts, Seq: seqOf(form.Get("text")), At: at}
		d.Buttons = buttons(form.Get("blocks"))
		d.RequestID, d.OfferNo = offerOf(d.Buttons)
		f.record(d)
		if method == "chat.postEphemeral" {
			writeJSON(w, map[string]any{"ok": true, "message_ts": ts})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": ts})
	case "files.getUploadURLExternal":
		id := fmt.Sprintf("F0LOAD%06d", f.ts.Add(1))
		writeJSON(w, map[string]any{"ok": true, "upload_url": f.URL + "/upload/" + id, "file_id": id})
	case "files.completeUploadExternal":
		var files []map[string]any
		_ = json.Unmarshal([]byte(form.Get("files")), &files)
		writeJSON(w, map[string]any{"ok": true, "files": files})
	default:
		f.unknown.Add(1)
		writeJSON(w, slackError("unknown_method"))
	}
}

// response takes a post to a response_url (a clicked message updated, or
// a note to the clicker).
func (f *Fake) response(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	f.count("response")
	f.hold(r)
	var p struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(body, &p)
	f.record(Delivery{Method: "response", Channel: strings.TrimPrefix(r.URL.Path, "/response/"), Seq: seqOf(p.Text), At: at})
	_, _ = io.WriteString(w, "ok")
}

func (f *Fake) upload(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 32<<20))
	f.count("upload")
	f.record(Delivery{Method: "upload", Seq: -1, At: at})
	_, _ = io.WriteString(w, "OK")
}

// dmChannel is the id of the DM with a user: "D" and the rest of the
// user's id, so the user is known again from the channel.
func dmChannel(user string) string { return "D" + user[1:] }

// dmUser is the user of a DM channel made by dmChannel, "" for others.
func dmUser(channel string) string {
	if len(channel) < 3 || channel[0] != 'D' {
		return ""
	}
	return "U" + channel[1:]
}

// buttons reads the buttons of a message's Block Kit blocks.
func buttons(blocks string) []Button {
	if blocks == "" {
		return nil
	}
	var bs []struct {
		Type     string   `json:"type"`
		Elements []Button `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		return nil
	}
	var out []Button
	for _, b := range bs {
		if b.Type == "actions" {
			out = append(out, b.Elements...)
		}
	}
	return out
}

// offerOf reads request id and offer number from an accept button,
// whose value is "hb1:accept:<request>:<offer>".
func offerOf(bs []Button) (string, int) {
	for _, b := range bs {
		parts := strings.Split(b.Value, ":")
		if len(parts) == 4 && parts[1] == "accept" {
			n, err := strconv.Atoi(parts[3])
			if err == nil {
				return parts[2], n
			}
		}
	}
	return "", 0
}

// button finds the button of an action ("accept", "decline").
func (d Delivery) button(action string) (Button, bool) {
	for _, b := range d.Buttons {
		parts := strings.Split(b.Value, ":")
		if len(parts) == 4 && parts[1] == action {
			return b, true
		}
	}
	return Button{}, false
}
