package mmbot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
)

// How long resolved ids are trusted, and how often a miss may trigger a
// new look-up of all teams.
const (
	idTTL          = time.Hour
	teamRefreshGap = 30 * time.Second
	refreshTimeout = 3 * time.Second
)

// teams maps Mattermost team ids to schools. Configuration names teams by
// name (mattermost_team); Mattermost sends both the team's id and its name
// (team_domain) with a command, and only the id with a click. The names
// are resolved to ids through the API and cached; a miss refreshes them
// (at most every teamRefreshGap). While the API cannot be asked, the name
// Mattermost sent is used.
type teams struct {
	api *model.Client4
	dir *bot.Directory
	now func() time.Time

	mu        sync.Mutex
	byID      map[string]*bot.School // team id → school
	idOf      map[string]string      // school id → team id
	refreshed time.Time              // last complete look-up
	failed    map[string]bool        // school ids whose team could not be asked for
}

func newTeams(api *model.Client4, dir *bot.Directory, now func() time.Time) *teams {
	return &teams{api: api, dir: dir, now: now, byID: map[string]*bot.School{}, idOf: map[string]string{}, failed: map[string]bool{}}
}

// school is the school linked to the team a request came from. ok is false
// for a team no school is linked to.
func (t *teams) school(ctx context.Context, teamID, teamName string) (*bot.School, bool) {
	t.mu.Lock()
	sc, ok := t.byID[teamID]
	stale := t.now().Sub(t.refreshed) > teamRefreshGap
	t.mu.Unlock()
	if ok {
		return sc, true
	}
	if stale {
		t.refresh(ctx)
		t.mu.Lock()
		sc, ok = t.byID[teamID]
		t.mu.Unlock()
		if ok {
			return sc, true
		}
	}
	// The id is unknown. If the name matches a school whose team could not
	// be looked up (the API is down, the bot is not in the team yet), trust
	// the name Mattermost sent alongside its verified token.
	if teamName == "" {
		return nil, false
	}
	sc, ok = t.dir.ByTeam(Platform, teamName)
	if !ok {
		return nil, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failed[sc.ID] {
		return sc, true
	}
	return nil, false
}

// teamID is the id of the school's team.
func (t *teams) teamID(ctx context.Context, sc *bot.School) (string, error) {
	t.mu.Lock()
	id, ok := t.idOf[sc.ID]
	t.mu.Unlock()
	if ok {
		return id, nil
	}
	return t.lookup(ctx, sc)
}

// refresh looks up the teams of all schools. A failed look-up is tried
// again at a miss after the gap, not at once.
func (t *teams) refresh(ctx context.Context) {
	// A person is waiting for the answer: a hanging API must not hold it.
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	for _, sc := range t.dir.Schools() {
		if team, _ := sc.TeamOn(Platform); team != "" {
			_, _ = t.lookup(ctx, sc)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.refreshed = t.now()
}

// lookup asks the API for the school's team and remembers the answer.
func (t *teams) lookup(ctx context.Context, sc *bot.School) (string, error) {
	name, _ := sc.TeamOn(Platform)
	if name == "" {
		return "", permanent(errNoTeam)
	}
	var team *model.Team
	err := call(ctx, "get team", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		team, resp, err = t.api.GetTeamByName(ctx, strings.ToLower(name), "")
		return resp, err
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.failed[sc.ID] = true
		return "", err
	}
	delete(t.failed, sc.ID)
	if old, ok := t.idOf[sc.ID]; ok && old != team.Id {
		delete(t.byID, old)
	}
	t.idOf[sc.ID] = team.Id
	t.byID[team.Id] = sc
	return team.Id, nil
}

// errNoTeam: the school has no mattermost_team.
var errNoTeam = errors.New("school has no mattermost_team")

// ids caches what names resolve to (users, channels), each for its ttl
// (idTTL unless made with newIDsTTL).
type ids struct {
	now func() time.Time
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cached
}

type cached struct {
	id  string
	exp time.Time
}

func newIDs(now func() time.Time) *ids { return newIDsTTL(now, idTTL) }

func newIDsTTL(now func() time.Time, ttl time.Duration) *ids {
	return &ids{now: now, ttl: ttl, m: map[string]cached{}}
}

func (c *ids) get(k string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || c.now().After(e.exp) {
		return "", false
	}
	return e.id, true
}

func (c *ids) put(k, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = cached{id: id, exp: c.now().Add(c.ttl)}
}

func (c *ids) drop(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}
