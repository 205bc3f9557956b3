package handlers

import (
	"errors"
	"fmt"
	"time"
)

// ErrPermanent marks a delivery that can never succeed (an unknown user, a
// channel the bot may not post in): retrying it is pointless. A Sender wraps
// it; any other error is retried with backoff.
var ErrPermanent = errors.New("permanent delivery failure")

// RetryAfterError is a delivery the platform asked to repeat no sooner than
// After (HTTP 429 Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }
