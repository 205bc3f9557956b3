// Package apiclient makes the HTTP client hulpbot calls a chat platform's
// API with.
package apiclient

import (
	"net/http"
	"time"
)

// IdleConns is how many connections to one platform host stay open between
// calls. Deliveries run many at a time against the same host (slack.com or
// the Mattermost server); Go's default keeps 2, so under load most calls
// would open, and pay a TLS handshake for, a connection of their own.
const IdleConns = 64

// New returns a client whose calls end after timeout and which keeps
// IdleConns connections per host open for reuse.
func New(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 4 * IdleConns
	t.MaxIdleConnsPerHost = IdleConns
	return &http.Client{Timeout: timeout, Transport: t}
}
