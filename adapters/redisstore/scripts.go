package redisstore

import (
	_ "embed"

	"github.com/redis/go-redis/v9"
)

// The scripts share lib.lua (key names, counters and choose, the routing
// rule), prepended here so there is one copy of each rule.
var (
	//go:embed lib.lua
	libLua string
	//go:embed create_offer.lua
	createOfferLua string
	//go:embed release.lua
	releaseLua string
	//go:embed hold_story.lua
	holdStoryLua string
	//go:embed decide_story.lua
	decideStoryLua string
	//go:embed accept.lua
	acceptLua string
	//go:embed advance.lua
	advanceLua string
	//go:embed resolve.lua
	resolveLua string
	//go:embed cancel.lua
	cancelLua string
	//go:embed set_status.lua
	setStatusLua string
	//go:embed prune_deadlines.lua
	pruneDeadlinesLua string
	//go:embed pickup.lua
	pickupLua string
	//go:embed claim_followups.lua
	claimFollowUpsLua string
	//go:embed migrate_helpers.lua
	migrateHelpersLua string
	//go:embed confirm_late.lua
	confirmLateLua string
	//go:embed migrate_mine.lua
	migrateMineLua string
	//go:embed close_unpicked.lua
	closeUnpickedLua string
)

// scripts are the state changes of the store. redis.Script.Run sends
// EVALSHA and falls back to EVAL when the server does not know the script
// yet (after a restart or failover).
type scripts struct {
	createOffer, release, holdStory, decideStory, accept, advance, resolve, cancel, setStatus, pruneDeadlines, pickup, claimFollowUps, migrateHelpers, confirmLate, migrateMine, closeUnpicked *redis.Script
}

func newScripts() scripts {
	mk := func(src string) *redis.Script { return redis.NewScript(libLua + "\n" + src) }
	return scripts{
		createOffer:    mk(createOfferLua),
		release:        mk(releaseLua),
		holdStory:      mk(holdStoryLua),
		decideStory:    mk(decideStoryLua),
		accept:         mk(acceptLua),
		advance:        mk(advanceLua),
		resolve:        mk(resolveLua),
		cancel:         mk(cancelLua),
		setStatus:      mk(setStatusLua),
		pruneDeadlines: mk(pruneDeadlinesLua),
		pickup:         mk(pickupLua),
		claimFollowUps: mk(claimFollowUpsLua),
		migrateHelpers: mk(migrateHelpersLua),
		confirmLate:    mk(confirmLateLua),
		migrateMine:    mk(migrateMineLua),
		closeUnpicked:  mk(closeUnpickedLua),
	}
}
