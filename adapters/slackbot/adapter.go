package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/internal/apiclient"
	"github.com/hulpbot/hulpbot/internal/personlang"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
	"github.com/hulpbot/hulpbot/message"
)

// Platform is Slack: people's member ids and schools' workspace ids are
// accounts and team links on it. Stored keys contain it; it never changes.
const Platform bot.Platform = "slack"

// Dispatcher is the command layer the adapter hands commands and clicks to
// (handlers.Handler).
type Dispatcher interface {
	Command(ctx context.Context, c handlers.Command) handlers.Reply
	Click(ctx context.Context, c handlers.Click) handlers.ClickReply
}

// idempotentDispatcher is a Dispatcher that can tell which commands it may
// take twice when Slack delivers them twice (handlers.Handler: a request
// for help, which the store creates once per trigger_id). Those skip the
// adapter's own repeat check and its two Redis round trips.
type idempotentDispatcher interface {
	Idempotent(c handlers.Command) bool
}

// Schools finds the school linked to a Slack workspace, and a message's
// school by its id (bot.Directory).
type Schools interface {
	ByTeam(p bot.Platform, team string) (*bot.School, bool)
	School(id string) (*bot.School, bool)
}

// Options configure an Adapter.
type Options struct {
	// Workspaces are the bot user OAuth tokens (xoxb-…) by workspace (team
	// id): the one Slack app installed in several workspaces has a token
	// in each, good there only.
	Workspaces map[string]string
	// BotToken is the token for every workspace without one in Workspaces
	// (with one workspace, the only one needed). New needs at least one
	// token.
	BotToken string
	// SigningSecret verifies requests over HTTP; empty disables the HTTP
	// endpoints (Socket Mode needs none).
	SigningSecret string
	// APIURL overrides Slack's Web API base URL (tests); empty is Slack's.
	APIURL string
	// Install enables "Add to Slack" (GET /slack/install, /slack/oauth):
	// a workspace's installation then gives its token; nil disables it.
	Install *Install

	Dispatcher Dispatcher
	Schools    Schools
	// Redis keeps the adapter's small state under Prefix + ":slack:".
	Redis  redis.UniversalClient
	Prefix string
	// Pseudonyms name the keys of people's languages (at schools that
	// allow both nl and en); nil keeps none, and each command asks Slack
	// for the person's locale.
	Pseudonyms *pseudonym.Keyring
	Log        *slog.Logger

	// Zero values below mean the defaults.

	// MaxBody caps a request body (64 kB); larger is answered 413.
	MaxBody int64
	// AnswerTimeout bounds the work on a command before it is answered
	// (2.5 s: Slack waits 3).
	AnswerTimeout time.Duration
	// HTTPTimeout bounds one call to Slack's Web API (10 s).
	HTTPTimeout time.Duration
	// Backoff is how long the click answers' Queue keeps trying
	// (DefaultBackoff).
	Backoff Backoff
	// Workers and QueueSize size that Queue (8 workers, 256 jobs each).
	Workers, QueueSize int
}

// Adapter is hulpbot on Slack: the HTTP endpoints (or Socket Mode) for
// commands and clicks, and the Sender for messages.
type Adapter struct {
	secret  string
	apiURL  string
	cmds    Dispatcher
	schools Schools
	rdb     redis.UniversalClient
	keys    keys
	langs   *personlang.Cache
	log     *slog.Logger

	maxBody       int64
	answerTimeout time.Duration

	hc      *http.Client // Web API and response_url
	ws      *Workspaces
	install *Install
	sender  *Sender
	queue   *Queue
}

// New returns an Adapter; Run must run for messages to go out.
func New(o Options) (*Adapter, error) {
	if o.Dispatcher == nil || o.Schools == nil || o.Redis == nil {
		return nil, errors.New("slack: dispatcher, schools and redis are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.AnswerTimeout <= 0 {
		o.AnswerTimeout = 2500 * time.Millisecond
	}
	if o.HTTPTimeout <= 0 {
		o.HTTPTimeout = 10 * time.Second
	}
	if o.Backoff == (Backoff{}) {
		o.Backoff = DefaultBackoff
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	apiURL := slack.APIURL
	if o.APIURL != "" {
		u, err := url.Parse(o.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("slack: api_url %q is not an http(s) URL", o.APIURL)
		}
		apiURL = strings.TrimSuffix(o.APIURL, "/") + "/"
	}
	log := o.Log.With("component", "slack")
	hc := apiclient.New(o.HTTPTimeout)
	var ws *Workspaces
	var err error
	if o.Install == nil {
		ws, err = NewWorkspaces(o.Workspaces, o.BotToken, apiURL, hc)
	} else {
		if o.Install.ClientID == "" || o.Install.ClientSecret == "" || o.Install.RedirectURL == "" {
			return nil, errors.New("slack: install needs the client id, the client secret and the redirect URL")
		}
		ws, err = newWorkspaces(o.Workspaces, o.BotToken, apiURL, hc)
		if err == nil {
			ws.installed = &installedTokens{rdb: o.Redis, keys: newKeys(o.Prefix), newWS: ws.newWS, cache: map[string]installed{}}
		}
	}
	if err != nil {
		return nil, err
	}
	sender := NewSender(ws, o.Schools, o.Redis, o.Prefix, o.Log)
	return &Adapter{
		secret: o.SigningSecret, apiURL: apiURL,
		cmds: o.Dispatcher, schools: o.Schools, rdb: o.Redis, keys: newKeys(o.Prefix), log: log,
		langs:   personlang.New(o.Redis, o.Prefix, o.Pseudonyms, log),
		maxBody: o.MaxBody, answerTimeout: o.AnswerTimeout,
		hc: hc, ws: ws, install: o.Install, sender: sender,
		queue: NewQueue(o.Workers, o.QueueSize, o.Backoff, o.Log),
	}, nil
}

// Sender delivers a message in one try: for the durable outbox, which
// queues, retries and de-duplicates.
func (a *Adapter) Sender() *Sender { return a.sender }

// Run does the background work (the answers to clicks) until ctx ends,
// then drains briefly.
func (a *Adapter) Run(ctx context.Context) { a.queue.Run(ctx) }

// Register adds POST /slack/command and POST /slack/interactivity to mux,
// and with Install GET /slack/install and GET /slack/oauth.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.Handle("POST /slack/command", http.HandlerFunc(a.ServeCommand))
	mux.Handle("POST /slack/interactivity", http.HandlerFunc(a.ServeInteractivity))
	if a.install != nil {
		mux.Handle("GET /slack/install", http.HandlerFunc(a.ServeInstall))
		mux.Handle("GET /slack/oauth", http.HandlerFunc(a.ServeOAuth))
	}
}

// ServeCommand answers a slash command.
func (a *Adapter) ServeCommand(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r, "command")
	if !ok {
		return
	}
	c, err := parseCommandForm(body)
	if err != nil {
		a.reject(w, "command", http.StatusBadRequest, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.answerTimeout)
	defer cancel()
	answer, silent := a.command(ctx, c, retryNum(r))
	if silent {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(answer)
}

// ServeInteractivity answers a button press: at once with 200, while the
// update of the message goes out in the background.
func (a *Adapter) ServeInteractivity(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r, "interactivity")
	if !ok {
		return
	}
	c, err := parseInteractionForm(body)
	if err != nil {
		a.reject(w, "interactivity", http.StatusBadRequest, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.answerTimeout)
	defer cancel()
	a.click(ctx, c, retryNum(r))
	w.WriteHeader(http.StatusOK)
}

// verified reads the body, capped, and checks Slack's signature over it
// before anything is parsed. It has answered the request when ok is false.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request, endpoint string) (body []byte, ok bool) {
	if a.secret == "" {
		a.reject(w, endpoint, http.StatusUnauthorized, errors.New("no signing secret configured"))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.reject(w, endpoint, http.StatusRequestEntityTooLarge, fmt.Errorf("body over %d bytes", a.maxBody))
		} else {
			a.reject(w, endpoint, http.StatusBadRequest, errors.New("body not read"))
		}
		return nil, false
	}
	if err := verify(r.Header, body, a.secret); err != nil {
		a.reject(w, endpoint, http.StatusUnauthorized, err)
		return nil, false
	}
	return body, true
}

// verify checks the v0 signature of body and that its timestamp is within
// five minutes of now.
func verify(h http.Header, body []byte, secret string) error {
	sv, err := slack.NewSecretsVerifier(h, secret)
	if err != nil {
		if !errors.Is(err, slack.ErrMissingHeaders) && !errors.Is(err, slack.ErrExpiredTimestamp) {
			// A timestamp or signature that does not even parse.
			return slack.ErrInvalidSignature
		}
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

// reject answers a request hulpbot will not act on, and logs why without
// anything the request said.
func (a *Adapter) reject(w http.ResponseWriter, endpoint string, status int, err error) {
	a.log.Warn("slack request rejected", "endpoint", endpoint, "status", status, "reason", reason(err))
	// An error answer is final: Slack need not retry it.
	w.Header().Set("X-Slack-No-Retry", "1")
	http.Error(w, http.StatusText(status), status)
}

// reason says why a request was rejected, in words that never quote it.
func reason(err error) string {
	var m malformed
	switch {
	case errors.As(err, &m):
		return string(m)
	case errors.Is(err, slack.ErrMissingHeaders):
		return "missing signature headers"
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return "timestamp not within 5 minutes"
	case errors.Is(err, slack.ErrInvalidSignature):
		return "bad signature"
	}
	return err.Error()
}

func retryNum(r *http.Request) int {
	n, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	return n
}

// command runs a slash command once per trigger. A request for help is
// idempotent by itself (its id comes from the trigger_id, and the store
// answers a repeat with the request as it stands), so a repeat of it runs
// again and gets the same answer without any record here. Any other
// command is marked here first: a repeat gets the first answer again (or
// a silent ack while the first still runs) and reaches no use case. The
// answer is JSON, ready to send.
func (a *Adapter) command(ctx context.Context, c slashCommand, retry int) (answer json.RawMessage, silent bool) {
	sc, known := a.schools.ByTeam(Platform, c.TeamID)
	if !known {
		sc = nil // the handlers explain, in Dutch, that this workspace is not linked
		a.log.Info("slack command from unlinked workspace", "team", c.TeamID)
	}
	from := bot.Actor{Address: bot.Address{Platform: Platform, Handle: c.UserID}, Name: c.UserName}
	if known {
		w, ok := a.ws.forTeam(ctx, c.TeamID)
		if !ok {
			return a.refuseCommand(sc, c.TeamID)
		}
		// The reply is for the one who typed: in their language.
		sc = a.langs.School(ctx, sc, from.Identity(), a.locale(w, c.UserID))
	}
	cmd := handlers.Command{
		School:  sc,
		From:    from,
		Text:    c.Text,
		Channel: c.ChannelID,
		ID:      c.TriggerID,
	}
	key := ""
	switch {
	case !known || c.TriggerID == "":
	case a.idempotent(cmd):
		if retry > 0 {
			a.log.Info("slack repeat handled again", "endpoint", "command", "team", c.TeamID, "retry", retry)
		}
	default:
		key = a.keys.command(c.TeamID, c.TriggerID)
		first, prev, err := firstTime(ctx, a.rdb, key, markRunning)
		if err != nil {
			a.log.Warn("slack dedupe unavailable", "endpoint", "command", "err", err)
			key = ""
		}
		if !first {
			a.log.Info("slack repeat ignored", "endpoint", "command", "team", c.TeamID, "retry", retry)
			if prev == markRunning || !json.Valid([]byte(prev)) {
				return nil, true
			}
			return json.RawMessage(prev), false
		}
	}
	reply := a.cmds.Command(ctx, cmd)
	p, err := CommandPayload(reply)
	if err != nil {
		a.log.Error("slack reply not rendered", "err", err)
		p, _ = CommandPayload(handlers.Reply{Text: reply.Text})
	}
	answer, err = json.Marshal(p)
	if err != nil {
		a.log.Error("slack reply not encoded", "err", err)
		return nil, true
	}
	if key != "" {
		if err := a.rdb.Set(context.WithoutCancel(ctx), key, []byte(answer), seenTTL).Err(); err != nil {
			a.log.Warn("slack dedupe not updated", "endpoint", "command", "err", err)
		}
	}
	return answer, false
}

// refuseCommand answers a command from a school's workspace hulpbot has
// no bot token for.
func (a *Adapter) refuseCommand(sc *bot.School, team string) (json.RawMessage, bool) {
	p, err := CommandPayload(handlers.Reply{Text: a.noToken(sc, "command", team)})
	if err != nil {
		return nil, true
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, true
	}
	return b, false
}

// noToken is the answer to a request from a school's workspace hulpbot
// has no bot token for: it cannot even look the person up, so it changes
// nothing and says why, in the school's language.
func (a *Adapter) noToken(sc *bot.School, endpoint, team string) string {
	a.log.Error("slack request from a workspace without a bot token", "endpoint", endpoint, "school", sc.ID, "team", team)
	return catalog.Text(catalog.Lang(sc.Language), "err.no_workspace_token", "school", sc.Name)
}

// locale asks Slack, in the member's workspace w, for their locale
// ("nl-NL", "en-US").
func (a *Adapter) locale(w *workspace, userID string) personlang.Fetch {
	return func(ctx context.Context) (string, error) {
		u, err := w.api.GetUserInfoContext(ctx, userID, slack.GetUserInfoOptionIncludeLocale(true))
		if err != nil {
			return "", fmt.Errorf("slack users.info: %w", err)
		}
		return u.Locale, nil
	}
}

// idempotent reports whether the dispatcher may take c twice.
func (a *Adapter) idempotent(c handlers.Command) bool {
	d, ok := a.cmds.(idempotentDispatcher)
	return ok && d.Idempotent(c)
}

// click hands a button press to the handlers once per interaction, and
// queues the answer: the clicked message replaced for everyone, or a note
// for the clicker.
func (a *Adapter) click(ctx context.Context, c click, retry int) {
	sc, known := a.schools.ByTeam(Platform, c.team())
	var w *workspace // the clicker's workspace, where their lookups go
	if known {
		var ok bool
		if w, ok = a.ws.forTeam(ctx, c.team()); !ok {
			a.refuseClick(c, a.noToken(sc, "interactivity", c.team()))
			return
		}
		id := c.TriggerID
		if id == "" {
			id = c.User.ID + "/" + c.Actions[0].ActionTS + "/" + c.Actions[0].ActionID
		}
		first, _, err := firstTime(ctx, a.rdb, a.keys.click(c.team(), id), "1")
		if err != nil {
			a.log.Warn("slack dedupe unavailable", "endpoint", "interactivity", "err", err)
		}
		if !first {
			a.log.Info("slack repeat ignored", "endpoint", "interactivity", "team", c.team(), "retry", retry)
			return
		}
	} else {
		sc = nil
		a.log.Info("slack click from unlinked workspace", "team", c.team())
	}
	from := bot.Actor{Address: bot.Address{Platform: Platform, Handle: c.User.ID}, Name: c.userName()}
	var own *bot.School
	if known {
		own = a.langs.School(ctx, sc, from.Identity(), a.locale(w, c.User.ID))
		if strings.HasPrefix(c.Container.ChannelID, "D") || c.Container.IsEphemeral {
			// A direct message, or an answer only the clicker sees, is
			// theirs: its update is in their language; a channel's post
			// stays in the school's.
			sc = own
		}
	}
	reply := a.cmds.Click(ctx, handlers.Click{
		School:    sc,
		Clicker:   own,
		From:      from,
		Action:    c.Action,
		RequestID: c.RequestID,
		OfferNo:   c.OfferNo,
	})
	upd, eph, err := ClickPayloads(reply)
	if err != nil {
		a.log.Error("slack click answer not rendered", "request", c.RequestID, "err", err)
		return
	}
	if upd == nil && eph == nil {
		return
	}
	owner := c.Container.ChannelID + "/" + c.Container.MessageTS
	if err := a.queue.Do(owner, "click "+c.RequestID, func(ctx context.Context) error {
		return a.answerClick(ctx, w, c, upd, eph)
	}); err != nil {
		a.log.Error("slack click answer not queued", "request", c.RequestID, "err", err)
	}
}

// refuseClick tells the clicker, through the click's response_url (which
// needs no token), why nothing happened.
func (a *Adapter) refuseClick(c click, text string) {
	_, eph, err := ClickPayloads(handlers.ClickReply{Ephemeral: text})
	if err != nil || eph == nil {
		return
	}
	if err := a.queue.Do(c.Container.ChannelID+"/"+c.Container.MessageTS, "refusal", func(ctx context.Context) error {
		return a.respond(ctx, c.ResponseURL, *eph)
	}); err != nil {
		a.log.Error("slack click refusal not queued", "err", err)
	}
}

// answerClick shows the answer to a click: through the response_url, or,
// when that fails, chat.update / chat.postEphemeral in the clicker's
// workspace w.
func (a *Adapter) answerClick(ctx context.Context, w *workspace, c click, upd, eph *Payload) error {
	if upd != nil {
		err := a.respond(ctx, c.ResponseURL, *upd)
		if err != nil && w != nil && c.Container.ChannelID != "" && c.Container.MessageTS != "" && !c.Container.IsEphemeral {
			a.log.Warn("slack response_url failed; chat.update instead", "request", c.RequestID, "err", err)
			_, _, _, uerr := w.api.UpdateMessageContext(ctx, c.Container.ChannelID, c.Container.MessageTS,
				slack.MsgOptionText(upd.Text, false), slack.MsgOptionBlocks(upd.Blocks...))
			err = classify(uerr)
		}
		if err != nil {
			return err
		}
		upd = nil
	}
	if eph != nil {
		err := a.respond(ctx, c.ResponseURL, *eph)
		if err != nil {
			ch := c.Container.ChannelID
			if ch == "" {
				ch = c.Channel.ID
			}
			if ch == "" || w == nil {
				return err
			}
			a.log.Warn("slack response_url failed; chat.postEphemeral instead", "request", c.RequestID, "err", err)
			_, perr := w.api.PostEphemeralContext(ctx, ch, c.User.ID, slack.MsgOptionText(eph.Text, false), slack.MsgOptionBlocks(eph.Blocks...))
			return classify(perr)
		}
	}
	return nil
}

// errResponseURL: a response_url hulpbot will not post to.
var errResponseURL = errors.New("response_url is not Slack's")

// respond posts p to a response_url.
func (a *Adapter) respond(ctx context.Context, responseURL string, p Payload) error {
	if !a.allowedResponseURL(responseURL) {
		return errors.Join(errResponseURL, message.ErrPermanent)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return errors.Join(err, message.ErrPermanent)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(b))
	if err != nil {
		return errors.Join(err, message.ErrPermanent)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := a.hc.Do(req)
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests:
		after, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &message.RetryAfterError{After: time.Duration(after) * time.Second, Err: errors.New("response_url: 429")}
	case resp.StatusCode >= 500:
		return fmt.Errorf("response_url: %s", resp.Status)
	}
	// expired_url, used_url, invalid payload: trying again will not help.
	code := strings.TrimSpace(string(msg))
	if len(code) > 40 {
		code = code[:40]
	}
	return fmt.Errorf("response_url: %s %q: %w", resp.Status, code, message.ErrPermanent)
}

// allowedResponseURL reports whether u may receive a post: an https URL of
// Slack's (GovSlack's too), or one on the configured Web API host (tests).
func (a *Adapter) allowedResponseURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if u.Scheme == "https" {
		for _, d := range []string{"slack.com", "slack-gov.com"} {
			if host == d || strings.HasSuffix(host, "."+d) {
				return true
			}
		}
	}
	api, err := url.Parse(a.apiURL)
	return err == nil && u.Scheme == api.Scheme && strings.EqualFold(u.Host, api.Host)
}
