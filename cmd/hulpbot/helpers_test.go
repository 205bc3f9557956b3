package main

import (
	"bytes"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
)

// testRedisURL is the Redis a test's hulpbot uses: REDIS_URL, or an
// embedded one for this test (a configured hulpbot refuses to start its own).
func testRedisURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://" + miniredis.RunT(t).Addr() + "/0"
}

// freePort is a loopback port nobody listens on at the moment.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// freeAddr is freePort as an address to listen on.
func freeAddr(t *testing.T) string {
	return "127.0.0.1:" + strconv.Itoa(freePort(t))
}

// lockedBuffer collects what a running hulpbot writes (its log) while the
// test reads it.
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
