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

// TestReusesConnections: many calls at once, then again, use the
// connections of the first wave instead of opening new ones.
func TestReusesConnections(t *testing.T) {
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

	c := New(5 * time.Second)
	const perWave = 32
	wave := func() {
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
	wave()
	first := opened.Load()
	for range 5 {
		wave()
	}
	if got := opened.Load(); got != first {
		t.Errorf("connections opened: %d after the first wave, %d after five more; want no new ones", first, got)
	}
	if first > perWave {
		t.Errorf("first wave opened %d connections for %d calls", first, perWave)
	}
}
