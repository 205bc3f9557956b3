// Package httpserve serves HTTP so that slow, idle or many clients cannot
// take what the process needs: every request has read and write deadlines,
// headers are bounded, and a listener holds at most a set number of
// connections. A connection over that number takes the place of the one
// that has waited on its client the longest (a client that trickles its
// headers or body, or an idle keep-alive), so a flood of slow connections
// costs the process no more file descriptors than the limit, and a new
// client is still answered.
package httpserve

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Limits bound what one listener's clients can hold.
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the end
	// of its answer: reading the body, the handler and writing.
	WriteTimeout time.Duration
	// IdleTimeout is how long a keep-alive connection waits for its next
	// request.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps a request's headers.
	MaxHeaderBytes int
	// MaxConns caps the connections open at once.
	MaxConns int
}

// Options are a server's handler, limits and logs.
type Options struct {
	Handler http.Handler
	Limits  Limits
	// ErrorLog receives net/http's own messages (accept errors, panics).
	ErrorLog *log.Logger
	// Log says, at most once a minute, that connections were closed to stay
	// within MaxConns.
	Log *slog.Logger
}

// Server is one listener and the HTTP server on it.
type Server struct {
	srv *http.Server
	ln  *listener
}

// Listen listens on addr; Serve serves on it.
func Listen(addr string, o Options) (*Server, error) {
	if o.Limits.MaxConns < 1 {
		return nil, fmt.Errorf("listen %s: MaxConns %d: want at least 1", addr, o.Limits.MaxConns)
	}
	inner, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	ln := &listener{Listener: inner, max: o.Limits.MaxConns, conns: map[*conn]struct{}{},
		log: o.Log, addr: inner.Addr().String()}
	lim := o.Limits
	srv := &http.Server{
		Handler:           o.Handler,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ErrorLog:          o.ErrorLog,
		ConnState:         ln.connState,
	}
	return &Server{srv: srv, ln: ln}, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve serves until Shutdown or Close; it then returns
// http.ErrServerClosed. Requests' contexts derive from ctx.
func (s *Server) Serve(ctx context.Context) error {
	s.srv.BaseContext = func(net.Listener) context.Context { return ctx }
	return s.srv.Serve(s.ln)
}

// Shutdown stops accepting, closes idle connections and waits for running
// requests until ctx ends. A server that never served closes its listener.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	_ = s.ln.Listener.Close() // closed already if it served
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	err := s.srv.Close()
	_ = s.ln.Listener.Close()
	return err
}

// listener counts its open connections and keeps them at most max.
type listener struct {
	net.Listener
	max  int
	log  *slog.Logger
	addr string

	mu       sync.Mutex
	conns    map[*conn]struct{}
	evicted  int       // since the last report
	reported time.Time // when the log last said so
}

// reportEvery spaces the log's reports of evictions: a flood of
// connections must not become a flood of log lines.
const reportEvery = time.Minute

func (l *listener) Accept() (net.Conn, error) {
	inner, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &conn{Conn: inner, l: l}
	c.waiting.Store(time.Now().UnixNano())
	l.mu.Lock()
	var victim *conn
	if len(l.conns) >= l.max {
		victim = l.stalest()
		l.evicted++
	}
	l.conns[c] = struct{}{}
	var report int
	if l.evicted > 0 && time.Since(l.reported) >= reportEvery {
		report, l.evicted, l.reported = l.evicted, 0, time.Now()
	}
	l.mu.Unlock()
	if victim != nil {
		_ = victim.Close()
	}
	if report > 0 {
		l.log.Warn("connection limit reached: the connections that waited longest on their clients were closed",
			"addr", l.addr, "max_connections", l.max, "closed", report)
	}
	return c, nil
}

// stalest is the connection that has waited longest on its client: since
// it was accepted, its last request's headers arrived, or it went idle.
// A request being answered started recently, so a flood of slow clients
// loses its oldest members first. Called with mu held.
func (l *listener) stalest() *conn {
	var old *conn
	var oldest int64
	for c := range l.conns {
		if w := c.waiting.Load(); old == nil || w < oldest {
			old, oldest = c, w
		}
	}
	return old
}

// connState marks when a connection last moved: accepted, its request's
// headers read, or idle after an answer.
func (l *listener) connState(nc net.Conn, s http.ConnState) {
	if c, ok := nc.(*conn); ok && (s == http.StateNew || s == http.StateActive || s == http.StateIdle) {
		c.waiting.Store(time.Now().UnixNano())
	}
}

func (l *listener) remove(c *conn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}

// conn is a counted connection; its slot is free once it is closed.
type conn struct {
	net.Conn
	l       *listener
	waiting atomic.Int64 // unix nanoseconds, see stalest
	once    sync.Once
	err     error
}

func (c *conn) Close() error {
	c.once.Do(func() {
		c.err = c.Conn.Close()
		c.l.remove(c)
	})
	return c.err
}
