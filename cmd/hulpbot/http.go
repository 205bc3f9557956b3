package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/httpserve"
)

// The connections each listener holds at most, besides the platform
// listener's (http.max_connections), and the files the process keeps open
// besides its listeners' connections (Redis's pool, the platforms' API
// clients, the log), with room. The platform listener gets what the
// open-file limit leaves after these.
const (
	internalConns = 64
	pprofConns    = 16
	otherFiles    = 256
)

// routes are the platform listener's endpoints: health, and the platforms
// add theirs.
func routes(store *redisstore.Store) *http.ServeMux {
	mux := http.NewServeMux()
	health(mux, store)
	return mux
}

// internalRoutes are the internal listener's (metrics_listen): /metrics,
// kept off the public port, and health.
func internalRoutes(store *redisstore.Store, reg *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	health(mux, store)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

func health(mux *http.ServeMux, store *redisstore.Store) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
}

// serve listens on listen (the platform endpoints) and metrics_listen
// (metrics) and serves them in the background; Wait sees one fail, Close
// shuts them down. Requests' contexts derive from ctx.
func (m *Main) serve(ctx context.Context, platform, internal http.Handler) error {
	want := m.cfg.HTTP.MaxConnections
	maxConns := httpserve.FitConns(want, otherFiles+internalConns+pprofConns)
	if maxConns < want {
		m.log.Warn("http.max_connections lowered to fit the open-file limit (ulimit -n)",
			"configured", want, "max_connections", maxConns)
	}
	for _, l := range []struct {
		name, field, addr string
		h                 http.Handler
		maxConns          int
	}{
		{"serving", "listen", m.cfg.Listen, platform, maxConns},
		{"serving metrics", "metrics_listen", m.cfg.MetricsListen, internal, internalConns},
	} {
		srv, err := m.listen(l.field, l.addr, l.h, m.limits(l.maxConns))
		if err != nil {
			return err
		}
		m.servers = append(m.servers, srv)
		m.log.Info(l.name, "addr", srv.Addr().String(), "max_connections", l.maxConns)
	}
	m.serveErr = make(chan error, len(m.servers))
	for _, srv := range m.servers {
		go func() { m.serveErr <- srv.Serve(ctx) }()
	}
	return nil
}

// limits are the configured http limits for a listener of maxConns.
func (m *Main) limits(maxConns int) httpserve.Limits {
	h := m.cfg.HTTP
	return httpserve.Limits{
		ReadHeaderTimeout: min(5*time.Second, h.ReadTimeout.Duration),
		ReadTimeout:       h.ReadTimeout.Duration,
		WriteTimeout:      h.WriteTimeout.Duration,
		IdleTimeout:       h.IdleTimeout.Duration,
		MaxHeaderBytes:    h.MaxHeaderBytes,
		MaxConns:          maxConns,
	}
}

// listen opens a listener for h with net/http's own messages in the log;
// an error names the setting of addr.
func (m *Main) listen(setting, addr string, h http.Handler, lim httpserve.Limits) (*httpserve.Server, error) {
	log := m.log.With("component", "http")
	srv, err := httpserve.Listen(addr, httpserve.Options{Handler: h, Limits: lim, ErrorLog: httpErrorLog(log), Log: log})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", setting, err)
	}
	return srv, nil
}

// shutdown stops the listeners: no new connections, running requests
// finish (for up to ten seconds).
func (m *Main) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range m.servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	m.servers = nil
	return errors.Join(errs...)
}

// maxHTTPMessage caps what one of net/http's messages puts in the log: a
// message may quote what a client sent (a panic's value, say).
const maxHTTPMessage = 4000

// httpErrorLog passes net/http's own messages (an accept that failed, a
// handler's panic) to log as warnings, so that a JSON log stays JSON.
func httpErrorLog(log *slog.Logger) *stdlog.Logger {
	return stdlog.New(errorLogWriter{log}, "", 0)
}

type errorLogWriter struct{ log *slog.Logger }

func (w errorLogWriter) Write(p []byte) (int, error) {
	msg, _ := bot.CapRunes(strings.TrimSuffix(string(p), "\n"), maxHTTPMessage)
	w.log.Warn("net/http", "err", msg)
	return len(p), nil
}
