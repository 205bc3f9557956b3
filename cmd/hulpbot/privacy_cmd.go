package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/bot"
)

// privacyUsage is the help of "hulpbot privacy".
const privacyUsage = `Usage:
  hulpbot privacy export -config F (-mattermost USER | -slack MEMBER) [-school S] [-name NAME]...
  hulpbot privacy erase  -config F (-mattermost USER | -slack MEMBER) [-school S] [-name NAME]...
  hulpbot privacy audit  -config F [-school S]

export  prints, as JSON, everything hulpbot holds about one person (AVG art. 15)
erase   removes it (AVG art. 17): requests they asked keep their figures with an
        anonymous requester; statistics stay; refused while they are in an open request
audit   prints who viewed an overview or exported its CSV, and when

-name   a name the person may have signed a success story with before signed
        stories kept their author (e.g. their display name on the platform);
        the configuration's name for them and their handle are looked for anyway
`

// runPrivacy is "hulpbot privacy export|erase|audit".
func runPrivacy(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(stderr, privacyUsage)
		if len(args) == 0 {
			return errors.New("privacy: say export, erase or audit")
		}
		return nil
	}
	verb := args[0]
	fs := flag.NewFlagSet("hulpbot privacy "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "hulpbot configuration (YAML): its Redis and schools")
	school := fs.String("school", "", "only this school (default: every school)")
	var (
		mm, slack string
		names     []string
	)
	if verb != "audit" {
		fs.StringVar(&mm, "mattermost", "", "the person's Mattermost username")
		fs.StringVar(&slack, "slack", "", "the person's Slack member id (U…)")
		fs.Func("name", "a name they may have signed an older success story with (repeatable)", func(v string) error {
			if v = strings.TrimSpace(v); v == "" {
				return errors.New("empty name")
			}
			names = append(names, v)
			return nil
		})
	}
	fs.Usage = func() { fmt.Fprint(stderr, privacyUsage) }
	switch verb {
	case "export", "erase", "audit":
	default:
		fs.Usage()
		return fmt.Errorf("privacy: unknown command %q: say export, erase or audit", verb)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("privacy %s: unexpected argument %q", verb, fs.Arg(0))
	}
	if *cfgPath == "" {
		return fmt.Errorf("privacy %s: -config is required", verb)
	}
	var who bot.Address
	if verb != "audit" {
		switch {
		case (mm == "") == (slack == ""):
			return fmt.Errorf("privacy %s: give the person as exactly one of -mattermost USER or -slack MEMBER", verb)
		case mm != "":
			who = bot.Address{Platform: "mattermost", Handle: mm}
		default:
			who = bot.Address{Platform: "slack", Handle: slack}
		}
	}

	m := NewMain(getenv, nil, stdout, stderr)
	m.opts.config = *cfgPath
	var err error
	if m.cfg, m.dir, err = loadConfig(*cfgPath, getenv); err != nil {
		return err
	}
	schools := m.dir.Schools()
	if *school != "" {
		sc, ok := m.dir.School(*school)
		if !ok {
			return fmt.Errorf("privacy %s: -school %q: no such school", verb, *school)
		}
		schools = []*bot.School{sc}
	}
	rdb, closeRedis, err := m.openRedis()
	if err != nil {
		return err
	}
	defer closeRedis()
	store := redisstore.New(rdb, m.cfg.RedisPrefix, nil)
	store.UsePools(m.dir) // where each school's keys are, as the running program has them
	store.SetAuditRetention(m.cfg.Privacy.AuditRetentionOrDefault())
	now := time.Now()
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	switch verb {
	case "audit":
		return privacyAudit(ctx, store, schools, now, enc)
	case "export":
		return privacyExport(ctx, store, schools, who, names, now, enc)
	default:
		return privacyErase(ctx, store, schools, who, names, now, enc, stderr)
	}
}

// configuredAs says what the configuration makes a person at a school,
// and who they are to the store there: their helper id, and the names an
// older signed story of theirs may carry (the configuration's names, their
// handle, and the names the operator gave).
func configuredAs(sc *bot.School, who bot.Address, names []string) (roles []string, p redisstore.Person) {
	p = redisstore.Person{Address: who, Names: append(slices.Clone(names), who.Handle)}
	if h, ok := sc.Helper(who); ok {
		roles = append(roles, "helper "+h.Name+" ("+string(h.Role)+")")
		p.HelperID = h.ID
		p.Names = append(p.Names, h.Name)
	}
	if c, ok := sc.Coordinator(who); ok {
		roles = append(roles, "coordinator "+c.Name)
		p.Names = append(p.Names, c.Name)
	}
	return roles, p
}

type personExport struct {
	Platform string         `json:"platform"`
	Handle   string         `json:"handle"`
	At       time.Time      `json:"exported_at"`
	Schools  []schoolExport `json:"schools"`
}

type schoolExport struct {
	School string `json:"school"`
	// ConfiguredAs is what the school's configuration names them: it is
	// kept in the configuration file, not in Redis.
	ConfiguredAs []string `json:"configured_as,omitempty"`
	HelperID     string   `json:"helper_id,omitempty"`
	redisstore.PersonData
}

func privacyExport(ctx context.Context, store *redisstore.Store, schools []*bot.School, who bot.Address, names []string, now time.Time, enc *json.Encoder) error {
	out := personExport{Platform: string(who.Platform), Handle: who.Handle, At: now.UTC(), Schools: []schoolExport{}}
	for _, sc := range schools {
		roles, p := configuredAs(sc, who, names)
		d, err := store.ExportPerson(ctx, sc.ID, p, now)
		if err != nil {
			return err
		}
		if d.Empty() && len(d.Audit) == 0 && len(roles) == 0 {
			continue
		}
		out.Schools = append(out.Schools, schoolExport{School: sc.ID, ConfiguredAs: roles, HelperID: p.HelperID, PersonData: d})
	}
	return enc.Encode(out)
}

type schoolErased struct {
	School string `json:"school"`
	redisstore.Erased
	// StillConfigured: the configuration names them; remove them there.
	StillConfigured []string `json:"still_configured_as,omitempty"`
}

func privacyErase(ctx context.Context, store *redisstore.Store, schools []*bot.School, who bot.Address, names []string, now time.Time, enc *json.Encoder, stderr io.Writer) error {
	out := struct {
		Platform string         `json:"platform"`
		Handle   string         `json:"handle"`
		At       time.Time      `json:"erased_at"`
		Schools  []schoolErased `json:"schools"`
	}{Platform: string(who.Platform), Handle: who.Handle, At: now.UTC(), Schools: []schoolErased{}}
	for _, sc := range schools {
		roles, p := configuredAs(sc, who, names)
		e, err := store.ErasePerson(ctx, sc.ID, p)
		if err != nil {
			if errors.Is(err, redisstore.ErrActive) {
				return fmt.Errorf("privacy erase: school %s: %w; close or withdraw it first (nothing of this school was erased)", sc.ID, err)
			}
			return err
		}
		if e == (redisstore.Erased{}) && len(roles) == 0 {
			continue
		}
		out.Schools = append(out.Schools, schoolErased{School: sc.ID, Erased: e, StillConfigured: roles})
		for _, r := range roles {
			fmt.Fprintf(stderr, "privacy erase: the configuration of %s still names them as %s: remove them there\n", sc.ID, r)
		}
	}
	return enc.Encode(out)
}

type auditLine struct {
	School   string    `json:"school"`
	At       time.Time `json:"at"`
	Platform string    `json:"platform"`
	Handle   string    `json:"handle"`
	Action   string    `json:"action"`
	Detail   string    `json:"detail,omitempty"`
}

func privacyAudit(ctx context.Context, store *redisstore.Store, schools []*bot.School, now time.Time, enc *json.Encoder) error {
	out := []auditLine{}
	for _, sc := range schools {
		entries, err := store.Audit(ctx, sc.ID, now)
		if err != nil {
			return err
		}
		for _, e := range entries {
			out = append(out, auditLine{School: sc.ID, At: e.At, Platform: string(e.Who.Platform), Handle: e.Who.Handle, Action: string(e.Action), Detail: e.Detail})
		}
	}
	return enc.Encode(out)
}
