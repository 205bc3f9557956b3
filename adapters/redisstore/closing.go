package redisstore

import (
	"context"
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// The answers at closing are counters support:<key> and outcome:<key> in
// the week and month hashes of the request; its record notes only that a
// step was answered (fields closing_support, closing_outcome).

//go:embed closing.lua
var closingLua string

var closingScript = sync.OnceValue(func() *redis.Script { return redis.NewScript(libLua + "\n" + closingLua) })

var _ bot.ClosingLog = (*Store)(nil)

// choiceKey is what a closing answer's key may hold: it names a counter.
var choiceKey = regexp.MustCompile(`^[a-z0-9_]{1,20}$`)

// RecordClosing counts the answer of helperID (or of picker, no helper, who
// took the request from the fallback channel) to a step of the closing
// question for the request, once per step (closing.lua).
func (s *Store) RecordClosing(ctx context.Context, now time.Time, school, requestID, helperID, picker string, step bot.ClosingStep, key string) error {
	op := fmt.Sprintf("redisstore: closing %s for request %q", step, requestID)
	if err := checkIDs(school, requestID); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if helperID == "" && picker == "" {
		return fmt.Errorf("%s: %w", op, bot.ErrNotYours)
	}
	switch {
	case step == bot.StepSkip:
		key = ""
	case step != bot.StepSupport && step != bot.StepOutcome:
		return fmt.Errorf("%s: unknown step", op)
	case !choiceKey.MatchString(key):
		return fmt.Errorf("%s: key %q is not a-z, 0-9 and _", op, key)
	}
	_, err := s.run(ctx, op, closingScript(), school, []string{s.key(school, "req:"+requestID)},
		strconv.FormatInt(now.UnixMilli(), 10), helperID, string(step), key, strings.ToLower(picker))
	return err
}
