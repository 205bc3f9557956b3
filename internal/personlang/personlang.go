// Package personlang picks the language one person reads, at a school that
// allows more than one: the locale of their own Slack or Mattermost account,
// kept in Redis under the person's pseudonym. Only the first command of a
// day waits on the platform's API (at most Timeout) to see a changed
// locale; what was kept lasts Keep, so messages sent to the person weeks
// later (a survey) are in it too.
package personlang

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
)

const (
	// Fresh is how long a kept language is taken without asking the
	// platform again: a changed locale is seen the next day.
	Fresh = 24 * time.Hour
	// Keep is how long a person's language is kept after it was last
	// asked: longer than a quarter, the longest a survey goes out after
	// someone's last command (bot.SurveysDue).
	Keep = 100 * 24 * time.Hour
	// Timeout bounds the platform call on a command's path: a slow API
	// costs the person their language once, never the command.
	Timeout = 300 * time.Millisecond
)

// FromLocale maps a platform locale ("nl", "nl-NL", "en-US", "en_GB") to
// hulpbot's languages; "" for any other.
func FromLocale(locale string) string {
	l := strings.ToLower(strings.TrimSpace(locale))
	switch {
	case strings.HasPrefix(l, "nl"):
		return "nl"
	case strings.HasPrefix(l, "en"):
		return "en"
	}
	return ""
}

// Fetch asks the platform for the person's locale.
type Fetch func(ctx context.Context) (locale string, err error)

// Cache keeps each person's language ("nl" or "en", nothing else) in
// Redis under prefix:lang:<pseudonym>. Safe for concurrent use.
type Cache struct {
	rdb    redis.UniversalClient
	prefix string
	names  *pseudonym.Keyring
	log    *slog.Logger
}

// New returns a Cache; a nil rdb or names keeps nothing, so every lookup
// asks the platform.
func New(rdb redis.UniversalClient, prefix string, names *pseudonym.Keyring, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cache{rdb: rdb, prefix: prefix, names: names, log: log}
}

// School is sc as person who (an account's identity, e.g.
// "mattermost:anne") reads it. A school with one language never calls
// fetch; otherwise the language kept less than Fresh ago, else fetch's
// within Timeout, else (an error) the language kept before, else (nothing
// kept, a locale hulpbot does not speak) the school's own.
func (c *Cache) School(ctx context.Context, sc *bot.School, who string, fetch Fetch) *bot.School {
	if c == nil || sc == nil || len(sc.Languages()) < 2 || who == "" {
		return sc
	}
	key := c.key(ctx, who)
	var kept string
	if key != "" {
		// How long ago it was asked is what its TTL has run down from
		// Keep: one key, one round trip.
		var get *redis.StringCmd
		var ttl *redis.DurationCmd
		_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			get, ttl = p.Get(ctx, key), p.TTL(ctx, key)
			return nil
		})
		switch {
		case err == nil && Keep-ttl.Val() < Fresh:
			return sc.Speaking(get.Val())
		case err == nil:
			kept = get.Val()
		case !errors.Is(err, redis.Nil):
			c.log.Warn("person's language: redis", "school", sc.ID, "err", err)
		}
	}
	fctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	locale, err := fetch(fctx)
	if err != nil {
		// Not kept anew: the next command asks again.
		c.log.Warn("person's language: platform", "school", sc.ID, "err", err)
		return sc.Speaking(kept)
	}
	lang := FromLocale(locale)
	if lang == "" {
		lang = sc.Language
	}
	if key != "" {
		if err := c.rdb.Set(ctx, key, lang, Keep).Err(); err != nil {
			c.log.Warn("person's language: redis", "school", sc.ID, "err", err)
		}
	}
	return sc.Speaking(lang)
}

// Known is the language kept for who, if any: for texts sent to a person
// later, which never wait on the platform.
func (c *Cache) Known(ctx context.Context, who string) (string, bool) {
	if c == nil {
		return "", false
	}
	key := c.key(ctx, who)
	if key == "" {
		return "", false
	}
	v, err := c.rdb.Get(ctx, key).Result()
	if err != nil || (v != "nl" && v != "en") {
		return "", false
	}
	return v, true
}

func (c *Cache) key(ctx context.Context, who string) string {
	if c.rdb == nil || c.names == nil {
		return ""
	}
	p, err := c.names.Of(ctx, who)
	if err != nil {
		c.log.Warn("person's language: no pseudonym", "err", err)
		return ""
	}
	return c.prefix + ":lang:" + p
}
