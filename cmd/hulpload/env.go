package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"gopkg.in/yaml.v3"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/config"
)

// Env is one hulpbot under load: the fake Slack it delivers to, the
// process (started here or already running), and the Redis it uses.
type Env struct {
	Layout Layout
	Target string // hulpbot's base URL
	// Metrics is the base URL of hulpbot's internal listener (/metrics).
	Metrics string
	Fake    *Fake
	PID     int // 0 when unknown (a running hulpbot without -pid)
	Dir     string

	bot *child
	rdb redis.UniversalClient
	// tidy: remove the run's keys from Redis at the end (a Redis that is
	// not hulpload's own).
	tidy bool
	hc   *http.Client
	log  *slog.Logger

	trig atomic.Int64
}

// EnvOptions say how to get a hulpbot to measure.
type EnvOptions struct {
	Hulpbot  string // binary to start; "" with Target
	Target   string // base URL of a running hulpbot
	PID      int    // its pid, for RSS and CPU
	Config   string // the configuration a running hulpbot was started with
	FakeAddr string // where the fake Slack listens
	LogLevel string // hulpbot's -log-level
	Delay    time.Duration
	Dir      string
	Conns    int
	// Tidy removes the keys under the run's prefix when the env closes.
	Tidy bool
}

// readConfig reads back a configuration hulpload generated, for a hulpbot
// that is already running.
func readConfig(path string) (Layout, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Layout{}, err
	}
	var c yamlConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		return Layout{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(c.Schools) == 0 {
		return Layout{}, fmt.Errorf("%s: no schools", path)
	}
	l := Layout{
		Schools: len(c.Schools), Helpers: len(c.Schools[0].Helpers), Listen: c.Listen, MetricsListen: c.MetricsListen,
		RedisURL: c.RedisURL, RedisPrefix: c.RedisPrefix, Secret: c.Slack.SigningSecret, APIURL: c.Slack.APIURL,
	}
	l.OfferTimeout, _ = time.ParseDuration(c.OfferTimeout)
	l.FollowUp, _ = time.ParseDuration(c.FollowUpAfter)
	for i, s := range c.Schools {
		if s.ID != SchoolID(i) || s.SlackTeam != TeamID(i) || len(s.Helpers) != l.Helpers {
			return Layout{}, fmt.Errorf("%s: school %d is not as hulpload -write-config makes it", path, i)
		}
	}
	return l, nil
}

// NewEnv starts (or attaches to) a hulpbot for layout.
func NewEnv(ctx context.Context, l Layout, o EnvOptions, log *slog.Logger) (_ *Env, err error) {
	e := &Env{Layout: l, Dir: o.Dir, log: log, tidy: o.Tidy && o.Target == ""}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	if o.Target != "" {
		u := strings.TrimSuffix(o.Target, "/")
		if err := loopbackURL(u); err != nil {
			return nil, err
		}
		e.Target, e.PID = u, o.PID
		if o.FakeAddr == "" {
			return nil, errors.New("-target needs -config: the fake Slack listens where its api_url says")
		}
	}
	if e.Fake, err = StartFake(o.FakeAddr, o.Delay); err != nil {
		return nil, err
	}
	e.hc = &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: o.Conns + 16, MaxIdleConnsPerHost: o.Conns + 16,
			IdleConnTimeout: time.Minute, DisableCompression: true,
		},
	}
	if o.Target == "" {
		if e.Layout.Listen == "" {
			port, err := freePort()
			if err != nil {
				return nil, err
			}
			e.Layout.Listen = "127.0.0.1:" + strconv.Itoa(port)
		}
		if e.Layout.MetricsListen == "" {
			port, err := freePort()
			if err != nil {
				return nil, err
			}
			e.Layout.MetricsListen = "127.0.0.1:" + strconv.Itoa(port)
		}
		e.Layout.APIURL = e.Fake.APIURL()
		cfg, err := e.Layout.Config()
		if err != nil {
			return nil, err
		}
		path := filepath.Join(e.Dir, "hulpbot.yaml")
		if err := os.WriteFile(path, cfg, 0o600); err != nil {
			return nil, err
		}
		args := []string{"-config", path, "-log-format", "json"}
		if o.LogLevel != "" {
			args = append(args, "-log-level", o.LogLevel)
		}
		e.bot, err = startChild(o.Hulpbot, args, childEnv(), filepath.Join(e.Dir, "hulpbot.log"))
		if err != nil {
			return nil, err
		}
		e.PID = e.bot.pid()
		e.Target = "http://" + e.Layout.Listen
	}
	e.Metrics = "http://" + cmp.Or(e.Layout.MetricsListen, config.DefaultMetricsListen)
	// A first start moves every school into its pool (one Redis round
	// trip per helper): minutes with 10,000 schools on a busy machine.
	started := time.Now()
	if err := waitReady(ctx, e.Target+"/readyz", e.bot, 60*time.Second+time.Duration(e.Layout.Schools)*20*time.Millisecond); err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, filepath.Join(e.Dir, "hulpbot.log"))
	}
	e.log.Info("hulpbot ready", "schools", e.Layout.Schools, "after", time.Since(started).Round(time.Millisecond))
	if e.Layout.RedisURL != "" {
		if e.rdb, _, err = redisstore.Open(e.Layout.RedisURL); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// childEnv is hulpload's environment without what would override the
// generated configuration (HULPBOT_PPROF passes: it only adds a profile
// listener).
func childEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "REDIS_URL" || (strings.HasPrefix(k, "HULPBOT_") && k != "HULPBOT_PPROF") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// loopbackURL refuses a target that is not on this machine.
func loopbackURL(u string) error {
	rest, ok := strings.CutPrefix(u, "http://")
	if !ok {
		return fmt.Errorf("target %q: want http://127.0.0.1:PORT", u)
	}
	host, _, err := net.SplitHostPort(strings.SplitN(rest, "/", 2)[0])
	if err != nil {
		return fmt.Errorf("target %q: %w", u, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("target %q is not on loopback", u)
	}
	return nil
}

// Close stops what the env started.
func (e *Env) Close() {
	if e.bot != nil {
		e.bot.stop(10 * time.Second)
	}
	if e.Fake != nil {
		e.Fake.Close()
	}
	if e.rdb != nil {
		if e.tidy && e.Layout.RedisPrefix != "" {
			e.removeKeys()
		}
		_ = e.rdb.Close()
	}
	if e.hc != nil {
		e.hc.CloseIdleConnections()
	}
}

// removeKeys deletes the keys under the run's prefix, for at most 30 s.
func (e *Env) removeKeys() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n atomic.Int64
	each(ctx, e.rdb, func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, e.Layout.RedisPrefix+":*", 1000).Iterator()
		var batch []string
		flush := func() {
			if len(batch) > 0 {
				// One UNLINK per key: on a cluster the keys of a
				// batch are in many slots.
				_, _ = c.Pipelined(ctx, func(p redis.Pipeliner) error {
					for _, k := range batch {
						p.Unlink(ctx, k)
					}
					return nil
				})
				n.Add(int64(len(batch)))
				batch = batch[:0]
			}
		}
		for iter.Next(ctx) {
			batch = append(batch, iter.Val())
			if len(batch) == 500 {
				flush()
			}
		}
		flush()
		return iter.Err()
	}, false)
	e.log.Info("removed the run's keys", "prefix", e.Layout.RedisPrefix, "keys", n.Load())
}

// Proc reads the hulpbot process's figures; zero without a pid.
func (e *Env) Proc() ProcStats {
	if e.PID == 0 {
		return ProcStats{}
	}
	st, err := readProc(e.PID)
	if err != nil {
		e.log.Warn("cannot read /proc", "pid", e.PID, "err", err)
	}
	return st
}

// RedisCPU is the Redis server's CPU time so far (0 when unknown).
func (e *Env) RedisCPU(ctx context.Context) time.Duration {
	if e.rdb == nil {
		return 0
	}
	d, err := redisCPU(ctx, e.rdb)
	if err != nil {
		e.log.Warn("cannot read redis cpu", "err", err)
	}
	return d
}

// RedisCalls counts the commands the Redis server ran so far, by name
// (nil when unknown).
func (e *Env) RedisCalls(ctx context.Context) map[string]int64 {
	if e.rdb == nil {
		return nil
	}
	m, err := redisCalls(ctx, e.rdb)
	if err != nil {
		e.log.Warn("cannot read redis commandstats", "err", err)
	}
	return m
}

// Reply is hulpbot's answer to a slash command.
type Reply struct {
	Status int
	Text   string
}

// Outcome of a request for help, from the answer's text.
const (
	Offered   = "offered"
	Escalated = "escalated"
	Other     = "other"
)

// outcome tells from the answer to "/hulp groep 5" what became of it.
func (r Reply) outcome() string {
	switch {
	case r.Status != http.StatusOK:
		return Other
	case strings.Contains(r.Text, "doorgezet naar"), strings.Contains(r.Text, "has gone to"):
		return Offered
	case strings.Contains(r.Text, "niemand beschikbaar"), strings.Contains(r.Text, "Nobody is available"):
		return Escalated
	}
	return Other
}

// post sends a signed request to hulpbot.
func (e *Env) post(ctx context.Context, path string, body []byte) (Reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Target+path, bytes.NewReader(body))
	if err != nil {
		return Reply{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	setSignature(req.Header, e.Layout.Secret, time.Now(), body)
	resp, err := e.hc.Do(req)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Reply{Status: resp.StatusCode}, err
	}
	r := Reply{Status: resp.StatusCode}
	if len(b) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		var p struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(b, &p); err == nil {
			r.Text = p.Text
		}
	}
	return r, nil
}

// trigger is a fresh trigger_id, as unique as Slack's.
func (e *Env) trigger() string {
	n := e.trig.Add(1)
	return fmt.Sprintf("%d.%d.hl%s", time.Now().UnixNano()/1e6, n, strconv.FormatInt(n*7919, 36))
}

// Command sends "/hulp <text>" from user in school.
func (e *Env) Command(ctx context.Context, school int, user, name, text string) (Reply, error) {
	trig := e.trigger()
	c := SlashCommand{
		TeamID: TeamID(school), TeamDomain: "school-" + strconv.Itoa(school),
		ChannelID: "C0GROEP5", ChannelName: "groep-5", UserID: user, UserName: name,
		Text: text, ResponseURL: e.Fake.ResponseURL("cmd-" + trig), TriggerID: trig,
	}
	return e.post(ctx, "/slack/command", c.Body())
}

// Press presses a button of a message d that hulpbot sent to user.
func (e *Env) Press(ctx context.Context, school int, user string, d Delivery, b Button) (Reply, error) {
	trig := e.trigger()
	c := Click{
		TeamID: TeamID(school), UserID: user, UserName: strings.ToLower(user),
		ChannelID: d.Channel, MessageTS: d.TS, ActionID: b.ActionID, Value: b.Value,
		ResponseURL: e.Fake.ResponseURL("click-" + trig), TriggerID: trig,
		ActionTS: fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000),
	}
	return e.post(ctx, "/slack/interactivity", c.Body())
}

// schoolOfHelper reads the school number back from a helper's user id.
func schoolOfHelper(user string) (int, bool) {
	if len(user) != 11 || !strings.HasPrefix(user, "UH") {
		return 0, false
	}
	n, err := strconv.Atoi(user[2:7])
	return n, err == nil
}
