package slackbot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// metadataEvent is the event type of the metadata hulpbot puts on every
// message it posts; its payload holds the marker under "key".
const metadataEvent = "hulpbot_message"

// historyLimit is how many recent messages Delivered looks through: the
// outbox asks about a message it tried minutes ago, not days.
const historyLimit = 50

// marker is message.Marker of a key.
func marker(key string) string { return message.Marker(message.Message{Key: key}) }

func markerOption(mark string) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataEvent, EventPayload: map[string]any{"key": mark}})
}

// markerOf is the marker a message from Slack's history carries, "" for
// one without.
func markerOf(msg slack.Message) string {
	if msg.Metadata.EventType != metadataEvent {
		return ""
	}
	mark, _ := msg.Metadata.EventPayload["key"].(string)
	return mark
}

// Delivered reports whether Slack already holds m (message.Checker): a
// message with its marker among the recent ones of the person's DM or the
// channel. A message without a key carries no marker: false. The lapse of
// an offer is an update, which may be repeated: false. A message with
// files whose uploads are unfinished is not delivered yet: Send resumes it.
func (s *Sender) Delivered(ctx context.Context, m message.Message) (bool, error) {
	if m.Key == "" || m.Kind == bot.NoticeOfferLapsed {
		return false, nil
	}
	if err := checkRecipient(m.To); err != nil {
		return false, err
	}
	w, err := s.workspace(ctx, m)
	if err != nil {
		return false, err
	}
	prog, err := s.loadProgress(ctx, m)
	if err != nil {
		return false, err
	}
	if prog.TS != "" {
		return false, nil
	}
	ch, err := s.conversation(ctx, w, m.To)
	if err != nil {
		return false, err
	}
	h, err := w.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: ch, Limit: historyLimit, IncludeAllMetadata: true,
	})
	if slackCode(err) == "not_in_channel" {
		// The bot joins a channel before it posts there and never leaves.
		return false, nil
	}
	if err != nil {
		return false, classify(fmt.Errorf("conversations.history: %w", err))
	}
	want := marker(m.Key)
	for _, msg := range h.Messages {
		if markerOf(msg) == want {
			s.log.Debug("found delivered", "school", m.SchoolID, "request", m.RequestID, "kind", m.Kind, "channel", bot.Mask(ch), "looked_at", len(h.Messages))
			return true, nil
		}
	}
	return false, nil
}

// conversation is the id of the conversation a message to `to` lands in:
// the DM with a person (conversations.open), or the channel.
func (s *Sender) conversation(ctx context.Context, w *workspace, to bot.Recipient) (string, error) {
	if to.Channel != "" {
		return s.channelID(ctx, w, to.Channel)
	}
	ch, _, _, err := w.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{to.Handle}})
	if err != nil {
		return "", classify(fmt.Errorf("conversations.open: %w", err))
	}
	if ch == nil || ch.ID == "" {
		return "", fmt.Errorf("conversations.open: no channel in the answer")
	}
	return ch.ID, nil
}
