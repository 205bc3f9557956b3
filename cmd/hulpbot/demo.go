package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/shell"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/config"
)

// The demo is hulpbot run without -config ("go run ./cmd/hulpbot"). Here
// is all it does differently:
//
//   - the configuration is config.Demo(): one school where anyone may ask
//     for help, Anne and Bram always on duty, Sanne the IB'er; REDIS_URL
//     and HULPBOT_LISTEN are honoured;
//   - Redis is embedded in the process (miniredis) unless REDIS_URL names
//     one; a configured hulpbot refuses to start without a real Redis;
//   - the terminal chat runs, where you type as anyone (/als anne) and see
//     what each would receive; it also runs with -shell, or when a
//     configuration enables no platform;
//   - the outbox delivers in the call that queued a message (Sync), so the
//     chat prints it before the next prompt;
//   - no HTTP listener, and the log says only warnings, to keep the chat
//     readable.

// demo reports whether this run is the demo.
func (m *Main) demo() bool { return m.opts.config == "" }

// demoConfig is the demo's configuration and directory.
func demoConfig(getenv func(string) string) (*config.Config, *bot.Directory, error) {
	cfg := config.Demo()
	cfg.ApplyEnv(getenv) // REDIS_URL, HULPBOT_LISTEN
	dir, err := cfg.Directory()
	if err != nil {
		return nil, nil, err
	}
	return cfg, dir, nil
}

// openRedis connects to the configured Redis, or, in the demo without
// REDIS_URL, to an embedded one.
func (m *Main) openRedis() (redis.UniversalClient, func(), error) {
	if m.demo() && m.cfg.RedisURL == "" {
		return redisstore.OpenEmbedded(m.log)
	}
	return redisstore.Open(m.cfg.RedisURL)
}

// withShell reports whether the terminal chat runs.
func (o options) withShell(cfg *config.Config) bool {
	return o.config == "" || o.shell || (cfg.Mattermost == nil && cfg.Slack == nil)
}

// newChat is the terminal chat for the school with id (the first school
// when id is empty). Input that is not a terminal (a piped script) is
// echoed, so the transcript reads as a conversation.
func newChat(dir *bot.Directory, id string, stdin io.Reader, stdout io.Writer, log *slog.Logger) (*shell.Chat, error) {
	sc, err := shellSchool(dir, id)
	if err != nil {
		return nil, err
	}
	return shell.New(sc, stdout, !isTerminal(stdin), log), nil
}

func shellSchool(dir *bot.Directory, id string) (*bot.School, error) {
	if id == "" {
		if len(dir.Schools()) == 0 {
			return nil, errors.New("no schools configured")
		}
		return dir.Schools()[0], nil
	}
	sc, ok := dir.School(id)
	if !ok {
		return nil, fmt.Errorf("-school %q: no such school", id)
	}
	return sc, nil
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
