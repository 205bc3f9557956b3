package main

import (
	"context"

	"github.com/hulpbot/hulpbot/adapters/slackbot"
	"github.com/hulpbot/hulpbot/message"
)

// setupSlack wires the Slack adapter: the HTTP endpoints when a signing
// secret is configured, Socket Mode when an app token is; its background
// work stops when ctx ends.
func setupSlack(ctx context.Context, deps platformDeps) (message.Sender, error) {
	cfg := deps.cfg.Slack
	tokens, fallback := deps.cfg.SlackBotTokens()
	var install *slackbot.Install
	if id, secret, redirect, ok := deps.cfg.SlackInstall(); ok {
		install = &slackbot.Install{ClientID: id, ClientSecret: secret, RedirectURL: redirect}
	}
	a, err := slackbot.New(slackbot.Options{
		Install:       install,
		Workspaces:    tokens,
		BotToken:      fallback,
		SigningSecret: cfg.SigningSecret,
		APIURL:        cfg.APIURL,
		Dispatcher:    deps.cmds,
		Schools:       deps.dir,
		Redis:         deps.rdb,
		Prefix:        deps.cfg.RedisPrefix,
		Pseudonyms:    deps.names,
		Log:           deps.log,
	})
	if err != nil {
		return nil, err
	}
	if cfg.SigningSecret != "" || install != nil {
		a.Register(deps.mux)
	}
	// Run answers clicks (response_url) in the background.
	deps.background(func() { a.Run(ctx) })
	// A token under the wrong workspace is said at start, not found out
	// from failed deliveries.
	deps.background(func() { a.CheckTokens(ctx) })
	if cfg.AppToken != "" {
		deps.background(func() { a.RunSocketMode(ctx, cfg.AppToken) })
	}
	deps.log.Info("slack adapter ready", "http", cfg.SigningSecret != "", "socket_mode", cfg.AppToken != "",
		"workspace_tokens", len(tokens), "fallback_token", fallback != "", "install", install != nil)
	// The durable outbox in front of all senders retries and de-duplicates;
	// this sender tries once.
	return a.Sender(), nil
}
