package main

// The ceiling (-scenario ceiling) is the least any /hulp intake must do,
// served on its own so scripts/bench.sh can load it with wrk beside
// hulpbot, in the same run and with the same requests: what hulpbot
// reaches is then read as a share of what this machine allows at all.
//
//	-mode=bare    parse the POSTed form and answer; no I/O
//	-mode=redis   the same, plus one EVALSHA per request (pickLua: ZRANGE + HSET)
//	-mode=notify  the same as redis, plus one synchronous JSON POST to
//	              -notify-url (the chat API), waiting for its answer
//	-mode=sink    the stand-in chat API for notify: answers every request
//	              200 {"ok":true}
//
// Each mode must stay exactly this small: adding anything here raises the
// bar hulpbot is measured against.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// The modes of the ceiling.
const (
	ceilingBare   = "bare"
	ceilingRedis  = "redis"
	ceilingNotify = "notify"
	ceilingSink   = "sink"
)

// pickLua is the one round trip of the redis and notify modes: the first
// helper of a group's availability set, and the request record naming
// them — one read and one write, the least a request for help changes in
// the store. KEYS[1] is the availability set, KEYS[2] the request's hash,
// ARGV[1] the time in ms.
const pickLua = `
local h = redis.call('ZRANGE', KEYS[1], 0, 0)
if #h == 0 then
  return false
end
local helper = h[1]
redis.call('HSET', KEYS[2], 'helper', helper, 'ts', ARGV[1], 'state', 'notified')
return helper
`

// ceilingPrefix is the key prefix of the ceiling's keys on a command-line
// run: one set of helpers and at most ceilingRecords request hashes.
const ceilingPrefix = "hlceiling:"

// ceilingRecords bounds the request hashes a run writes: the ids wrap, so
// a long run overwrites old records instead of filling Redis.
const ceilingRecords = 100000

// ceilingHelpers is how many helpers the availability set is seeded with.
const ceilingHelpers = 10

// ceilingAnswer is what every accepted command gets: an ephemeral reply,
// as hulpbot gives.
const ceilingAnswer = `{"response_type":"ephemeral","text":"ok"}`

// ceiling serves slash commands in the bare, redis or notify mode.
type ceiling struct {
	mode   string
	rdb    redis.UniversalClient // nil in bare mode
	script *redis.Script
	prefix string
	notify string       // the chat API's URL (notify mode)
	hc     *http.Client // for the chat API (notify mode)
	seq    atomic.Uint64
}

// newCeiling makes a ceiling in mode on rdb (unused in bare mode), with
// its keys under prefix, POSTing to notifyURL in notify mode.
func newCeiling(mode string, rdb redis.UniversalClient, prefix, notifyURL string) *ceiling {
	c := &ceiling{mode: mode, prefix: prefix, notify: notifyURL}
	if mode == ceilingBare {
		return c
	}
	c.rdb, c.script = rdb, redis.NewScript(pickLua)
	if mode == ceilingNotify {
		// As many idle connections as wrk keeps requests in flight, so the
		// POSTs reuse connections instead of dialling the sink each time.
		c.hc = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}, Timeout: 5 * time.Second}
	}
	return c
}

// prepare loads the script and seeds the helpers before the first request,
// so that every request, the first included, costs exactly one EVALSHA.
func (c *ceiling) prepare(ctx context.Context) error {
	if c.rdb == nil {
		return nil
	}
	if err := c.script.Load(ctx, c.rdb).Err(); err != nil {
		return fmt.Errorf("load the script: %w", err)
	}
	helpers := make([]redis.Z, ceilingHelpers)
	for i := range helpers {
		helpers[i] = redis.Z{Score: float64(i + 1), Member: "U" + strconv.Itoa(i+1)}
	}
	if err := c.rdb.ZAdd(ctx, c.availKey(), helpers...).Err(); err != nil {
		return fmt.Errorf("seed the helpers: %w", err)
	}
	return nil
}

func (c *ceiling) availKey() string { return c.prefix + "helpers:avail:g5" }

func (c *ceiling) requestKey(id uint64) string {
	return c.prefix + "req:" + strconv.FormatUint(id, 10)
}

// ServeHTTP answers one slash command. Failures are answered, not logged:
// under load a log line per failure would cost more than the request, and
// wrk counts the non-2xx answers.
func (c *ceiling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a slash command", http.StatusMethodNotAllowed)
		return
	}
	if err := checkCommand(r); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if c.rdb != nil {
		helper, err := c.pick(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if c.hc != nil {
			if err := c.tell(r.Context(), helper); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, ceilingAnswer)
}

// checkCommand parses the form and checks that it is a /hulp from a
// workspace: the parsing is the part of the work every intake shares.
func checkCommand(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("form: %w", err)
	}
	if r.PostForm.Get("command") != "/hulp" || r.PostForm.Get("team_id") == "" {
		return errors.New("not a /hulp command from a workspace")
	}
	return nil
}

// pick runs the script once: the helper it names, recorded in a request
// hash of its own.
func (c *ceiling) pick(ctx context.Context) (string, error) {
	id := c.seq.Add(1) % ceilingRecords
	keys := []string{c.availKey(), c.requestKey(id)}
	// Run is EVALSHA, falling back to EVAL only if Redis lost the script
	// (prepare loaded it).
	helper, err := c.script.Run(ctx, c.rdb, keys, time.Now().UnixMilli()).Text()
	if errors.Is(err, redis.Nil) {
		return "", errors.New("pick a helper: none available")
	}
	if err != nil {
		return "", fmt.Errorf("pick a helper: %w", err)
	}
	return helper, nil
}

// chatPost is the message the notify mode sends the helper.
type chatPost struct {
	Channel string `json:"channel"`
	Text    string `json:"text"`
}

// tell POSTs the helper's message to the chat API and waits for its 200:
// the delivery every request for help needs, done synchronously as the
// cheapest way to do it.
func (c *ceiling) tell(ctx context.Context, helper string) error {
	body, err := json.Marshal(chatPost{Channel: helper, Text: "Hulp gevraagd in groep 5"})
	if err != nil {
		return fmt.Errorf("tell the helper: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.notify, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("tell the helper: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("tell the helper: %w", err)
	}
	defer resp.Body.Close()
	// Read to the end, or the connection is not reused.
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("tell the helper: chat API answered %s", resp.Status)
	}
	return nil
}

// sink is the stand-in chat API of the notify mode: every request is a
// message delivered.
type sink struct {
	posts atomic.Int64
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Read the body to the end so the caller's connection is reused.
	_, _ = io.Copy(io.Discard, r.Body)
	s.posts.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// checkCeiling checks the ceiling's flags.
func checkCeiling(o Options) error {
	switch o.Mode {
	case ceilingBare, ceilingRedis, ceilingSink:
		return nil
	case ceilingNotify:
		if o.NotifyURL == "" {
			return errors.New("-mode=notify needs -notify-url: the chat API to POST to (a -scenario ceiling -mode=sink)")
		}
		return nil
	}
	return fmt.Errorf("-mode %q: want bare, redis, notify or sink", o.Mode)
}

// runCeiling serves the ceiling in o.Mode on o.Listen until ctx ends or
// o.Duration has passed.
func runCeiling(ctx context.Context, o Options, log *slog.Logger) error {
	if o.Mode == ceilingSink {
		s := &sink{}
		err := serveFor(ctx, o.Listen, s, o.Duration, log.With("mode", o.Mode))
		log.Info("sink stopped", "posts", s.posts.Load())
		return err
	}
	if o.WrkFile != "" {
		// The ceiling checks no signature, but takes the same lines as
		// hulpbot, so one file serves both (wrk.lua).
		respond := func(id string) string { return "http://" + o.Listen + "/response/" + id }
		if err := writeCommands(o.WrkFile, o.Schools, "ceiling"+randomHex(8), respond, o.WrkRequests); err != nil {
			return fmt.Errorf("write %s: %w", o.WrkFile, err)
		}
	}
	var rdb redis.UniversalClient
	if o.Mode != ceilingBare {
		client, stop, err := ceilingStore(o, log)
		if err != nil {
			return err
		}
		defer stop()
		rdb = client
	}
	c := newCeiling(o.Mode, rdb, ceilingPrefix, o.NotifyURL)
	if err := c.prepare(ctx); err != nil {
		return err
	}
	err := serveFor(ctx, o.Listen, c, o.Duration, log.With("mode", o.Mode))
	log.Info("ceiling stopped", "mode", o.Mode, "script_runs", c.seq.Load())
	if c.hc != nil {
		c.hc.CloseIdleConnections()
	}
	return err
}

// ceilingStore connects to the Redis -redis names, or starts a
// redis-server of its own (AOF everysec, as the other scenarios) when it
// names none. stop closes the client, removes the ceiling's keys from a
// Redis given with -redis (with -tidy), and stops an own server.
func ceilingStore(o Options, log *slog.Logger) (*redis.Client, func(), error) {
	if o.RedisURL != "" {
		rdb, err := dialRedis(o.RedisURL)
		if err != nil {
			return nil, nil, err
		}
		return rdb, func() {
			if o.Tidy {
				removeCeilingKeys(rdb, log)
			}
			_ = rdb.Close()
		}, nil
	}
	dir, err := os.MkdirTemp("", "hulpload-ceiling-")
	if err != nil {
		return nil, nil, err
	}
	own, err := startRedis(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	log.Info("redis started", "url", own.url, "aof", "everysec")
	stopOwn := func() {
		own.stop(5 * time.Second)
		os.RemoveAll(dir)
	}
	rdb, err := dialRedis(own.url)
	if err != nil {
		stopOwn()
		return nil, nil, err
	}
	return rdb, func() { _ = rdb.Close(); stopOwn() }, nil
}

// dialRedis connects to url and checks that Redis answers. The URL may set
// the pool (redis://…/0?pool_size=N); go-redis' default is 10 per CPU.
func dialRedis(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("-redis: %w", err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis %s: %w", redactURL(url, false), err)
	}
	return rdb, nil
}

// removeCeilingKeys deletes the ceiling's keys, for at most 30 s, so a run
// against a Redis in use leaves nothing behind.
func removeCeilingKeys(rdb *redis.Client, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := 0
	iter := rdb.Scan(ctx, 0, ceilingPrefix+"*", 1000).Iterator()
	var batch []string
	flush := func() {
		if len(batch) > 0 {
			_ = rdb.Unlink(ctx, batch...).Err()
			n += len(batch)
			batch = batch[:0]
		}
	}
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 500 {
			flush()
		}
	}
	flush()
	log.Info("removed the ceiling's keys", "prefix", ceilingPrefix, "keys", n)
}

// serveFor serves h on addr until ctx ends or d has passed, then shuts the
// server down, giving requests in flight 5 s.
func serveFor(ctx context.Context, addr string, h http.Handler, d time.Duration, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "limit", d)

	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}
