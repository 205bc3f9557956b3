package mmbot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/message"
)

// apiError is a failed REST call: what was asked, the HTTP status (0 when
// no answer came) and Mattermost's error id. It never holds message text.
type apiError struct {
	Op     string
	Status int
	ID     string // Mattermost's error id, e.g. "app.user.missing_account.const"
	Err    error
}

func (e *apiError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("mattermost %s: %v", e.Op, e.Err)
	}
	if e.ID != "" {
		return fmt.Sprintf("mattermost %s: HTTP %d (%s)", e.Op, e.Status, e.ID)
	}
	return fmt.Sprintf("mattermost %s: HTTP %d", e.Op, e.Status)
}

func (e *apiError) Unwrap() error { return e.Err }

// newAPIError wraps what a Client4 call returned; nil when it succeeded.
func newAPIError(op string, resp *model.Response, err error) *apiError {
	if err == nil {
		return nil
	}
	e := &apiError{Op: op, Err: err}
	if resp != nil {
		e.Status = resp.StatusCode
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The URL may hold a username (users/username/…): keep it out of
		// errors, which end up in logs.
		e.Err = ue.Err
	}
	var ae *model.AppError
	if errors.As(err, &ae) {
		e.ID = ae.Id
		// The Mattermost client drops the details it can; keep ours free
		// of whatever text the server put in the message.
		e.Err = errors.New(ae.Id)
		if e.Status == 0 {
			e.Status = ae.StatusCode
		}
	}
	return e
}

// status is the HTTP status of a failed call, 0 when none came.
func status(err error) int {
	var e *apiError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// call makes one API call and classifies its failure for the outbox, which
// owns the retries: HTTP 429 is a *message.RetryAfterError with the wait
// Mattermost asked for; 404 and other refusals are permanent; anything
// else (no answer, a timeout, a server error, a refused token) is a plain
// *apiError, worth a later try.
func call(ctx context.Context, op string, f func(context.Context) (*model.Response, error)) error {
	resp, err := f(ctx)
	if err == nil {
		return nil
	}
	e := newAPIError(op, resp, err)
	switch {
	case e.Status == http.StatusTooManyRequests:
		return &message.RetryAfterError{After: retryAfter(resp), Err: e}
	case notFound(e) || refused(e):
		return permanent(e)
	}
	return e
}

// retryAfter reads Retry-After (seconds, or an HTTP date) or Mattermost's
// X-Ratelimit-Reset (seconds); one second when neither is there.
func retryAfter(resp *model.Response) time.Duration {
	if resp == nil || resp.Header == nil {
		return time.Second
	}
	for _, h := range []string{"Retry-After", "X-Ratelimit-Reset"} {
		v := resp.Header.Get(h)
		if v == "" {
			continue
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return max(time.Duration(n)*time.Second, time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(time.Until(t), time.Second)
		}
	}
	return time.Second
}

// permanent marks err as a delivery that can never succeed.
func permanent(err error) error {
	return fmt.Errorf("%w: %w", message.ErrPermanent, err)
}

// notFound reports a 404: no such user, team or channel (or the bot may not
// see it).
func notFound(err error) bool { return status(err) == http.StatusNotFound }

// refused reports a 4xx other than 404, 408 and 429: the request itself is
// wrong or not allowed, and repeating it will not help.
func refused(err error) bool {
	s := status(err)
	return s >= 400 && s < 500 && s != http.StatusNotFound && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests && s != http.StatusUnauthorized
}
