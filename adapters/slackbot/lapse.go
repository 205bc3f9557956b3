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
	k := s.keys.offer(m.SchoolID, m.RequestID, m.OfferNo)
	_, err := s.rdb.TxPipelined(context.WithoutCancel(ctx), func(p redis.Pipeliner) error {
		p.HSet(ctx, k, "channel", channel, "ts", ts, "marker", marker(m.Key))
		p.Expire(ctx, k, offerTTL)
		return nil
	})
	if err != nil {
		s.log.Warn("offer message not remembered", "school", m.SchoolID, "request", m.RequestID, "offer", m.OfferNo, "err", err)
	}
}

// lapse shows on the offer message the helper saw that the offer is over:
// its text replaced, its buttons gone (chat.update), instead of a new DM.
// An offer that was never posted (or is forgotten) gets nothing: the
// helper never saw it.
func (s *Sender) lapse(ctx context.Context, m message.Message) error {
	k := s.keys.offer(m.SchoolID, m.RequestID, m.OfferNo)
	v, err := s.rdb.HGetAll(ctx, k).Result()
	if err != nil {
		return fmt.Errorf("offer message: %w", err)
	}
	if v["ts"] == "" {
		s.log.Debug("lapsed offer was never posted", "school", m.SchoolID, "request", m.RequestID, "offer", m.OfferNo)
		return nil
	}
	p, err := MessagePayload(message.Message{Text: m.Text})
	if err != nil {
		return fmt.Errorf("render lapse: %w: %w", err, message.ErrPermanent)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(p.Text, false), slack.MsgOptionBlocks(p.Blocks...)}
	if v["marker"] != "" {
		// The offer keeps its own marker, so it is still found as delivered.
		opts = append(opts, markerOption(v["marker"]))
	}
	if _, _, _, err := s.api.UpdateMessageContext(ctx, v["channel"], v["ts"], opts...); err != nil {
		return classify(fmt.Errorf("chat.update: %w", err))
	}
	if err := s.rdb.Del(context.WithoutCancel(ctx), k).Err(); err != nil {
		// Kept until its TTL: a repeated lapse updates the message again, alike.
		s.log.Warn("offer message not forgotten", "school", m.SchoolID, "request", m.RequestID, "offer", m.OfferNo, "err", err)
	}
	s.log.Debug("offer message updated", "school", m.SchoolID, "request", m.RequestID, "offer", m.OfferNo, "channel", bot.Mask(v["channel"]))
	return nil
}
