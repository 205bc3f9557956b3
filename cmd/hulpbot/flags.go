package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// options are the command line's flags.
type options struct {
	config      string
	checkConfig string
	logFormat   string
	logLevel    string
	shell       bool
	school      string
	now         string
	pprof       string
}

// ParseFlags reads the command line (args[0] is the program's name) and
// then the configuration: the file of -config, else the demo's. With
// -check-config it reads no configuration: CheckConfig does.
func (m *Main) ParseFlags(args []string) error {
	o := &m.opts
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.StringVar(&o.config, "config", "", "configuration file (YAML); without it the terminal chat starts with a demo school")
	fs.StringVar(&o.checkConfig, "check-config", "", "validate this configuration file and exit")
	fs.StringVar(&o.logFormat, "log-format", "", "log format: text or json (default: the config's log_format, else text)")
	fs.StringVar(&o.logLevel, "log-level", "", "log level: debug, info, warn, error (default info; warn in the terminal chat)")
	fs.BoolVar(&o.shell, "shell", false, "also start the terminal chat when a configuration is given")
	fs.StringVar(&o.school, "school", "", "school id for the terminal chat (default: the first school)")
	fs.StringVar(&o.pprof, "pprof", "", "serve Go's profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060; keep it off public interfaces (default: $HULPBOT_PPROF, else off)")
	fs.StringVar(&o.now, "now", "", `run the clock from this moment, e.g. "2026-12-04T16:00" (Europe/Amsterdam), to try weekly posts and deadlines in a demo`)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.checkConfig != "" {
		return nil
	}
	if o.pprof == "" {
		o.pprof = m.getenv("HULPBOT_PPROF")
	}

	var err error
	if m.demo() {
		m.cfg, m.dir, err = demoConfig(m.getenv)
	} else {
		m.cfg, m.dir, err = loadConfig(o.config, m.getenv)
	}
	if err != nil {
		return err
	}
	level := "info"
	if o.withShell(m.cfg) {
		level = "warn" // the log would mix with the chat
	}
	if m.log, err = newLogger(m.stderr, pick(o.logFormat, m.cfg.LogFormat, "text"), pick(o.logLevel, level), &m.names); err != nil {
		return err
	}
	for _, w := range m.cfg.Warnings() {
		m.log.Warn("config", "field", w.Field, "problem", w.Message)
	}
	m.now, err = newClock(o.now)
	return err
}

// CheckConfig validates the file of -check-config and says so on stdout.
func (m *Main) CheckConfig() error {
	cfg, _, err := loadConfig(m.opts.checkConfig, m.getenv)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.stdout, "%s: ok (%d schools)\n", m.opts.checkConfig, len(cfg.Schools))
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(m.stdout, "warning: %s\n", w)
	}
	return nil
}

// newLogger is the program's logger. With names, it writes the people a
// line names (bot.Masked) as their pseudonyms; without, as "-".
func newLogger(w io.Writer, format, level string, names ...*pseudonyms) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	if len(names) > 0 {
		opts.ReplaceAttr = names[0].replace
	}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}

// newClock is the program's clock: time.Now, or running from the moment
// given with -now (a demo that wants Friday 16:00 now).
func newClock(from string) (func() time.Time, error) {
	if from == "" {
		return time.Now, nil
	}
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return nil, err
	}
	start, err := time.ParseInLocation("2006-01-02T15:04", from, ams)
	if err != nil {
		return nil, fmt.Errorf("-now %q: want a moment like 2026-12-04T16:00", from)
	}
	offset := time.Until(start)
	return func() time.Time { return time.Now().Add(offset) }, nil
}

func pick(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
