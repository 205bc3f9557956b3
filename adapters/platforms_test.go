package adapters_test

import (
	"testing"

	"github.com/hulpbot/hulpbot/adapters/mmbot"
	"github.com/hulpbot/hulpbot/adapters/shell"
	"github.com/hulpbot/hulpbot/adapters/slackbot"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/config"
)

// TestConfigNamesThePlatformsAsTheAdapters: the configuration puts people
// and schools on platforms by name without importing the adapters, so a
// name that drifted would link accounts no adapter reads.
func TestConfigNamesThePlatformsAsTheAdapters(t *testing.T) {
	for _, tt := range []struct {
		key             string
		config, adapter bot.Platform
	}{
		{"mattermost", config.PlatformMattermost, mmbot.Platform},
		{"slack", config.PlatformSlack, slackbot.Platform},
		{"shell", config.PlatformShell, shell.Platform},
	} {
		if tt.config != tt.adapter {
			t.Errorf("%s: config names %q, the adapter %q", tt.key, tt.config, tt.adapter)
		}
	}
}
