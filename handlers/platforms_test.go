package handlers

import "github.com/hulpbot/hulpbot/bot"

// The platforms the tests put people and schools on, named as their
// adapters name them.
const (
	mattermost bot.Platform = "mattermost"
	slack      bot.Platform = "slack"
	shell      bot.Platform = "shell"
)
