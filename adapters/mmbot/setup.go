package mmbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// The /hulp command as hulpbot registers it.
const (
	Trigger          = "hulp"
	autoCompleteHint = "groep <nummer>"
	autoCompleteDesc = "Vraag direct hulp van de jeugdhulpverlener of CJG-coach"
	commandDesc      = "hulpbot: kun je even helpen?"
	// DefaultBotUsername is the bot account's username unless told otherwise.
	DefaultBotUsername = "hulpbot"
)

// SetupOptions say what Setup makes on a Mattermost server.
type SetupOptions struct {
	URL        string // the Mattermost server
	AdminToken string // a system admin's personal access token or session token
	PublicURL  string // where Mattermost reaches hulpbot
	// BotUsername is the bot account (default DefaultBotUsername).
	BotUsername string
	// BotToken is the bot token hulpbot has now, if any: reused when it
	// still belongs to the bot, so a second run creates no new token.
	BotToken string
	Teams    []SetupTeam
	// HTTPClient calls the API; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	Log        *slog.Logger
}

// SetupTeam is one school's team and the channels the bot posts in there
// (fallback channel, kernteam, digest).
type SetupTeam struct {
	Name     string
	Channels []string
}

// SetupResult is what Setup made or found.
type SetupResult struct {
	BotUserID   string
	BotUsername string
	BotCreated  bool
	// BotToken is the token hulpbot should use; NewBotToken says it was
	// created now (and must be stored: Mattermost shows it only once).
	BotToken    string
	NewBotToken bool
	Teams       []SetupTeamResult
}

// SetupTeamResult is what Setup did in one team.
type SetupTeamResult struct {
	Name, ID       string
	CommandID      string
	CommandToken   string   // good for this team only
	Command        string   // "created", "updated" or "unchanged"
	ChannelsMade   []string // created (private) because they did not exist
	ChannelsJoined []string // the bot is a member of these now
}

// Setup makes a Mattermost server ready for hulpbot, and may be run again
// at any time (it changes only what differs): it creates or reuses the bot
// account and a token for it, puts the bot in each team and its channels
// (creating a missing channel as a private one), and registers the /hulp
// slash command in each team, pointing at PublicURL + CommandPath.
func Setup(ctx context.Context, o SetupOptions) (*SetupResult, error) {
	if o.URL == "" || o.AdminToken == "" || o.PublicURL == "" {
		return nil, errors.New("setup: the Mattermost URL, an admin token and hulpbot's public URL are all needed")
	}
	if len(o.Teams) == 0 {
		return nil, errors.New("setup: no team to set up (mattermost_team of a school)")
	}
	if o.BotUsername == "" {
		o.BotUsername = DefaultBotUsername
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	admin := model.NewAPIv4Client(o.URL)
	admin.HTTPClient = o.HTTPClient
	admin.SetToken(o.AdminToken)

	me, resp, err := admin.GetMe(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("setup: the admin token does not work: %w", newAPIError("get me", resp, err))
	}
	if !me.IsSystemAdmin() {
		return nil, errors.New("setup: the admin token belongs to someone who is not a system admin")
	}

	res := &SetupResult{BotUsername: o.BotUsername}
	if err := setupBot(ctx, admin, o, res); err != nil {
		return nil, err
	}
	if err := setupToken(ctx, admin, o, res); err != nil {
		return nil, err
	}
	url := strings.TrimRight(o.PublicURL, "/") + CommandPath
	for _, t := range o.Teams {
		tr, err := setupTeam(ctx, admin, res.BotUserID, url, t)
		if err != nil {
			return nil, err
		}
		res.Teams = append(res.Teams, tr)
	}
	return res, nil
}

func setupBot(ctx context.Context, admin *model.Client4, o SetupOptions, res *SetupResult) error {
	u, resp, err := admin.GetUserByUsername(ctx, o.BotUsername, "")
	switch {
	case err == nil && !u.IsBot:
		return fmt.Errorf("setup: the username %q belongs to a person, not a bot; choose another with -bot", o.BotUsername)
	case err == nil:
		res.BotUserID = u.Id
		if u.DeleteAt != 0 {
			if _, resp, err := admin.EnableBot(ctx, u.Id); err != nil {
				return fmt.Errorf("setup: enable bot @%s: %w", o.BotUsername, newAPIError("enable bot", resp, err))
			}
		}
		return nil
	case resp != nil && resp.StatusCode == http.StatusNotFound:
		b, resp, err := admin.CreateBot(ctx, &model.Bot{
			Username:    o.BotUsername,
			DisplayName: "hulpbot",
			Description: "Kun je even helpen? Zet hulpvragen van leerkrachten door naar de jeugdhulpverlener of CJG-coach.",
		})
		if err != nil {
			return fmt.Errorf("setup: create bot @%s (is \"Enable Bot Account Creation\" on?): %w", o.BotUsername, newAPIError("create bot", resp, err))
		}
		res.BotUserID, res.BotCreated = b.UserId, true
		return nil
	default:
		return fmt.Errorf("setup: look up @%s: %w", o.BotUsername, newAPIError("get user", resp, err))
	}
}

func setupToken(ctx context.Context, admin *model.Client4, o SetupOptions, res *SetupResult) error {
	if o.BotToken != "" {
		c := model.NewAPIv4Client(o.URL)
		c.HTTPClient = o.HTTPClient
		c.SetToken(o.BotToken)
		if me, _, err := c.GetMe(ctx, ""); err == nil && me.Id == res.BotUserID {
			res.BotToken = o.BotToken
			return nil
		}
	}
	tok, resp, err := admin.CreateUserAccessToken(ctx, res.BotUserID, "hulpbot")
	if err != nil {
		return fmt.Errorf("setup: create a token for @%s (are personal access tokens enabled?): %w", o.BotUsername, newAPIError("create token", resp, err))
	}
	res.BotToken, res.NewBotToken = tok.Token, true
	return nil
}

func setupTeam(ctx context.Context, admin *model.Client4, botID, url string, t SetupTeam) (SetupTeamResult, error) {
	tr := SetupTeamResult{Name: t.Name}
	team, resp, err := admin.GetTeamByName(ctx, strings.ToLower(t.Name), "")
	if err != nil {
		return tr, fmt.Errorf("setup: team %q: %w", t.Name, newAPIError("get team", resp, err))
	}
	tr.ID = team.Id
	if _, resp, err := admin.AddTeamMember(ctx, team.Id, botID); err != nil {
		return tr, fmt.Errorf("setup: add the bot to team %q: %w", t.Name, newAPIError("add team member", resp, err))
	}
	for _, name := range uniqueLower(t.Channels) {
		ch, resp, err := admin.GetChannelByName(ctx, name, team.Id, "")
		if err != nil {
			if resp == nil || resp.StatusCode != http.StatusNotFound {
				return tr, fmt.Errorf("setup: channel %q in team %q: %w", name, t.Name, newAPIError("get channel", resp, err))
			}
			ch, resp, err = admin.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: name, DisplayName: displayName(name), Type: model.ChannelTypePrivate})
			if err != nil {
				return tr, fmt.Errorf("setup: create channel %q in team %q: %w", name, t.Name, newAPIError("create channel", resp, err))
			}
			tr.ChannelsMade = append(tr.ChannelsMade, name)
		}
		if _, resp, err := admin.AddChannelMember(ctx, ch.Id, botID); err != nil {
			return tr, fmt.Errorf("setup: add the bot to channel %q in team %q: %w", name, t.Name, newAPIError("add channel member", resp, err))
		}
		tr.ChannelsJoined = append(tr.ChannelsJoined, name)
	}

	cmds, resp, err := admin.ListCommands(ctx, team.Id, true)
	if err != nil {
		return tr, fmt.Errorf("setup: list commands of team %q: %w", t.Name, newAPIError("list commands", resp, err))
	}
	i := slices.IndexFunc(cmds, func(c *model.Command) bool { return c.Trigger == Trigger && c.DeleteAt == 0 })
	if i < 0 {
		cmd, resp, err := admin.CreateCommand(ctx, &model.Command{
			TeamId:           team.Id,
			Trigger:          Trigger,
			Method:           model.CommandMethodPost,
			URL:              url,
			AutoComplete:     true,
			AutoCompleteHint: autoCompleteHint,
			AutoCompleteDesc: autoCompleteDesc,
			DisplayName:      "hulpbot",
			Description:      commandDesc,
		})
		if err != nil {
			return tr, fmt.Errorf("setup: create /%s in team %q: %w", Trigger, t.Name, newAPIError("create command", resp, err))
		}
		tr.CommandID, tr.CommandToken, tr.Command = cmd.Id, cmd.Token, "created"
		return tr, nil
	}
	cmd := cmds[i]
	tr.CommandID, tr.CommandToken, tr.Command = cmd.Id, cmd.Token, "unchanged"
	if cmd.URL != url || cmd.Method != model.CommandMethodPost || !cmd.AutoComplete || cmd.AutoCompleteHint != autoCompleteHint {
		cmd.URL, cmd.Method, cmd.AutoComplete, cmd.AutoCompleteHint = url, model.CommandMethodPost, true, autoCompleteHint
		if cmd.AutoCompleteDesc == "" {
			cmd.AutoCompleteDesc = autoCompleteDesc
		}
		up, resp, err := admin.UpdateCommand(ctx, cmd)
		if err != nil {
			return tr, fmt.Errorf("setup: update /%s in team %q: %w", Trigger, t.Name, newAPIError("update command", resp, err))
		}
		tr.CommandToken, tr.Command = up.Token, "updated"
	}
	return tr, nil
}

func uniqueLower(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(n, "~")))
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// displayName is a channel name as a title: "kernteam" → "Kernteam".
func displayName(name string) string {
	s := strings.ReplaceAll(name, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
