package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// HoldStory keeps a success story that must not be shared unasked under
// <prefix>:{<school>}:story:<id> for hold: ready to join the week's
// stories — signed when st.By is set — as AddStory or AddSignedStory would
// add it, if its author decides so (DecideStory). Without a decision the
// key expires with the story: never shared. A second hold of the same id
// changes nothing.
func (s *Store) HoldStory(ctx context.Context, now time.Time, school, id, week, month string, author bot.Address, st bot.Story, retention, hold time.Duration) error {
	op := "redisstore: hold story " + id
	if err := checkIDs(school, id, week); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if hold.Milliseconds() < 1 {
		return fmt.Errorf("%s: hold %v is not positive", op, hold)
	}
	if retention.Milliseconds() < 1 {
		retention = StatsTTL
	}
	list, entry := "stories:"+week, st.Text
	if st.By != "" {
		b, err := s.signedEntry(ctx, op, author, st)
		if err != nil {
			return err
		}
		list, entry = "signed:"+week, b
	}
	_, err := s.runGuarded(ctx, op, s.sc.holdStory, school, []string{s.key(school, "story:"+id), s.key(school, list)}, now, s.newGuard(""),
		week, month, mine(author), list, entry, strconv.FormatInt(retention.Milliseconds(), 10), strconv.FormatInt(hold.Milliseconds(), 10))
	return err
}

// storyMarkTTL is how long a decision on a held story is remembered, so a
// second press hears how it stands.
const storyMarkTTL = 15 * time.Minute

// DecideStory shares held story id after all (share) or drops it, for its
// author only (bot.ErrNotYours). It returns what became of it: shared or
// not; bot.ErrNotHeld when it was decided before (shared tells how), and
// bot.ErrNotFound when its hold expired and it is gone, unshared.
func (s *Store) DecideStory(ctx context.Context, now time.Time, school, id string, by bot.Address, share bool) (shared bool, err error) {
	op := "redisstore: decide story " + id
	if err := checkIDs(school, id); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	how := "cancel"
	if share {
		how = "share"
	}
	// The list a shared story joins is named by the held story: read it
	// first to declare it (a held story never changes its list).
	list, err := s.rdb.HGet(ctx, s.key(school, "story:"+id), "list").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fail(op, err)
	}
	keys := []string{s.key(school, "story:"+id), s.key(school, "stories:none")}
	if list != "" {
		keys[1] = s.key(school, list)
	}
	v, err := s.runGuarded(ctx, op, s.sc.decideStory, school, keys, now, s.newGuard(bot.NewRequestID()),
		how, mine(by), strconv.FormatInt(storyMarkTTL.Milliseconds(), 10))
	if len(v) > 0 {
		outcome, _ := v[0].(string)
		shared = outcome == "shared"
	}
	return shared, err
}
