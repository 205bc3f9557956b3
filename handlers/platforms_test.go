package handlers

import "github.com/hulpbot/hulpbot/internal/testschool"

// The platforms the tests put people and schools on.
const (
	mattermost = testschool.Mattermost
	slack      = testschool.Slack
	shell      = testschool.Shell
)
