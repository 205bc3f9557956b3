package slackbot

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// rememberOffer keeps where an offer with buttons was posted, so its lapse
// can update it. A failure is logged: the offer itself was delivered, and
// its lapse then sends nothing.
func (s *Sender) rememberOffer(ctx context.Context, m message.Message, channel, ts string) {
	s.remember(ctx, m, s.keys.offer(m.SchoolID, m.RequestID, m.OfferNo), channel, ts)
}

// rememberPost keeps where a request's post in the fallback channel went,
// so its withdrawal or closing can take its button off. A failure is
// logged: the withdrawal then posts a message of its own.
func (s *Sender) rememberPost(ctx context.Context, m message.Message, channel, ts string) {
	s.remember(ctx, m, s.keys.channelPost(m.SchoolID, m.RequestID), channel, ts)
}

func (s *Sender) remember(ctx context.Context, m message.Message, k, channel, ts string) {
	_, err := s.rdb.TxPipelined(context.WithoutCancel(ctx), func(p redis.Pipeliner) error {
		p.HSet(ctx, k, "channel", channel, "ts", ts, "marker", marker(m.Key))
		p.Expire(ctx, k, offerTTL)
		return nil
	})
	if err != nil {
		s.log.Warn("message with buttons not remembered", "school", m.SchoolID, "request", m.RequestID, "kind", m.Kind, "offer", m.OfferNo, "err", err)
	}
}

// lapse shows on the offer message the helper saw that the offer is over:
// its text replaced, its buttons gone (chat.update), instead of a new DM.
// An offer that was never posted (or is forgotten) gets nothing: the
// helper never saw it.
func (s *Sender) lapse(ctx context.Context, w *workspace, m message.Message) error {
	k := s.keys.offer(m.SchoolID, m.RequestID, m.OfferNo)
	found, err := s.update(ctx, w, m, k)
	if err != nil || !found {
		return err
	}
	if err := s.rdb.Del(context.WithoutCancel(ctx), k).Err(); err != nil {
		// Kept until its TTL: a repeated lapse updates the message again, alike.
		s.log.Warn("offer message not forgotten", "school", m.SchoolID, "request", m.RequestID, "offer", m.OfferNo, "err", err)
	}
	return nil
}

// replacePost puts the end of a request (withdrawn, closed unpicked) on its
// post in the fallback channel, whose "Ik pak dit op" then goes; it reports
// false when that post is not known, and the end is posted as a message of
// its own. The post stays known until its TTL, so a repeated delivery
// updates it again, alike.
func (s *Sender) replacePost(ctx context.Context, w *workspace, m message.Message) (bool, error) {
	return s.update(ctx, w, m, s.keys.channelPost(m.SchoolID, m.RequestID))
}

// update replaces the text of the message remembered at k and takes its
// buttons off; false when nothing is remembered there.
func (s *Sender) update(ctx context.Context, w *workspace, m message.Message, k string) (bool, error) {
	v, err := s.rdb.HGetAll(ctx, k).Result()
	if err != nil {
		return false, fmt.Errorf("message to update: %w", err)
	}
	if v["ts"] == "" {
		s.log.Debug("message to update was never posted", "school", m.SchoolID, "request", m.RequestID, "kind", m.Kind, "offer", m.OfferNo)
		return false, nil
	}
	p, err := MessagePayload(message.Message{Text: m.Text})
	if err != nil {
		return false, fmt.Errorf("render update: %w: %w", err, message.ErrPermanent)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(p.Text, false), slack.MsgOptionBlocks(p.Blocks...)}
	if v["marker"] != "" {
		// The message keeps its own marker, so it is still found as delivered.
		opts = append(opts, markerOption(v["marker"]))
	}
	if _, _, _, err := w.api.UpdateMessageContext(ctx, v["channel"], v["ts"], opts...); err != nil {
		return false, classify(fmt.Errorf("chat.update: %w", err))
	}
	s.log.Debug("message updated", "school", m.SchoolID, "request", m.RequestID, "kind", m.Kind, "offer", m.OfferNo, "channel", bot.Mask(v["channel"]))
	return true, nil
}
