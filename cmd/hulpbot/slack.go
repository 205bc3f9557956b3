package main

import (
	"context"

	slackbot "github.com/hulpbot/hulpbot/adapters/slack"
	"github.com/hulpbot/hulpbot/message"
)

// setupSlack wires the Slack adapter: the HTTP endpoints when a signing
// secret is configured, Socket Mode when an app token is; its background
// work stops when ctx ends.
func setupSlack(ctx context.Context, deps platformDeps) (message.Sender, error) {
	cfg := deps.cfg.Slack
	a, err := slackbot.New(slackbot.Options{
		BotToken:      cfg.BotToken,
		SigningSecret: cfg.SigningSecret,
		APIURL:        cfg.APIURL,
		Dispatcher:    deps.cmds,
		Schools:       deps.dir,
		Redis:         deps.rdb,
		Prefix:        deps.cfg.RedisPrefix,
		Log:           deps.log,
		// Behind the outbox the sender keeps no delivery records of its own:
		// one record per message, not two.
		CallerDeduplicates: deps.outbox,
	})
	if err != nil {
		return nil, err
	}
	if cfg.SigningSecret != "" {
		a.Register(deps.mux)
	}
	// Run delivers click answers (response_url) in the background.
	deps.background(func() { a.Run(ctx) })
	if cfg.AppToken != "" {
		deps.background(func() { a.RunSocketMode(ctx, cfg.AppToken) })
	}
	deps.log.Info("slack adapter ready", "http", cfg.SigningSecret != "", "socket_mode", cfg.AppToken != "")
	// The durable outbox in front of all senders (in a configured
	// deployment) retries; this sender delivers at once, with a short retry
	// of its own.
	return a.Sender(), nil
}
