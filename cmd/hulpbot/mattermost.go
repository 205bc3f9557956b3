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
	a, err := mmbot.New(mmbot.Options{
		URL:           m.URL,
		BotToken:      m.BotToken,
		CommandTokens: mmbot.SplitTokens(m.CommandToken),
		PublicURL:     m.PublicURL,
		ActionSecret:  m.ActionSecret,
		Dir:           deps.dir,
		Dispatcher:    deps.cmds,
		Redis:         deps.rdb,
		RedisPrefix:   deps.cfg.RedisPrefix,
		Log:           deps.log,
	})
	if err != nil {
		return nil, err
	}
	a.Register(deps.mux)
	deps.log.Info("mattermost", "url", m.URL, "public_url", m.PublicURL, "command_tokens", len(mmbot.SplitTokens(m.CommandToken)))
	return a.Sender(), nil
}

// EnvMattermostAdminToken names the variable with the admin token for
// mattermost-setup (a flag would leave it in the shell history).
const EnvMattermostAdminToken = "HULPBOT_MATTERMOST_ADMIN_TOKEN"

// unsetDuringSetup stands in for the bot and command tokens while the
// configuration is read for mattermost-setup, which is what makes them.
const unsetDuringSetup = "\x00unset-during-setup"

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
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath, func(k string) string {
			v := getenv(k)
			if v == "" && (k == "HULPBOT_MATTERMOST_BOT_TOKEN" || k == "HULPBOT_MATTERMOST_COMMAND_TOKEN") {
				return unsetDuringSetup
			}
			return v
		})
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
		if t := cfg.Mattermost.BotToken; t != unsetDuringSetup {
			opts.BotToken = t
		}
		dir, err := cfg.Directory()
		if err != nil {
			return fmt.Errorf("mattermost-setup: %w", err)
		}
		for i, s := range cfg.Schools {
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
	}
	for _, t := range teams {
		if !hasTeam(opts.Teams, t) {
			opts.Teams = append(opts.Teams, mmbot.SetupTeam{Name: t})
		}
	}
	if opts.URL == "" || opts.PublicURL == "" {
		return errors.New("mattermost-setup: give -config with a mattermost section, or -url and -public-url")
	}

	res, err := mmbot.Setup(ctx, opts)
	if err != nil {
		return err
	}
	printSetup(stdout, opts, res)
	return nil
}

func printSetup(w io.Writer, o mmbot.SetupOptions, res *mmbot.SetupResult) {
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
	fmt.Fprintf(w, "HULPBOT_MATTERMOST_COMMAND_TOKEN=%s\n", strings.Join(res.CommandTokens(), ","))
	fmt.Fprintln(w, "#")
	fmt.Fprintln(w, "# and this in hulpbot.yaml:")
	fmt.Fprintln(w, "# mattermost:")
	fmt.Fprintf(w, "#   url: %s\n", o.URL)
	fmt.Fprintln(w, "#   bot_token: ${HULPBOT_MATTERMOST_BOT_TOKEN}")
	fmt.Fprintln(w, "#   command_token: ${HULPBOT_MATTERMOST_COMMAND_TOKEN}")
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
