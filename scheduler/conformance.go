package scheduler

import "github.com/hulpbot/hulpbot/bot"

var _ Offers = (*bot.Service)(nil)
