package mmbot

import (
	"context"
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
// bot) and channels (posts in a channel of the school's team). The durable
// outbox is its only caller and owns retries and de-duplication, so each
// API call is made once. Every post carries a marker of its message's key
// (post property hulpbot_key), by which Delivered finds it again. The lapse
// of an offer rewrites the offer post instead of sending a new DM.
type Sender struct {
	api       *model.Client4
	dir       *bot.Directory
	teams     *teams
	keys      *keyring
	actionURL string
	rdb       redis.UniversalClient
	prefix    string
	log       *slog.Logger
	now       func() time.Time // when buttons are signed, for their expiry

	people   *people
	dms      *ids // user id → direct channel id
	channels *ids // team id/channel name → channel id

	botMu sync.Mutex
	botID string
}

var (
	_ message.Sender  = (*Sender)(nil)
	_ message.Checker = (*Sender)(nil)
)

// Send implements message.Sender. Errors wrap message.ErrPermanent when
// the message can never be delivered (unknown person or channel, refused
// post), are *message.RetryAfterError when Mattermost rate-limits, and
// plain errors otherwise (worth retrying later).
func (s *Sender) Send(ctx context.Context, m message.Message) error {
	k := noticeOf(m)
	sc, err := s.school(m)
	if err != nil {
		return err
	}
	if m.Kind == bot.NoticeOfferLapsed {
		return s.lapse(ctx, sc, m, k)
	}
	if (m.Kind == bot.NoticeCancelled || m.Kind == bot.NoticeUnpicked) && m.To.Channel != "" {
		if done, err := s.replacePost(ctx, sc, m, k); done || err != nil {
			return err
		}
	}
	rb := Buttons{ActionURL: s.actionURL, SchoolID: sc.ID, Now: s.now()}
	if len(m.Buttons) > 0 {
		signer, err := s.keys.get(ctx)
		if err != nil {
			return err
		}
		rb.Signer = signer
	}
	channelID, audience, err := s.where(ctx, sc, m.To)
	if err != nil {
		return fmt.Errorf("send %s: %w", k.kind, err)
	}
	// The buttons work for the account the message goes to, or for anyone
	// in the channel it is posted in.
	rb.For = audience

	post := RenderPost(m, channelID, rb)
	mark := ""
	if m.Key != "" {
		mark = marker(m.Key)
		post.AddProp(propKey, mark)
		// Mattermost returns the post already made for a pending id it saw
		// in the last 30 s, so a retry after a lost answer posts once.
		post.PendingPostId = "hulpbot" + mark
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
		"channel", bot.Mask(channelID), "buttons", len(m.Buttons), "files", len(m.Attachments))

	if m.RequestID != "" {
		switch {
		case k.kind == string(bot.NoticeOffer) && len(m.Buttons) > 0:
			s.rememberOffer(ctx, sc.ID, m.RequestID, k.offer, offerPost{id: created.Id, marker: mark})
		case k.kind == string(bot.NoticeEscalated) && len(m.Buttons) > 0:
			s.rememberField(ctx, sc.ID, m.RequestID, channelPostField, offerPost{id: created.Id, marker: mark})
		}
		s.retireOffers(ctx, sc.ID, m.RequestID, k)
	}
	return nil
}

// school is the school m is about, when m is for Mattermost at all.
func (s *Sender) school(m message.Message) (*bot.School, error) {
	if m.To.Platform != Platform {
		return nil, permanent(fmt.Errorf("mattermost sender: recipient on %q", m.To.Platform))
	}
	sc, ok := s.dir.School(m.SchoolID)
	if !ok {
		return nil, permanent(fmt.Errorf("mattermost sender: school %q: %w", m.SchoolID, bot.ErrUnknownSchool))
	}
	return sc, nil
}

// where is the id of the channel a message to `to` goes to — the school's
// channel of that name, or the direct channel with the person — and who
// sees it there: anyone in the channel, or that person's account.
func (s *Sender) where(ctx context.Context, sc *bot.School, to bot.Recipient) (string, Audience, error) {
	if to.Channel != "" {
		id, err := s.channel(ctx, sc, to.Channel)
		return id, ForChannel(id), err
	}
	id, userID, err := s.direct(ctx, to.Handle)
	return id, ForUser(userID), err
}

// direct is the id of the direct channel between the bot and username, and
// the user id of username.
func (s *Sender) direct(ctx context.Context, username string) (channelID, userID string, err error) {
	username = strings.ToLower(strings.TrimPrefix(username, "@"))
	if username == "" {
		return "", "", permanent(errors.New("no username"))
	}
	botID, err := s.me(ctx)
	if err != nil {
		return "", "", err
	}
	for try := 0; ; try++ {
		userID, err := s.people.id(ctx, username)
		if err != nil {
			return "", "", err
		}
		if id, ok := s.dms.get(userID); ok {
			return id, userID, nil
		}
		var ch *model.Channel
		err = call(ctx, "create direct channel", func(ctx context.Context) (*model.Response, error) {
			var resp *model.Response
			var err error
			ch, resp, err = s.api.CreateDirectChannel(ctx, botID, userID)
			return resp, err
		})
		switch {
		case err == nil:
			s.dms.put(userID, ch.Id)
			return ch.Id, userID, nil
		case errors.Is(err, message.ErrPermanent) && try == 0:
			// The cached id may be stale (the account was replaced):
			// look the name up again once.
			s.people.forget(username)
		default:
			return "", "", err
		}
	}
}

// me is the bot's own user id.
func (s *Sender) me(ctx context.Context) (string, error) {
	s.botMu.Lock()
	defer s.botMu.Unlock()
	if s.botID != "" {
		return s.botID, nil
	}
	var u *model.User
	err := call(ctx, "get me", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		u, resp, err = s.api.GetMe(ctx, "")
		return resp, err
	})
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
	err = call(ctx, "get channel", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		ch, resp, err = s.api.GetChannelByName(ctx, name, teamID, "")
		return resp, err
	})
	if err != nil {
		return "", err
	}
	s.channels.put(key, ch.Id)
	return ch.Id, nil
}

// create posts p. In a channel the bot is not a member of yet (403), it
// joins once — which Mattermost allows for public channels — and tries
// again. In a direct channel a 403 is Mattermost's cache of the bot's
// memberships missing a channel that was just opened (see refresh): the
// cache is renewed and the post tried once more.
func (s *Sender) create(ctx context.Context, p *model.Post, inChannel bool) (*model.Post, error) {
	var out *model.Post
	post := func() error {
		return call(ctx, "create post", func(ctx context.Context) (*model.Response, error) {
			var resp *model.Response
			var err error
			out, resp, err = s.api.CreatePost(ctx, p)
			return resp, err
		})
	}
	err := post()
	if err != nil && status(err) == http.StatusForbidden {
		retry := s.refresh
		if inChannel {
			retry = s.join
		}
		if rerr := retry(ctx, p.ChannelId); rerr == nil {
			err = post()
		}
	}
	if err != nil {
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

// refresh renews Mattermost's cache of the bot's channel memberships,
// which decides whether it may post. That cache is filled by one request
// and emptied when a channel is opened; a request of the bot's that read
// the memberships just before a direct channel with it was opened (by the
// bot, or by the person at the same moment) can fill it after it was
// emptied, without that channel, for up to 15 minutes — and every post
// there is 403. Writing the bot's own notification settings of the
// channel (no change: an empty set) empties the cache again.
func (s *Sender) refresh(ctx context.Context, channelID string) error {
	botID, err := s.me(ctx)
	if err != nil {
		return err
	}
	resp, err := s.api.UpdateChannelNotifyProps(ctx, channelID, botID, map[string]string{})
	if err != nil {
		err = newAPIError("renew memberships", resp, err)
		s.log.Warn("post to a direct channel refused; cannot renew the bot's memberships", "channel", bot.Mask(channelID), "err", err)
		return err
	}
	s.log.Info("post to a direct channel refused; the bot's memberships renewed", "channel", bot.Mask(channelID))
	return nil
}

// upload stores a file in the channel and returns its id.
func (s *Sender) upload(ctx context.Context, channelID string, a message.Attachment) (string, error) {
	var up *model.FileUploadResponse
	err := call(ctx, "upload file", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		up, resp, err = s.api.UploadFile(ctx, a.Data, channelID, a.Name)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if len(up.FileInfos) != 1 {
		return "", fmt.Errorf("mattermost upload file: %d file infos, want 1", len(up.FileInfos))
	}
	return up.FileInfos[0].Id, nil
}

// offersKey holds, per request, the offer posts by offer number.
func (s *Sender) offersKey(school, request string) string {
	return s.prefix + ":mm:offers:" + school + ":" + request
}

// offerPost is what the offers hash keeps of one offer: its post, the
// marker of its message (kept when the post is patched, so it is still
// found as delivered), and whether its buttons are off already.
type offerPost struct {
	id      string
	marker  string
	retired bool
}

func (o offerPost) String() string {
	v := o.id + " " + o.marker
	if o.retired {
		v += " off"
	}
	return v
}

// parseOfferPost reads an offers hash value; a bare post id is one kept
// before markers were.
// clicked marks offer post postID of the request as done with before a
// click on it is handled: the click's answer rewrites the post, and a
// patch of the same post by the delivery of the change the click makes
// (its buttons taken off) would race that rewrite in Mattermost and could
// undo it.
func (s *Sender) clicked(ctx context.Context, school, request string, offer int, postID string) {
	if s == nil || s.rdb == nil || request == "" || offer < 1 {
		return
	}
	key, field := s.offersKey(school, request), strconv.Itoa(offer)
	v, err := s.rdb.HGet(ctx, key, field).Result()
	if err != nil {
		return // not remembered (or Redis away): nothing to hold back
	}
	post := parseOfferPost(v)
	if post.id != postID || post.retired {
		return
	}
	post.retired = true
	if err := s.rdb.HSet(ctx, key, field, post.String()).Err(); err != nil {
		s.log.Warn("cannot mark clicked offer post", "school", school, "request", request, "offer", offer, "err", err)
	}
}

func parseOfferPost(v string) offerPost {
	f := strings.Fields(v)
	var o offerPost
	if len(f) > 0 {
		o.id = f[0]
	}
	if len(f) > 1 {
		o.marker = f[1]
	}
	o.retired = len(f) > 2 && f[2] == "off"
	return o
}

// props are the props of an offer post without its buttons.
func (o offerPost) props() model.StringInterface {
	p := model.StringInterface{model.PostPropsFromBot: "true"}
	if o.marker != "" {
		p[propKey] = o.marker
	}
	return p
}

func (s *Sender) rememberOffer(ctx context.Context, school, request string, offer int, post offerPost) {
	s.rememberField(ctx, school, request, strconv.Itoa(offer), post)
}

// channelPostField is the field of the offers hash that keeps a request's
// post in the fallback channel (an offer's field is its number), so its
// withdrawal or closing can take "Ik pak dit op" off it.
const channelPostField = "channel"

func (s *Sender) rememberField(ctx context.Context, school, request, field string, post offerPost) {
	if s.rdb == nil {
		return
	}
	key := s.offersKey(school, request)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, field, post.String())
		p.Expire(ctx, key, offerPostTTL)
		return nil
	})
	if err != nil {
		s.log.Warn("cannot remember offer post", "school", school, "request", request, "post", field, "err", err)
	}
}

// retireOffers takes the buttons off offer posts of the request that k
// shows are over: every earlier offer, and the current one too when k is
// an end (accepted, escalated, cancelled, resolved, …). A click rewrites
// its own post; this covers offers that ended otherwise — a typed
// "/hulp ok" or "kan niet", a withdrawal, the next offer. Only the props
// are patched, so a text a click put there stays, and the post is kept as
// retired: a lapse that comes later still rewrites its text. Failures are
// logged: the message itself was delivered.
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
	for field, v := range posts {
		n, err := strconv.Atoi(field)
		post := parseOfferPost(v)
		if err != nil || post.retired || n > k.offer || (n == k.offer && !endsOffer(k.kind)) {
			continue
		}
		props := post.props()
		err = call(ctx, "patch post", func(ctx context.Context) (*model.Response, error) {
			_, resp, err := s.api.PatchPost(ctx, post.id, &model.PostPatch{Props: &props})
			return resp, err
		})
		if err != nil && !notFound(err) {
			s.log.Warn("cannot take buttons off offer", "school", school, "request", request, "offer", n, "post", post.id, "err", err)
			continue
		}
		post.retired = true
		s.rdb.HSet(ctx, key, field, post.String())
		s.log.Info("offer buttons removed", "school", school, "request", request, "offer", n, "post", post.id)
	}
}

// lapse shows on the helper's offer post that the offer is over: its text
// replaced and its buttons gone, instead of a new DM. An offer that was
// never posted (or is forgotten) gets nothing: the helper never saw it.
func (s *Sender) lapse(ctx context.Context, sc *bot.School, m message.Message, k noticeKey) error {
	if s.rdb == nil || m.RequestID == "" {
		return nil
	}
	key, field := s.offersKey(sc.ID, m.RequestID), strconv.Itoa(k.offer)
	v, err := s.rdb.HGet(ctx, key, field).Result()
	if errors.Is(err, redis.Nil) {
		s.log.Debug("lapsed offer was never posted", "school", sc.ID, "request", m.RequestID, "offer", k.offer)
		return nil
	}
	if err != nil {
		return fmt.Errorf("send %s: offer post: %w", k.kind, err)
	}
	post := parseOfferPost(v)
	text, props := plain(m.Text), post.props()
	err = call(ctx, "patch post", func(ctx context.Context) (*model.Response, error) {
		_, resp, err := s.api.PatchPost(ctx, post.id, &model.PostPatch{Message: &text, Props: &props})
		return resp, err
	})
	switch {
	case notFound(err):
		s.log.Info("lapsed offer post is gone", "school", sc.ID, "request", m.RequestID, "offer", k.offer, "post", post.id)
	case err != nil:
		return fmt.Errorf("send %s: %w", k.kind, err)
	default:
		s.log.Info("offer post updated", "school", sc.ID, "request", m.RequestID, "notice", k.kind, "offer", k.offer, "post", post.id)
	}
	if err := s.rdb.HDel(ctx, key, field).Err(); err != nil {
		// Kept until its TTL: a repeated lapse rewrites the post again, alike.
		s.log.Warn("cannot forget offer post", "school", sc.ID, "request", m.RequestID, "offer", k.offer, "err", err)
	}
	return nil
}

// replacePost puts the end of a request (withdrawn, closed unpicked) on its
// post in the fallback channel: the text replaced, "Ik pak dit op" gone. It
// reports false when that post is not known (or gone), and the end is
// posted as a message of its own. The post stays known until its TTL, so a
// repeated delivery patches it again, alike.
func (s *Sender) replacePost(ctx context.Context, sc *bot.School, m message.Message, k noticeKey) (bool, error) {
	if s.rdb == nil || m.RequestID == "" {
		return false, nil
	}
	v, err := s.rdb.HGet(ctx, s.offersKey(sc.ID, m.RequestID), channelPostField).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("send %s: channel post: %w", k.kind, err)
	}
	post := parseOfferPost(v)
	text, props := plain(m.Text), post.props()
	err = call(ctx, "patch post", func(ctx context.Context) (*model.Response, error) {
		_, resp, err := s.api.PatchPost(ctx, post.id, &model.PostPatch{Message: &text, Props: &props})
		return resp, err
	})
	switch {
	case notFound(err):
		s.log.Info("channel post is gone", "school", sc.ID, "request", m.RequestID, "notice", k.kind, "post", post.id)
		return false, nil
	case err != nil:
		return false, fmt.Errorf("send %s: %w", k.kind, err)
	}
	s.log.Info("channel post updated", "school", sc.ID, "request", m.RequestID, "notice", k.kind, "post", post.id)
	return true, nil
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
