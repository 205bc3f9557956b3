package mmbot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/message"
)

// How long the username of an account is trusted: a renamed account acts
// under its new name within nameTTL. While the API cannot be asked (no
// answer, a server error, rate limits), a username resolved within
// nameStaleTTL still counts, so a teacher who used hulpbot today can ask
// for help while hulpbot cannot reach Mattermost's API.
const (
	nameTTL      = 10 * time.Minute
	nameStaleTTL = 24 * time.Hour
)

// errDeactivated: the account exists but is deactivated.
var errDeactivated = errors.New("mattermost account is deactivated")

// people resolves Mattermost accounts both ways, through the API, cached:
// a username to its user id (to open a direct message, and to sign the
// buttons in it for that account), and a user id to its username (who
// typed or clicked: Mattermost sets user_id itself, and the user_name
// next to it is not taken on its word).
type people struct {
	api       *model.Client4
	byName    *ids // username → user id
	byID      *ids // user id → username, fresh
	lastKnown *ids // user id → username, for while the API cannot be asked
}

func newPeople(api *model.Client4, now func() time.Time) *people {
	return &people{api: api, byName: newIDs(now), byID: newIDsTTL(now, nameTTL), lastKnown: newIDsTTL(now, nameStaleTTL)}
}

// id is the user id of the account with this username (lower case).
func (p *people) id(ctx context.Context, username string) (string, error) {
	if id, ok := p.byName.get(username); ok {
		return id, nil
	}
	var u *model.User
	err := call(ctx, "get user", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		u, resp, err = p.api.GetUserByUsername(ctx, username, "")
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if u.DeleteAt != 0 {
		return "", permanent(errDeactivated)
	}
	p.byName.put(username, u.Id)
	return u.Id, nil
}

// forget drops what username resolved to: the account may be replaced.
func (p *people) forget(username string) { p.byName.drop(username) }

// name is the username (lower case) of the account with this user id. An
// id that is not one (Mattermost ids are 26 letters and digits) is never
// sent to the API, where it would be part of a path.
func (p *people) name(ctx context.Context, userID string) (string, error) {
	if !model.IsValidId(userID) {
		return "", permanent(errors.New("not a mattermost user id"))
	}
	if n, ok := p.byID.get(userID); ok {
		return n, nil
	}
	var u *model.User
	err := call(ctx, "get user", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		u, resp, err = p.api.GetUser(ctx, userID, "")
		return resp, err
	})
	switch {
	case err != nil && !errors.Is(err, message.ErrPermanent):
		if n, ok := p.lastKnown.get(userID); ok {
			return n, nil
		}
		return "", err
	case err != nil:
	case u.DeleteAt != 0:
		err = permanent(errDeactivated)
	case u.Id != userID || u.Username == "":
		err = permanent(errors.New("mattermost answered with another account"))
	}
	if err != nil {
		p.lastKnown.drop(userID)
		return "", err
	}
	name := strings.ToLower(u.Username)
	p.byID.put(userID, name)
	p.lastKnown.put(userID, name)
	return name, nil
}

// locale is the locale of the account with this user id ("nl", "en", …),
// asked each time: the caller keeps it.
func (p *people) locale(ctx context.Context, userID string) (string, error) {
	if !model.IsValidId(userID) {
		return "", permanent(errors.New("not a mattermost user id"))
	}
	var u *model.User
	err := call(ctx, "get user", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		u, resp, err = p.api.GetUser(ctx, userID, "")
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return u.Locale, nil
}
