package httpserve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// start serves h with lim on a loopback port until the test ends.
func start(t *testing.T, h http.Handler, lim Limits, errorLog *log.Logger) string {
	t.Helper()
	srv, err := Listen("127.0.0.1:0", Options{Handler: h, Limits: lim, ErrorLog: errorLog})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background()) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv.Addr().String()
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, "ok")
})

// slow opens a connection that sends what and then nothing more.
func slow(t *testing.T, addr, what string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := io.WriteString(c, what); err != nil {
		t.Fatal(err)
	}
	return c
}

// closedWithin reports whether the server closed c within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c) // a 408 or 400 the server sends first is read too
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func get(t *testing.T, url string) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	c := http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), time.Since(start)
}

const slowHeaders = "GET / HTTP/1.1\r\nHost: x\r\n"
const slowBody = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\nab"

var roomy = Limits{ReadHeaderTimeout: time.Minute, ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute, MaxHeaderBytes: 4096}

// TestLimitEvictsTheStalest: a listener full of clients that send nothing
// more still answers a new one at once, and the connection it closed for
// it is the one that waited longest.
func TestLimitEvictsTheStalest(t *testing.T) {
	lim := roomy
	lim.MaxConns = 8
	addr := start(t, ok, lim, nil)
	var conns []net.Conn
	for i := range lim.MaxConns {
		what := slowHeaders
		if i%2 == 1 {
			what = slowBody
		}
		conns = append(conns, slow(t, addr, what))
		time.Sleep(5 * time.Millisecond) // distinct ages
	}
	time.Sleep(50 * time.Millisecond) // all accepted and their headers read
	if body, took := get(t, "http://"+addr+"/"); body != "ok" || took > time.Second {
		t.Fatalf("GET with the listener full = %q in %s, want ok within 1s", body, took)
	}
	if !closedWithin(conns[0], time.Second) {
		t.Error("the oldest slow connection is still open")
	}
	for i, c := range conns[2:] {
		if closedWithin(c, 50*time.Millisecond) {
			t.Errorf("slow connection %d was closed too; only the stalest should be", i+2)
		}
	}
}

// TestLimitHoldsUnderAFlood: a thousand slow connections on a listener of
// 32 leave it at most 32 open, and a new client is answered.
func TestLimitHoldsUnderAFlood(t *testing.T) {
	lim := roomy
	lim.MaxConns = 32
	srv, err := Listen("127.0.0.1:0", Options{Handler: ok, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(context.Background()) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := srv.Addr().String()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 125 {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.WriteString(c, slowBody)
				_ = c.Close() // the client's side: the server's side is what counts
			}
		})
	}
	wg.Wait()
	if body, took := get(t, "http://"+addr+"/"); body != "ok" || took > time.Second {
		t.Fatalf("GET after the flood = %q in %s, want ok within 1s", body, took)
	}
	srv.ln.mu.Lock()
	open := len(srv.ln.conns)
	srv.ln.mu.Unlock()
	if open > lim.MaxConns {
		t.Errorf("%d connections open, want at most %d", open, lim.MaxConns)
	}
}

// TestTimeouts: a client that stops sending its headers or its body is cut
// off after the read timeouts; headers over the cap are refused.
func TestTimeouts(t *testing.T) {
	lim := Limits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond,
		WriteTimeout: time.Second, IdleTimeout: 300 * time.Millisecond, MaxHeaderBytes: 4096, MaxConns: 100}
	addr := start(t, ok, lim, nil)
	for _, tc := range []struct{ name, send string }{
		{"slow headers", slowHeaders},
		{"slow body", slowBody},
		{"idle", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := slow(t, addr, tc.send)
			if !closedWithin(c, 2*time.Second) {
				t.Error("still open after 2s")
			}
		})
	}
	t.Run("headers too large", func(t *testing.T) {
		c := slow(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 16<<10)+"\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("got %v %v, want 431", resp, err)
		}
	})
}

// TestErrorLog: net/http's own messages go to the ErrorLog given.
func TestErrorLog(t *testing.T) {
	var buf lockedBuffer
	addr := start(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), Limits{
		ReadHeaderTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second, MaxConns: 4,
	}, log.New(&buf, "", 0))
	if resp, err := http.Get("http://" + addr + "/"); err == nil {
		resp.Body.Close()
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(buf.String(), "http: panic serving") {
		if time.Now().After(deadline) {
			t.Fatalf("ErrorLog got %q, want the panic", buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFitConns(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no open-file limit here")
	}
	if got := FitConns(10, 0); got != 10 {
		t.Errorf("FitConns(10, 0) = %d, want 10", got)
	}
	limit, _ := openFiles()
	if got := FitConns(math.MaxInt32, 100); got != max(limit-100, minConns) {
		t.Errorf("FitConns(MaxInt32, 100) = %d with %d files allowed, want %d", got, limit, max(limit-100, minConns))
	}
	if got := FitConns(math.MaxInt32, limit); got != minConns {
		t.Errorf("FitConns with no files to spare = %d, want %d", got, minConns)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
