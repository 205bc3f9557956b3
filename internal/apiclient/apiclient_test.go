package apiclient

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReusesConnections: six waves of many calls at once open about one
// wave's worth of connections, where Go's default client opens new ones in
// every wave. The count is bounded, not exact: a wave can overlap fewer calls
// than it makes, and a call may dial while another's connection is on its way
// back to the pool, so a later wave can add one or two.
func TestReusesConnections(t *testing.T) {
	const perWave, waves = 32, 6
	got := connectionsOpened(t, New(5*time.Second), perWave, waves)
	if got > perWave+perWave/4 {
		t.Errorf("%d waves of %d calls opened %d connections; want at most about one wave's worth", waves, perWave, got)
	}

	// The yardstick: Go's default keeps 2 idle connections per host, so
	// the same load opens many times more. If it did not, this test could
	// not tell the two apart.
	def := &http.Client{Timeout: 5 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	if base := connectionsOpened(t, def, perWave, waves); base < 2*perWave {
		t.Fatalf("default client opened only %d connections; the test load does not tell reuse apart", base)
	}
}

// connectionsOpened runs waves of perWave concurrent calls against a fresh
// server and returns how many connections the server saw opened.
func connectionsOpened(t *testing.T, c *http.Client, perWave, waves int) int64 {
	t.Helper()
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(5 * time.Millisecond) // overlap the calls of one wave
		_, _ = io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	defer c.CloseIdleConnections()

	for range waves {
		var wg sync.WaitGroup
		for range perWave {
			wg.Go(func() {
				resp, err := c.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			})
		}
		wg.Wait()
	}
	return opened.Load()
}
