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
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// channelListTTL is how long a channel name → id map is trusted; a name not
// in it is looked up again at most once per channelMissTTL.
const (
	channelListTTL = 10 * time.Minute
	channelMissTTL = time.Minute
	maxListPages   = 50
)

// Sender delivers messages through Slack's Web API (message.Sender): a
// person gets a DM, a channel name is a channel of the workspace; every
// call goes with the bot token of the workspace of the message's school.
// The durable outbox is its only caller and owns retries and
// de-duplication, so Send tries once. Each message carries a marker of its
// key (message metadata), by which Delivered finds it again. A message with
// files keeps how far its uploads got, so a retry resumes instead of
// posting again; an offer with buttons keeps where it was posted, so its
// lapse updates it instead of sending a new DM.
//
// Errors: wrapping message.ErrPermanent when retrying cannot help (no such
// user or channel, the bot not in a private channel); *message.RetryAfterError
// on HTTP 429; other errors are worth a later retry.
type Sender struct {
	ws      *Workspaces
	schools Schools
	rdb     redis.UniversalClient
	keys    keys
	log     *slog.Logger
}

var (
	_ message.Sender  = (*Sender)(nil)
	_ message.Checker = (*Sender)(nil)
)

// NewSender returns a Sender through the workspaces' clients, which finds
// a message's school in schools and keeps upload progress and offer
// messages in rdb under prefix.
func NewSender(ws *Workspaces, schools Schools, rdb redis.UniversalClient, prefix string, log *slog.Logger) *Sender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{ws: ws, schools: schools, rdb: rdb, keys: newKeys(prefix), log: log.With("component", "slack")}
}

// workspace is the workspace a message goes to: its school's. A message
// of no school goes where a school linked to no workspace would.
func (s *Sender) workspace(ctx context.Context, m message.Message) (*workspace, error) {
	if m.SchoolID == "" {
		if s.ws.teamless == nil {
			return nil, fmt.Errorf("message of no school: %w: %w", ErrNoWorkspace, message.ErrPermanent)
		}
		return s.ws.teamless, nil
	}
	sc, ok := s.schools.School(m.SchoolID)
	if !ok {
		return nil, fmt.Errorf("school %q: %w: %w", m.SchoolID, bot.ErrUnknownSchool, message.ErrPermanent)
	}
	return s.ws.forSchool(ctx, sc)
}

// Send delivers m (message.Sender), in one try.
func (s *Sender) Send(ctx context.Context, m message.Message) error {
	if err := s.send(ctx, m); err != nil {
		return fmt.Errorf("slack send %s: %w", what(m), err)
	}
	return nil
}

// what names a message in errors and logs by its kind and request, which
// say more than its key.
func what(m message.Message) string {
	if m.Kind == "" {
		return "message"
	}
	return fmt.Sprintf("%s of request %s (offer %d)", m.Kind, m.RequestID, m.OfferNo)
}

func (s *Sender) send(ctx context.Context, m message.Message) error {
	if err := checkRecipient(m.To); err != nil {
		return err
	}
	w, err := s.workspace(ctx, m)
	if err != nil {
		return err
	}
	if m.Kind == bot.NoticeOfferLapsed {
		return s.lapse(ctx, w, m)
	}
	if (m.Kind == bot.NoticeCancelled || m.Kind == bot.NoticeUnpicked) && m.To.Channel != "" {
		if done, err := s.replacePost(ctx, w, m); done || err != nil {
			return err
		}
	}
	p, err := MessagePayload(m)
	if err != nil {
		return errors.Join(err, message.ErrPermanent)
	}
	if err := s.deliver(ctx, w, m, p); err != nil {
		return err
	}
	s.log.Debug("delivered", "school", m.SchoolID, "request", m.RequestID, "kind", m.Kind, "buttons", len(m.Buttons), "files", len(m.Attachments))
	return nil
}

// checkRecipient refuses a message Slack cannot be asked to deliver.
func checkRecipient(to bot.Recipient) error {
	if to.Platform != Platform {
		return fmt.Errorf("recipient on %q: %w", to.Platform, message.ErrPermanent)
	}
	if to.Handle == "" && to.Channel == "" {
		return fmt.Errorf("no recipient: %w", message.ErrPermanent)
	}
	return nil
}

// progress is how far a message with files got.
type progress struct {
	Channel string
	TS      string
	Files   int
}

// deliver posts the message and uploads its files, resuming where an
// earlier try of the same message stopped.
func (s *Sender) deliver(ctx context.Context, w *workspace, m message.Message, p Payload) error {
	prog, err := s.loadProgress(ctx, m)
	if err != nil {
		return err
	}
	if prog.TS == "" {
		ch, err := s.target(ctx, w, m.To)
		if err != nil {
			return err
		}
		ch, ts, err := s.post(ctx, w, ch, m.To.Channel != "", p, m.Key)
		if err != nil {
			return err
		}
		prog = progress{Channel: ch, TS: ts}
		s.saveProgress(ctx, m, prog)
		switch {
		case m.Kind == bot.NoticeOffer && len(m.Buttons) > 0:
			s.rememberOffer(ctx, m, ch, ts)
		case m.Kind == bot.NoticeEscalated && len(m.Buttons) > 0:
			s.rememberPost(ctx, m, ch, ts)
		}
	}
	for i := prog.Files; i < len(m.Attachments); i++ {
		a := m.Attachments[i]
		if len(a.Data) == 0 {
			continue
		}
		_, err := w.api.UploadFileContext(ctx, slack.UploadFileParameters{
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
	s.forgetProgress(ctx, m)
	return nil
}

// loadProgress reads how far an earlier try of a message with files got.
// Without Redis it fails: posting again might double the message.
func (s *Sender) loadProgress(ctx context.Context, m message.Message) (progress, error) {
	if m.Key == "" || len(m.Attachments) == 0 {
		return progress{}, nil
	}
	v, err := s.rdb.HGetAll(ctx, s.keys.progress(m.Key)).Result()
	if err != nil {
		return progress{}, fmt.Errorf("delivery progress: %w", err)
	}
	if v["ts"] == "" {
		return progress{}, nil
	}
	n, _ := strconv.Atoi(v["files"])
	return progress{Channel: v["channel"], TS: v["ts"], Files: n}, nil
}

func (s *Sender) saveProgress(ctx context.Context, m message.Message, p progress) {
	if m.Key == "" || len(m.Attachments) == 0 {
		return
	}
	k := s.keys.progress(m.Key)
	_, err := s.rdb.TxPipelined(context.WithoutCancel(ctx), func(pl redis.Pipeliner) error {
		pl.HSet(ctx, k, "channel", p.Channel, "ts", p.TS, "files", p.Files)
		pl.Expire(ctx, k, progressTTL)
		return nil
	})
	if err != nil {
		s.log.Warn("delivery progress not saved", "school", m.SchoolID, "request", m.RequestID, "err", err)
	}
}

// forgetProgress drops the progress of a message with files once all of it
// is delivered.
func (s *Sender) forgetProgress(ctx context.Context, m message.Message) {
	if m.Key == "" || len(m.Attachments) == 0 {
		return
	}
	if err := s.rdb.Del(context.WithoutCancel(ctx), s.keys.progress(m.Key)).Err(); err != nil {
		s.log.Warn("delivery progress not removed", "school", m.SchoolID, "request", m.RequestID, "err", err)
	}
}

// post sends one message, with the marker of key as its metadata, and
// returns the conversation it landed in (for a person: the DM's id) and its
// ts; in a public channel the bot is not in yet, it joins first.
func (s *Sender) post(ctx context.Context, w *workspace, channel string, isChannel bool, p Payload, key string) (string, string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(p.Text, false),
		slack.MsgOptionBlocks(p.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if key != "" {
		opts = append(opts, markerOption(marker(key)))
	}
	ch, ts, err := w.api.PostMessageContext(ctx, channel, opts...)
	if isChannel && slackCode(err) == "not_in_channel" {
		if _, _, _, jerr := w.api.JoinConversationContext(ctx, channel); jerr != nil {
			s.log.Warn("cannot join channel", "channel", channel, "err", slackCode(jerr))
			return "", "", classify(err)
		}
		s.log.Info("joined channel", "channel", channel)
		ch, ts, err = w.api.PostMessageContext(ctx, channel, opts...)
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
func (s *Sender) target(ctx context.Context, w *workspace, to bot.Recipient) (string, error) {
	if to.Channel != "" {
		return s.channelID(ctx, w, to.Channel)
	}
	return to.Handle, nil
}

// channelIDRE matches a conversation id, which needs no lookup.
var channelIDRE = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// channelID finds the id of a channel of the workspace by its name (with
// or without "#"): each workspace has its own "kernteam".
func (s *Sender) channelID(ctx context.Context, w *workspace, name string) (string, error) {
	name = strings.TrimPrefix(strings.TrimSpace(name), "#")
	if channelIDRE.MatchString(name) {
		return name, nil
	}
	key := strings.ToLower(name)
	w.mu.Lock()
	id, ok := w.channels[key]
	age := time.Since(w.listedAt)
	w.mu.Unlock()
	if ok && age < channelListTTL {
		return id, nil
	}
	if !ok && age < channelMissTTL {
		return "", fmt.Errorf("channel %q: channel_not_found: %w", name, message.ErrPermanent)
	}
	names, err := s.listChannels(ctx, w)
	if err != nil {
		if ok {
			// Slack cannot list now; the id we knew is still the best guess.
			return id, nil
		}
		return "", err
	}
	w.mu.Lock()
	w.channels, w.listedAt = names, time.Now()
	w.mu.Unlock()
	if id, ok := names[key]; ok {
		return id, nil
	}
	return "", fmt.Errorf("channel %q: channel_not_found: %w", name, message.ErrPermanent)
}

// listChannels reads the workspace's channels (public, and private ones the
// bot is in).
func (s *Sender) listChannels(ctx context.Context, w *workspace) (map[string]string, error) {
	out := map[string]string{}
	params := &slack.GetConversationsParameters{ExcludeArchived: true, Limit: 1000, Types: []string{"public_channel", "private_channel"}}
	for page := 0; page < maxListPages; page++ {
		chans, next, err := w.api.GetConversationsContext(ctx, params)
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
	"message_not_found":     true,
	"cant_update_message":   true,
	"edit_window_closed":    true,
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
