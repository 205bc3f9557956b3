package main

import (
	"context"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's CPU, heap and goroutine profiles on their own
// listener, apart from the platform endpoints, so profiling a running
// deployment never exposes them to the chat platforms' side. A CPU profile
// or trace may take a while to write.
func (m *Main) servePprof(addr string) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	lim := m.limits(pprofConns)
	lim.WriteTimeout = max(lim.WriteTimeout, 2*time.Minute)
	srv, err := m.listen("-pprof", addr, mux, lim)
	if err != nil {
		return nil, err
	}
	m.log.Info("profiles", "addr", srv.Addr().String())
	go func() { _ = srv.Serve(context.Background()) }()
	return func() { _ = srv.Close() }, nil
}
