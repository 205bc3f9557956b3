package mmbot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// offerPostTTL is how long the post id of an offer is kept, so its buttons
// can be taken away when the offer is over without a click.
const offerPostTTL = 48 * time.Hour

// Sender delivers messages to Mattermost people (direct messages from the
// bot) and channels (posts in a channel of the school's team).
type Sender struct {
	api       *model.Client4
	dir       *bot.Directory
	teams     *teams
	keys      *keyring
	actionURL string
	rdb       redis.UniversalClient
	prefix    string
	log       *slog.Logger

	users    *ids // username → user id
	dms      *ids // user id → direct channel id
	channels *ids // team id/channel name → channel id

	botMu sync.Mutex
	botID string

	attempts int           // tries of one API call while it fails transiently
	backoff  time.Duration // wait before the second try; doubles
}

var _ message.Sender = (*Sender)(nil)

// Send implements message.Sender. Errors wrap message.ErrPermanent when
// the message can never be delivered (unknown person or channel, refused
// post), are *message.RetryAfterError when Mattermost rate-limits, and
// plain errors otherwise (worth retrying later).
func (s *Sender) Send(ctx context.Context, m message.Message) error {
	k := noticeOf(m)
	if m.To.Platform != bot.Mattermost {
		return permanent(fmt.Errorf("mattermost sender: recipient on %q", m.To.Platform))
	}
	sc, ok := s.dir.School(m.SchoolID)
	if !ok {
		return permanent(fmt.Errorf("mattermost sender: school %q: %w", m.SchoolID, bot.ErrUnknownSchool))
	}
	rb := Buttons{ActionURL: s.actionURL, SchoolID: sc.ID}
	if len(m.Buttons) > 0 {
		signer, err := s.keys.get(ctx)
		if err != nil {
			return err
		}
		rb.Signer = signer
	}

	var channelID string
	var err error
	if m.To.Channel != "" {
		channelID, err = s.channel(ctx, sc, m.To.Channel)
	} else {
		channelID, err = s.direct(ctx, m.To.Handle)
	}
	if err != nil {
		return fmt.Errorf("send %s: %w", k.kind, err)
	}

	post := RenderPost(m, channelID, rb)
	if m.Key != "" {
		// Mattermost returns the post already made for a pending id it saw
		// in the last 30 s, so a retry after a lost answer posts once.
		sum := sha256.Sum256([]byte(m.Key))
		post.PendingPostId = "hulpbot" + hex.EncodeToString(sum[:16])
	}
	for _, a := range m.Attachments {
		id, err := s.upload(ctx, channelID, a)
		if err != nil {
			return fmt.Errorf("send %s: %w", k.kind, err)
		}
		post.FileIds = append(post.FileIds, id)
	}
	created, err := s.create(ctx, post, m.To.Channel != "")
	if err != nil {
		return fmt.Errorf("send %s: %w", k.kind, err)
	}
	s.log.Info("sent", "school", sc.ID, "request", m.RequestID, "notice", k.kind, "post", created.Id,
		"channel", channelID, "buttons", len(m.Buttons), "files", len(m.Attachments))

	if m.RequestID != "" {
		if k.kind == string(bot.NoticeOffer) && len(m.Buttons) > 0 {
			s.rememberOffer(ctx, sc.ID, m.RequestID, k.offer, created.Id)
		}
		s.retireOffers(ctx, sc.ID, m.RequestID, k)
	}
	return nil
}

// direct is the id of the direct channel between the bot and username.
func (s *Sender) direct(ctx context.Context, username string) (string, error) {
	username = strings.ToLower(strings.TrimPrefix(username, "@"))
	if username == "" {
		return "", permanent(errors.New("no username"))
	}
	botID, err := s.me(ctx)
	if err != nil {
		return "", err
	}
	for try := 0; ; try++ {
		userID, err := s.user(ctx, username)
		if err != nil {
			return "", err
		}
		if id, ok := s.dms.get(userID); ok {
			return id, nil
		}
		var ch *model.Channel
		err = retry(ctx, s.attempts, s.backoff, func(ctx context.Context) (*model.Response, error) {
			var resp *model.Response
			var err error
			ch, resp, err = s.api.CreateDirectChannel(ctx, botID, userID)
			return resp, err
		}, "create direct channel")
		switch {
		case err == nil:
			s.dms.put(userID, ch.Id)
			return ch.Id, nil
		case (notFound(err) || refused(err)) && try == 0:
			// The cached id may be stale (the account was replaced):
			// look the name up again once.
			s.users.drop(username)
		case notFound(err) || refused(err):
			return "", permanent(err)
		default:
			return "", err
		}
	}
}

// user is the id of the account with this username.
func (s *Sender) user(ctx context.Context, username string) (string, error) {
	if id, ok := s.users.get(username); ok {
		return id, nil
	}
	var u *model.User
	err := retry(ctx, s.attempts, s.backoff, func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		u, resp, err = s.api.GetUserByUsername(ctx, username, "")
		return resp, err
	}, "get user")
	if err != nil {
		if notFound(err) || refused(err) {
			return "", permanent(err)
		}
		return "", err
	}
	if u.DeleteAt != 0 {
		return "", permanent(errors.New("mattermost account is deactivated"))
	}
	s.users.put(username, u.Id)
	return u.Id, nil
}

// me is the bot's own user id.
func (s *Sender) me(ctx context.Context) (string, error) {
	s.botMu.Lock()
	defer s.botMu.Unlock()
	if s.botID != "" {
		return s.botID, nil
	}
	var u *model.User
	err := retry(ctx, s.attempts, s.backoff, func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		u, resp, err = s.api.GetMe(ctx, "")
		return resp, err
	}, "get me")
	if err != nil {
		// A bot token Mattermost refuses is a configuration problem the
		// outbox should keep retrying through until an operator fixes it.
		return "", err
	}
	s.botID = u.Id
	return s.botID, nil
}

// channel is the id of the channel called name in the school's team.
func (s *Sender) channel(ctx context.Context, sc *bot.School, name string) (string, error) {
	name = strings.ToLower(strings.TrimPrefix(name, "~"))
	teamID, err := s.teams.teamID(ctx, sc)
	if err != nil {
		return "", err
	}
	key := teamID + "/" + name
	if id, ok := s.channels.get(key); ok {
		return id, nil
	}
	var ch *model.Channel
	err = retry(ctx, s.attempts, s.backoff, func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		ch, resp, err = s.api.GetChannelByName(ctx, name, teamID, "")
		return resp, err
	}, "get channel")
	if err != nil {
		if notFound(err) || refused(err) {
			return "", permanent(err)
		}
		return "", err
	}
	s.channels.put(key, ch.Id)
	return ch.Id, nil
}

// create posts p. In a channel the bot is not a member of yet (403), it
// joins once — which Mattermost allows for public channels — and tries
// again.
func (s *Sender) create(ctx context.Context, p *model.Post, inChannel bool) (*model.Post, error) {
	var out *model.Post
	post := func() error {
		return retry(ctx, s.attempts, s.backoff, func(ctx context.Context) (*model.Response, error) {
			var resp *model.Response
			var err error
			out, resp, err = s.api.CreatePost(ctx, p)
			return resp, err
		}, "create post")
	}
	err := post()
	if err != nil && inChannel && status(err) == http.StatusForbidden {
		if jerr := s.join(ctx, p.ChannelId); jerr == nil {
			err = post()
		}
	}
	if err != nil {
		if notFound(err) || refused(err) {
			return nil, permanent(err)
		}
		return nil, err
	}
	return out, nil
}

func (s *Sender) join(ctx context.Context, channelID string) error {
	botID, err := s.me(ctx)
	if err != nil {
		return err
	}
	_, resp, err := s.api.AddChannelMember(ctx, channelID, botID)
	if err != nil {
		err = newAPIError("join channel", resp, err)
		s.log.Warn("cannot join channel", "channel", channelID, "err", err)
		return err
	}
	s.log.Info("joined channel", "channel", channelID)
	return nil
}

// upload stores a file in the channel and returns its id.
func (s *Sender) upload(ctx context.Context, channelID string, a message.Attachment) (string, error) {
	var up *model.FileUploadResponse
	err := retry(ctx, s.attempts, s.backoff, func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		up, resp, err = s.api.UploadFile(ctx, a.Data, channelID, a.Name)
		return resp, err
	}, "upload file")
	if err != nil {
		if refused(err) {
			return "", permanent(err)
		}
		return "", err
	}
	if len(up.FileInfos) != 1 {
		return "", fmt.Errorf("mattermost upload file: %d file infos, want 1", len(up.FileInfos))
	}
	return up.FileInfos[0].Id, nil
}

// offersKey holds, per request, the post ids of its offers by offer number.
func (s *Sender) offersKey(school, request string) string {
	return s.prefix + ":mm:offers:" + school + ":" + request
}

func (s *Sender) rememberOffer(ctx context.Context, school, request string, offer int, postID string) {
	if s.rdb == nil {
		return
	}
	key := s.offersKey(school, request)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, strconv.Itoa(offer), postID)
		p.Expire(ctx, key, offerPostTTL)
		return nil
	})
	if err != nil {
		s.log.Warn("cannot remember offer post", "school", school, "request", request, "offer", offer, "err", err)
	}
}

// retireOffers takes the buttons off offer posts of the request that k
// shows are over: every earlier offer, and the current one too when k is
// an end (accepted, lapsed, escalated, cancelled, resolved, …). A click
// rewrites its own post; this covers offers that ended otherwise — a
// typed "/hulp ok" or "kan niet", a deadline, a withdrawal. Only the props
// are patched, so a text a click put there stays. Failures are logged: the
// message itself was delivered.
func (s *Sender) retireOffers(ctx context.Context, school, request string, k noticeKey) {
	if s.rdb == nil || k.offer < 1 || (k.offer == 1 && !endsOffer(k.kind)) {
		// No offer before the first, and the first goes on: nothing to
		// take off, so no round trip to find that out (the first offer's
		// DM is the most common message of all).
		return
	}
	key := s.offersKey(school, request)
	posts, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		s.log.Warn("cannot read offer posts", "school", school, "request", request, "err", err)
		return
	}
	for field, postID := range posts {
		n, err := strconv.Atoi(field)
		if err != nil || n > k.offer || (n == k.offer && !endsOffer(k.kind)) {
			continue
		}
		props := model.StringInterface{model.PostPropsFromBot: "true"}
		err = retry(ctx, s.attempts, s.backoff, func(ctx context.Context) (*model.Response, error) {
			_, resp, err := s.api.PatchPost(ctx, postID, &model.PostPatch{Props: &props})
			return resp, err
		}, "patch post")
		if err != nil && !notFound(err) {
			s.log.Warn("cannot take buttons off offer", "school", school, "request", request, "offer", n, "post", postID, "err", err)
			continue
		}
		s.rdb.HDel(ctx, key, field)
		s.log.Info("offer buttons removed", "school", school, "request", request, "offer", n, "post", postID)
	}
}

// endsOffer reports notice kinds after which the offer they name is over.
func endsOffer(kind string) bool {
	switch bot.NoticeKind(kind) {
	case bot.NoticeAccepted, bot.NoticeOfferLapsed, bot.NoticeEscalated, bot.NoticeNobody, bot.NoticeCancelled, bot.NoticeResolved:
		return true
	}
	return false
}

// noticeKey is what a message tells about a request: the notice kind and
// the offer it is about ("message" for what is not a notice).
type noticeKey struct {
	kind  string
	offer int
}

func noticeOf(m message.Message) noticeKey {
	if m.Kind == "" {
		return noticeKey{kind: "message"}
	}
	return noticeKey{kind: string(m.Kind), offer: max(m.OfferNo, 0)}
}
