package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/mmbot"
	"github.com/hulpbot/hulpbot/adapters/slackbot"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
	"github.com/hulpbot/hulpbot/message"
)

// platformDeps is what a chat platform adapter is wired with.
type platformDeps struct {
	cfg  *config.Config
	dir  *bot.Directory
	cmds *handlers.Handler // commands and clicks go here
	rdb  redis.UniversalClient
	// names name the Redis keys of people's languages.
	names  *pseudonym.Keyring
	log    *slog.Logger
	mux    *http.ServeMux // the adapter adds its endpoints
	getenv func(string) string
	// background runs an adapter's goroutine; main waits for them all to
	// end (after their context) before it closes Redis.
	background func(func())
}

// platform is one chat platform: when the configuration enables it, setup
// registers its endpoints on deps.mux and returns how to send to its users.
type platform struct {
	name    bot.Platform
	enabled func(*config.Config) bool
	setup   func(ctx context.Context, deps platformDeps) (message.Sender, error)
}

var platforms = []platform{
	{name: mmbot.Platform, enabled: func(c *config.Config) bool { return c.Mattermost != nil }, setup: setupMattermost},
	{name: slackbot.Platform, enabled: func(c *config.Config) bool { return c.Slack != nil }, setup: setupSlack},
}
