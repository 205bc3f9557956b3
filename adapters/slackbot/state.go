package slackbot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The adapter's own Redis keys, all under <prefix>:slack: and all but the
// installed tokens with a TTL:
//
//	<prefix>:slack:cmd:<h>    a slash command handled (team + trigger_id): "-" while it runs, then the reply JSON;
//	                          not for a request for help, which the store keeps from running twice
//	<prefix>:slack:click:<h>  a click handled (team + trigger_id): "1"
//	<prefix>:slack:prog:<h>   how far a message with files got (its key): hash channel, ts, files
//	<prefix>:slack:offer:<h>  where an offer with buttons was posted (school + request + offer number):
//	                          hash channel, ts, marker; its lapse updates that message
//	<prefix>:slack:post:<h>   where a request's post in the fallback channel went (school + request):
//	                          hash channel, ts, marker; its withdrawal or closing updates that post
//	<prefix>:slack:token:<T>  the bot token the app's installation in workspace T gave ("Add to
//	                          Slack", Install): the one key without a TTL, as it lives as long as
//	                          the installation; a new installation replaces it
//
// <h> is a hash of what identifies the thing, so no name or id of a person
// is readable in a key and a key's length is bounded.
type keys struct{ p string }

func newKeys(prefix string) keys {
	if prefix == "" {
		prefix = "hb"
	}
	return keys{p: prefix + ":slack:"}
}

func (k keys) command(team, trigger string) string { return k.p + "cmd:" + digest(team, trigger) }
func (k keys) click(team, id string) string        { return k.p + "click:" + digest(team, id) }
func (k keys) progress(msgKey string) string       { return k.p + "prog:" + digest(msgKey) }
func (k keys) offer(school, request string, n int) string {
	return k.p + "offer:" + digest(school, request, strconv.Itoa(n))
}

func (k keys) channelPost(school, request string) string {
	return k.p + "post:" + digest(school, request)
}

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// TTLs of the adapter's keys.
const (
	// seenTTL covers Slack's retries (immediately, ~1 and ~5 minutes) and a
	// replayed request inside the 5-minute signature window, with room.
	seenTTL = 15 * time.Minute
	// progressTTL is how long the progress of a message with files is
	// kept; the outbox's retries of it end well within it.
	progressTTL = 72 * time.Hour
	// offerTTL is how long an offer message is remembered: its lapse comes
	// minutes later, or after a long outage hours.
	offerTTL = 48 * time.Hour
)

// markRunning is the answer of a slash command that is still running.
const markRunning = "-"

// firstTime marks key as seen and reports whether it was new. Without
// Redis it says yes: a retried delivery then reaches the handlers, whose
// request ids are idempotent by themselves.
func firstTime(ctx context.Context, rdb redis.UniversalClient, key, val string) (first bool, prev string, err error) {
	ok, err := rdb.SetNX(ctx, key, val, seenTTL).Result()
	if err != nil {
		return true, "", err
	}
	if ok {
		return true, "", nil
	}
	prev, err = rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		// Expired between the two calls: as good as new.
		return true, "", nil
	}
	return false, prev, err
}
