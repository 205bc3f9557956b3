package slackbot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// Retry is how hard one Send tries before it gives the error to its caller.
type Retry struct {
	// Attempts is the number of tries (at least 1).
	Attempts int
	// Wait is the pause after the first failed try; it doubles after each.
	Wait time.Duration
	// MaxWait is the longest Retry-After (HTTP 429) Send sits out itself; a
	// longer one is returned as *message.RetryAfterError.
	MaxWait time.Duration
}

// DefaultRetry is short: a durable outbox or the Queue retries for longer.
var DefaultRetry = Retry{Attempts: 3, Wait: 300 * time.Millisecond, MaxWait: 3 * time.Second}

// channelListTTL is how long a channel name → id map is trusted; a name not
// in it is looked up again at most once per channelMissTTL.
const (
	channelListTTL = 10 * time.Minute
	channelMissTTL = time.Minute
	maxListPages   = 50
)

// Sender delivers messages through Slack's Web API (message.Sender): a
// person gets a DM, a channel name is a channel of the workspace the bot is
// in. Each message key is delivered once, also when Send is called again
// for it, by another replica too: the Sender records each delivery in
// Redis, unless its caller does (Options.CallerDeduplicates, for the
// durable outbox), and then it makes no Redis round trip for a message
// without files. A message with files keeps how far its uploads got either
// way, so a retry resumes instead of posting again.
//
// Errors: wrapping message.ErrPermanent when retrying cannot help (no such
// user or channel, the bot not in a private channel); *message.RetryAfterError
// when Slack asks to wait longer than Retry.MaxWait; other errors are worth
// a later retry.
type Sender struct {
	api   *slack.Client
	rdb   redis.UniversalClient
	keys  keys
	retry Retry
	log   *slog.Logger
	// records: keep a delivery record per message key (SET NX while a
	// delivery holds it, "done" after). Off when the caller keeps one.
	records bool

	mu       sync.Mutex
	channels map[string]string // lower-cased name → channel id
	listedAt time.Time
}

var _ message.Sender = (*Sender)(nil)

// NewSender returns a Sender on api that remembers deliveries in rdb under
// prefix.
func NewSender(api *slack.Client, rdb redis.UniversalClient, prefix string, retry Retry, log *slog.Logger) *Sender {
	if retry.Attempts < 1 {
		retry.Attempts = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{
		api: api, rdb: rdb, keys: newKeys(prefix), retry: retry, log: log.With("component", "slack"), records: true,
		channels: map[string]string{},
	}
}

// errInFlight: another Send holds the message right now; try again later.
var errInFlight = errors.New("delivery in progress elsewhere")

// Send delivers m (message.Sender).
func (s *Sender) Send(ctx context.Context, m message.Message) error {
	if err := s.send(ctx, m); err != nil {
		return fmt.Errorf("slack send %s: %w", m.Key, err)
	}
	return nil
}

func (s *Sender) send(ctx context.Context, m message.Message) error {
	if m.To.Platform != bot.Slack {
		return fmt.Errorf("recipient on %q: %w", m.To.Platform, message.ErrPermanent)
	}
	if m.To.Handle == "" && m.To.Channel == "" {
		return fmt.Errorf("no recipient: %w", message.ErrPermanent)
	}
	p, err := MessagePayload(m)
	if err != nil {
		return errors.Join(err, message.ErrPermanent)
	}
	if s.records && m.Key != "" {
		claimed, err := s.claim(ctx, m.Key)
		if err != nil {
			return err
		}
		if !claimed {
			s.log.Debug("already delivered", "key", m.Key)
			return nil
		}
	}
	err = s.retrying(ctx, func(ctx context.Context) error { return s.deliver(ctx, m, p) })
	s.finish(ctx, m, err == nil)
	if err == nil {
		s.log.Debug("delivered", "key", m.Key, "request", m.RequestID, "buttons", len(m.Buttons), "files", len(m.Attachments))
	}
	return err
}

// claim takes the message for this delivery. It reports false when the
// message was delivered before, and errInFlight while another delivery
// holds it. Without Redis it delivers: a rare duplicate beats a lost
// message.
func (s *Sender) claim(ctx context.Context, key string) (bool, error) {
	k := s.keys.sent(key)
	for range 2 {
		ok, err := s.rdb.SetNX(ctx, k, markPending, claimTTL).Result()
		if err != nil {
			s.log.Warn("delivery record unavailable", "key", key, "err", err)
			return true, nil
		}
		if ok {
			return true, nil
		}
		v, err := s.rdb.Get(ctx, k).Result()
		switch {
		case errors.Is(err, redis.Nil):
			continue // it expired just now: claim again
		case err != nil:
			s.log.Warn("delivery record unavailable", "key", key, "err", err)
			return true, nil
		case v == markDone:
			return false, nil
		}
		return false, errInFlight
	}
	return false, errInFlight
}

// finish records the outcome, in one round trip or none: the delivery
// record done for a while, or free for the next try; the progress of a
// message with files forgotten once it is all delivered (kept after a
// failure, for the retry to resume).
func (s *Sender) finish(ctx context.Context, m message.Message, ok bool) {
	if m.Key == "" {
		return
	}
	record := s.records
	progress := ok && len(m.Attachments) > 0
	if !record && !progress {
		return
	}
	ctx = context.WithoutCancel(ctx)
	k := s.keys.sent(m.Key)
	// Not a transaction: the two keys may live on different cluster nodes.
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		switch {
		case record && ok:
			p.Set(ctx, k, markDone, sentTTL)
		case record:
			p.Del(ctx, k)
		}
		if progress {
			p.Del(ctx, s.keys.progress(m.Key))
		}
		return nil
	})
	if err != nil {
		s.log.Warn("delivery record not updated", "key", m.Key, "ok", ok, "err", err)
	}
}

// retrying runs f until it succeeds, fails for good, or the tries are used.
func (s *Sender) retrying(ctx context.Context, f func(context.Context) error) error {
	wait := s.retry.Wait
	for attempt := 1; ; attempt++ {
		err := f(ctx)
		if err == nil || errors.Is(err, message.ErrPermanent) || attempt >= s.retry.Attempts || ctx.Err() != nil {
			return err
		}
		d := wait
		var ra *message.RetryAfterError
		if errors.As(err, &ra) {
			if ra.After > s.retry.MaxWait {
				return err
			}
			d = max(ra.After, d)
		}
		if !sleep(ctx, d) {
			return errors.Join(err, ctx.Err())
		}
		wait *= 2
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// progress is how far a message with files got.
type progress struct {
	Channel string
	TS      string
	Files   int
}

// deliver posts the message and uploads its files, resuming where an
// earlier try of the same message stopped.
func (s *Sender) deliver(ctx context.Context, m message.Message, p Payload) error {
	prog := s.loadProgress(ctx, m)
	if prog.TS == "" {
		ch, err := s.target(ctx, m.To)
		if err != nil {
			return err
		}
		ch, ts, err := s.post(ctx, ch, m.To.Channel != "", p)
		if err != nil {
			return err
		}
		prog = progress{Channel: ch, TS: ts}
		s.saveProgress(ctx, m, prog)
	}
	for i := prog.Files; i < len(m.Attachments); i++ {
		a := m.Attachments[i]
		if len(a.Data) == 0 {
			continue
		}
		_, err := s.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader:   bytes.NewReader(a.Data),
			FileSize: len(a.Data),
			Filename: a.Name,
			Title:    a.Name,
			Channel:  prog.Channel,
		})
		if err != nil {
			return classify(fmt.Errorf("upload file %d: %w", i+1, err))
		}
		prog.Files = i + 1
		s.saveProgress(ctx, m, prog)
	}
	return nil
}

func (s *Sender) loadProgress(ctx context.Context, m message.Message) progress {
	if m.Key == "" || len(m.Attachments) == 0 {
		return progress{}
	}
	v, err := s.rdb.HGetAll(ctx, s.keys.progress(m.Key)).Result()
	if err != nil || v["ts"] == "" {
		return progress{}
	}
	n, _ := strconv.Atoi(v["files"])
	return progress{Channel: v["channel"], TS: v["ts"], Files: n}
}

func (s *Sender) saveProgress(ctx context.Context, m message.Message, p progress) {
	if m.Key == "" || len(m.Attachments) == 0 {
		return
	}
	k := s.keys.progress(m.Key)
	_, err := s.rdb.TxPipelined(context.WithoutCancel(ctx), func(pl redis.Pipeliner) error {
		pl.HSet(ctx, k, "channel", p.Channel, "ts", p.TS, "files", p.Files)
		pl.Expire(ctx, k, sentTTL)
		return nil
	})
	if err != nil {
		s.log.Warn("delivery progress not saved", "key", m.Key, "err", err)
	}
}

// post sends one message and returns the conversation it landed in (for a
// person: the DM's id) and its ts; in a public channel the bot is not in
// yet, it joins first.
func (s *Sender) post(ctx context.Context, channel string, isChannel bool, p Payload) (string, string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(p.Text, false),
		slack.MsgOptionBlocks(p.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	ch, ts, err := s.api.PostMessageContext(ctx, channel, opts...)
	if isChannel && slackCode(err) == "not_in_channel" {
		if _, _, _, jerr := s.api.JoinConversationContext(ctx, channel); jerr != nil {
			s.log.Warn("cannot join channel", "channel", channel, "err", slackCode(jerr))
			return "", "", classify(err)
		}
		s.log.Info("joined channel", "channel", channel)
		ch, ts, err = s.api.PostMessageContext(ctx, channel, opts...)
	}
	if err != nil {
		return "", "", classify(fmt.Errorf("chat.postMessage: %w", err))
	}
	if ch == "" {
		ch = channel
	}
	return ch, ts, nil
}

// target is where to post: a person's member id, which Slack delivers as a
// DM from the bot (one call, where conversations.open first would be two),
// or the channel with a name.
func (s *Sender) target(ctx context.Context, to bot.Recipient) (string, error) {
	if to.Channel != "" {
		return s.channelID(ctx, to.Channel)
	}
	return to.Handle, nil
}

// channelIDRE matches a conversation id, which needs no lookup.
var channelIDRE = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// channelID finds the id of a channel by its name (with or without "#").
func (s *Sender) channelID(ctx context.Context, name string) (string, error) {
	name = strings.TrimPrefix(strings.TrimSpace(name), "#")
	if channelIDRE.MatchString(name) {
		return name, nil
	}
	key := strings.ToLower(name)
	s.mu.Lock()
	id, ok := s.channels[key]
	age := time.Since(s.listedAt)
	s.mu.Unlock()
	if ok && age < channelListTTL {
		return id, nil
	}
	if !ok && age < channelMissTTL {
		return "", fmt.Errorf("channel %q: channel_not_found: %w", name, message.ErrPermanent)
	}
	names, err := s.listChannels(ctx)
	if err != nil {
		if ok {
			// Slack cannot list now; the id we knew is still the best guess.
			return id, nil
		}
		return "", err
	}
	s.mu.Lock()
	s.channels, s.listedAt = names, time.Now()
	s.mu.Unlock()
	if id, ok := names[key]; ok {
		return id, nil
	}
	return "", fmt.Errorf("channel %q: channel_not_found: %w", name, message.ErrPermanent)
}

// listChannels reads the workspace's channels (public, and private ones the
// bot is in).
func (s *Sender) listChannels(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	params := &slack.GetConversationsParameters{ExcludeArchived: true, Limit: 1000, Types: []string{"public_channel", "private_channel"}}
	for page := 0; page < maxListPages; page++ {
		chans, next, err := s.api.GetConversationsContext(ctx, params)
		if err != nil {
			return nil, classify(fmt.Errorf("conversations.list: %w", err))
		}
		for _, c := range chans {
			out[strings.ToLower(c.Name)] = c.ID
		}
		if next == "" {
			break
		}
		params.Cursor = next
	}
	s.log.Debug("channels listed", "count", len(out))
	return out, nil
}

// permanentCodes are Slack error codes no retry can cure.
var permanentCodes = map[string]bool{
	"channel_not_found":     true,
	"user_not_found":        true,
	"users_not_found":       true,
	"not_in_channel":        true,
	"is_archived":           true,
	"cannot_dm_bot":         true,
	"user_disabled":         true,
	"user_is_bot":           true,
	"invalid_blocks":        true,
	"invalid_blocks_format": true,
	"msg_too_long":          true,
	"no_text":               true,
	"too_many_attachments":  true,
	"restricted_action":     true,
	"messages_tab_disabled": true,
	"expired_url":           true,
	"used_url":              true,
	"invalid_url":           true,
}

// slackCode is the error code of a Web API error, "" for others.
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// classify maps a Web API error to the Sender's error contract.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &message.RetryAfterError{After: rl.RetryAfter, Err: err}
	}
	if permanentCodes[slackCode(err)] {
		return errors.Join(err, message.ErrPermanent)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code >= 400 && sc.Code < 500 && sc.Code != http.StatusTooManyRequests && sc.Code != http.StatusRequestTimeout {
		return errors.Join(err, message.ErrPermanent)
	}
	return err
}
