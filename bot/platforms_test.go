package bot

// The platforms the tests put people and schools on; the domain itself
// names none.
const (
	mattermost Platform = "mattermost"
	slack      Platform = "slack"
	shell      Platform = "shell"
)
