package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/hulpbot/hulpbot/adapters/mmbot"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/message"
)

// setupMattermost serves POST /mattermost/command and /mattermost/action
// and returns the sender for Mattermost people and channels.
func setupMattermost(_ context.Context, deps platformDeps) (message.Sender, error) {
	m := deps.cfg.Mattermost
	if m.PublicURL == "" {
		return nil, errors.New("mattermost.public_url is empty: set it to where Mattermost reaches hulpbot (e.g. http://hulpbot:8080), the buttons call it")
	}
	tokens := deps.cfg.MattermostCommandTokens()
	a, err := mmbot.New(mmbot.Options{
		URL:           m.URL,
		BotToken:      m.BotToken,
		CommandTokens: tokens,
		PublicURL:     m.PublicURL,
		ActionSecret:  m.ActionSecret,
		Dir:           deps.dir,
		Dispatcher:    deps.cmds,
		Redis:         deps.rdb,
		RedisPrefix:   deps.cfg.RedisPrefix,
		Pseudonyms:    deps.names,
		Log:           deps.log,
	})
	if err != nil {
		return nil, err
	}
	a.Register(deps.mux)
	deps.log.Info("mattermost", "url", m.URL, "public_url", m.PublicURL, "command_tokens", len(tokens))
	return a.Sender(), nil
}

// EnvMattermostAdminToken names the variable with the admin token for
// mattermost-setup (a flag would leave it in the shell history).
const EnvMattermostAdminToken = "HULPBOT_MATTERMOST_ADMIN_TOKEN"

// EnvMattermostCommandToken is the variable of the /hulp command's token in
// a deployment with one team; with several, each team's token has its own
// variable (commandTokenVar).
const EnvMattermostCommandToken = "HULPBOT_MATTERMOST_COMMAND_TOKEN"

// commandTokenVar is the variable mattermost-setup names for the token of
// team's /hulp command when there are several teams:
// HULPBOT_MATTERMOST_COMMAND_TOKEN_DE_VAART for de-vaart.
func commandTokenVar(team string) string {
	var b strings.Builder
	b.WriteString(EnvMattermostCommandToken + "_")
	for _, r := range strings.ToUpper(team) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// runMattermostSetup is "hulpbot mattermost-setup": it makes a Mattermost
// server ready for the configuration — the bot account and its token, the
// bot in each school's team and channels, the /hulp command in each team —
// and prints the lines to put in the environment and the configuration.
// Running it again changes only what differs.
func runMattermostSetup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hulpbot mattermost-setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "hulpbot configuration (YAML): its schools' mattermost_team, channels, mattermost.url and public_url")
	mmURL := fs.String("url", "", "Mattermost URL as seen from here (default: the configuration's mattermost.url)")
	publicURL := fs.String("public-url", "", "where Mattermost reaches hulpbot (default: the configuration's mattermost.public_url)")
	botName := fs.String("bot", mmbot.DefaultBotUsername, "username of the bot account")
	var teams multiFlag
	fs.Var(&teams, "team", "a team to set up (repeatable; default: every school's mattermost_team)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s=<token> hulpbot mattermost-setup -config hulpbot.yaml [flags]\n\n", EnvMattermostAdminToken)
		fmt.Fprintf(stderr, "Needs a system admin's access token in %s. Safe to run again.\n\n", EnvMattermostAdminToken)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("mattermost-setup: unexpected argument %q", fs.Arg(0))
	}
	adminToken := getenv(EnvMattermostAdminToken)
	if adminToken == "" {
		return fmt.Errorf("mattermost-setup: set %s to a system admin's access token", EnvMattermostAdminToken)
	}

	opts := mmbot.SetupOptions{URL: *mmURL, AdminToken: adminToken, PublicURL: *publicURL, BotUsername: *botName}
	perTeam := false // several teams: a variable per team's command token
	if *cfgPath != "" {
		// The bot and command tokens are what setup makes: they may be
		// missing yet.
		cfg, err := config.LoadForSetup(*cfgPath, getenv)
		if err != nil {
			return fmt.Errorf("mattermost-setup: %w", err)
		}
		if cfg.Mattermost == nil {
			return fmt.Errorf("mattermost-setup: %s has no mattermost section", *cfgPath)
		}
		if opts.URL == "" {
			opts.URL = cfg.Mattermost.URL
		}
		if opts.PublicURL == "" {
			opts.PublicURL = cfg.Mattermost.PublicURL
		}
		opts.BotToken = cfg.Mattermost.BotToken
		// The schools as hulpbot sees them; the Mattermost section, whose
		// tokens may be missing yet, plays no part in them.
		schoolsOnly := *cfg
		schoolsOnly.Mattermost = nil
		dir, err := schoolsOnly.Directory()
		if err != nil {
			return fmt.Errorf("mattermost-setup: %w", err)
		}
		mmTeams := 0
		for i, s := range cfg.Schools {
			if s.MattermostTeam != "" {
				mmTeams++
			}
			if s.MattermostTeam == "" || (len(teams) > 0 && !teams.has(s.MattermostTeam)) {
				continue
			}
			var channels []string
			if sc, ok := dir.School(s.ID); ok {
				channels = append(channels, sc.FallbackChannel)
			}
			channels = append(channels, cfg.Schools[i].Kernteam.Channel, cfg.Schools[i].Digest.Channel)
			opts.Teams = append(opts.Teams, mmbot.SetupTeam{Name: s.MattermostTeam, Channels: channels})
		}
		perTeam = mmTeams > 1 || len(cfg.Mattermost.CommandTokens) > 0
	}
	for _, t := range teams {
		if !hasTeam(opts.Teams, t) {
			opts.Teams = append(opts.Teams, mmbot.SetupTeam{Name: t})
		}
	}
	perTeam = perTeam || len(opts.Teams) > 1
	if opts.URL == "" || opts.PublicURL == "" {
		return errors.New("mattermost-setup: give -config with a mattermost section, or -url and -public-url")
	}

	res, err := mmbot.Setup(ctx, opts)
	if err != nil {
		return err
	}
	printSetup(stdout, opts, res, perTeam)
	return nil
}

// printSetup prints what setup did, and the lines for the environment and
// the configuration: one command token for one team; with several teams,
// each team's token under its own variable, bound to the team under
// command_tokens (a token works for its own team only).
func printSetup(w io.Writer, o mmbot.SetupOptions, res *mmbot.SetupResult, perTeam bool) {
	state := "found"
	if res.BotCreated {
		state = "created"
	}
	fmt.Fprintf(w, "# hulpbot mattermost-setup on %s\n", o.URL)
	fmt.Fprintf(w, "# bot @%s (%s): %s\n", res.BotUsername, res.BotUserID, state)
	for _, t := range res.Teams {
		fmt.Fprintf(w, "# team %s (%s): /%s %s", t.Name, t.ID, mmbot.Trigger, t.Command)
		if len(t.ChannelsJoined) > 0 {
			fmt.Fprintf(w, "; bot in ~%s", strings.Join(t.ChannelsJoined, ", ~"))
		}
		fmt.Fprintln(w)
		for _, c := range t.ChannelsMade {
			fmt.Fprintf(w, "#   ~%s did not exist and was made as a private channel: add the people who should see it.\n", c)
		}
	}
	fmt.Fprintln(w, "#")
	fmt.Fprintln(w, "# Put these in hulpbot's environment (for docker compose: the .env file):")
	if res.NewBotToken {
		fmt.Fprintf(w, "HULPBOT_MATTERMOST_BOT_TOKEN=%s\n", res.BotToken)
	} else {
		fmt.Fprintln(w, "# HULPBOT_MATTERMOST_BOT_TOKEN: unchanged, the configured token works")
	}
	for _, t := range res.Teams {
		if perTeam {
			fmt.Fprintf(w, "%s=%s\n", commandTokenVar(t.Name), t.CommandToken)
		} else {
			fmt.Fprintf(w, "%s=%s\n", EnvMattermostCommandToken, t.CommandToken)
		}
	}
	fmt.Fprintln(w, "#")
	fmt.Fprintln(w, "# and this in hulpbot.yaml:")
	fmt.Fprintln(w, "# mattermost:")
	fmt.Fprintf(w, "#   url: %s\n", o.URL)
	fmt.Fprintln(w, "#   bot_token: ${HULPBOT_MATTERMOST_BOT_TOKEN}")
	if perTeam {
		fmt.Fprintln(w, "#   command_tokens:   # each team's /hulp has its own token, good for that team only")
		for _, t := range res.Teams {
			fmt.Fprintf(w, "#     %s: ${%s}\n", strings.ToLower(t.Name), commandTokenVar(t.Name))
		}
	} else {
		fmt.Fprintf(w, "#   command_token: ${%s}\n", EnvMattermostCommandToken)
	}
	fmt.Fprintf(w, "#   public_url: %s\n", o.PublicURL)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
func (m multiFlag) has(v string) bool {
	for _, x := range m {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func hasTeam(ts []mmbot.SetupTeam, name string) bool {
	for _, t := range ts {
		if strings.EqualFold(t.Name, name) {
			return true
		}
	}
	return false
}
