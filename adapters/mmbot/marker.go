package mmbot

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// propKey is the post property that holds a post's marker.
const propKey = "hulpbot_key"

// historyPage is how many recent posts Delivered looks through: the outbox
// asks about a message it tried minutes ago, not days.
const historyPage = 50

// marker is message.Marker of a key.
func marker(key string) string { return message.Marker(message.Message{Key: key}) }

// Delivered reports whether Mattermost already holds m (message.Checker):
// a post with its marker among the recent ones of the person's direct
// channel or the school's channel. A message without a key carries no
// marker: false. The lapse of an offer is an update, which may be
// repeated: false.
func (s *Sender) Delivered(ctx context.Context, m message.Message) (bool, error) {
	if m.Key == "" || m.Kind == bot.NoticeOfferLapsed {
		return false, nil
	}
	sc, err := s.school(m)
	if err != nil {
		return false, err
	}
	channelID, _, err := s.where(ctx, sc, m.To)
	if err != nil {
		return false, fmt.Errorf("delivered: %w", err)
	}
	var list *model.PostList
	err = call(ctx, "get posts", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		list, resp, err = s.api.GetPostsForChannel(ctx, channelID, 0, historyPage, "", false, false)
		return resp, err
	})
	if status(err) == http.StatusForbidden && m.To.Channel != "" {
		// A channel the bot may not read is one it is not in, and it joins
		// a channel before it posts there.
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delivered: %w", err)
	}
	want := marker(m.Key)
	for _, p := range list.Posts {
		if mark, _ := p.GetProp(propKey).(string); mark == want {
			s.log.Debug("found delivered", "school", sc.ID, "request", m.RequestID, "post", p.Id, "looked_at", len(list.Posts))
			return true, nil
		}
	}
	return false, nil
}
