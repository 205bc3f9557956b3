package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hulpbot/hulpbot/config"
)

// compose is docker-compose.yml as far as it uses the Compose file format;
// it is decoded strictly, so a misspelt key fails the test.
type compose struct {
	Name     string `yaml:"name"`
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Restart     string            `yaml:"restart"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		Expose      []string          `yaml:"expose"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck *struct {
			Test        []string `yaml:"test"`
			Interval    string   `yaml:"interval"`
			Timeout     string   `yaml:"timeout"`
			Retries     int      `yaml:"retries"`
			StartPeriod string   `yaml:"start_period"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// TestDockerCompose keeps docker-compose.yml, the Dockerfile and
// deploy/hulpbot.yaml consistent with each other and with what hulpbot and
// Mattermost need (Docker itself does not run here).
func TestDockerCompose(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var c compose
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"postgres", "mattermost", "redis", "hulpbot"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("docker-compose.yml has no service %q", name)
		}
	}
	pg, mm, rd, hb := c.Services["postgres"], c.Services["mattermost"], c.Services["redis"], c.Services["hulpbot"]
	for name, s := range c.Services {
		if s.Restart != "unless-stopped" {
			t.Errorf("service %s restart = %q, want unless-stopped", name, s.Restart)
		}
	}

	// Named volumes are declared.
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(src, ".") && !strings.HasPrefix(src, "/") {
				if _, ok := c.Volumes[src]; !ok {
					t.Errorf("service %s uses volume %q, which is not declared", name, src)
				}
			}
		}
	}

	// Mattermost: the official Team Edition image on the postgres service,
	// allowed to call hulpbot, with bots and access tokens on.
	if !strings.HasPrefix(mm.Image, "mattermost/mattermost-team-edition:") {
		t.Errorf("mattermost image = %q, want the official team edition", mm.Image)
	}
	ds, err := url.Parse(strings.ReplaceAll(mm.Environment["MM_SQLSETTINGS_DATASOURCE"], "${POSTGRES_PASSWORD}", "x"))
	if err != nil || ds.Scheme != "postgres" || ds.Hostname() != "postgres" || strings.TrimPrefix(ds.Path, "/") != pg.Environment["POSTGRES_DB"] || ds.User.Username() != pg.Environment["POSTGRES_USER"] {
		t.Errorf("MM_SQLSETTINGS_DATASOURCE = %q does not name the postgres service's database and user", mm.Environment["MM_SQLSETTINGS_DATASOURCE"])
	}
	if mm.Environment["MM_SQLSETTINGS_DRIVERNAME"] != "postgres" {
		t.Error("MM_SQLSETTINGS_DRIVERNAME is not postgres")
	}
	for _, k := range []string{"MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION", "MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS"} {
		if mm.Environment[k] != "true" {
			t.Errorf("%s = %q, want \"true\" (mattermost-setup needs it)", k, mm.Environment[k])
		}
	}
	allowed := strings.Fields(mm.Environment["MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS"])
	if mm.DependsOn["postgres"].Condition != "service_healthy" || pg.Healthcheck == nil {
		t.Error("mattermost must wait for a healthy postgres")
	}

	// Redis: append-only file on, data in a volume.
	if !strings.HasPrefix(rd.Image, "redis:") || !slices.Contains(rd.Command, "--appendonly") || rd.Command[slices.Index(rd.Command, "--appendonly")+1] != "yes" {
		t.Errorf("redis = %s %v, want the redis image with --appendonly yes", rd.Image, rd.Command)
	}
	if !slices.ContainsFunc(rd.Volumes, func(v string) bool { return strings.HasSuffix(v, ":/data") }) {
		t.Errorf("redis volumes = %v, want its /data in a volume", rd.Volumes)
	}

	// hulpbot: built from the Dockerfile, configured by the mounted file.
	if hb.Build == nil {
		t.Error("hulpbot has no build")
	}
	docker, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(docker)
	for _, want := range []string{"CGO_ENABLED=0", "\nFROM scratch", "\nUSER 65532:65532", `ENTRYPOINT ["/hulpbot"]`, "./cmd/hulpbot"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	main, _ := os.ReadFile("main.go")
	if !bytes.Contains(main, []byte(`_ "time/tzdata"`)) {
		t.Error("main.go does not embed time/tzdata: Europe/Amsterdam would fail in the scratch image")
	}
	cfgPath := hb.Command[slices.Index(hb.Command, "-config")+1]
	mounted := false
	for _, v := range hb.Volumes {
		if parts := strings.Split(v, ":"); len(parts) >= 2 && parts[1] == cfgPath && parts[0] == "./hulpbot.yaml" {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("hulpbot reads %s, but ./hulpbot.yaml is not mounted there: %v", cfgPath, hb.Volumes)
	}
	if !strings.Contains(df, `"-config", "`+cfgPath+`"`) {
		t.Errorf("the Dockerfile's CMD does not read %s", cfgPath)
	}
	if u, err := url.Parse(hb.Environment["REDIS_URL"]); err != nil || u.Hostname() != "redis" {
		t.Errorf("hulpbot REDIS_URL = %q, want the redis service", hb.Environment["REDIS_URL"])
	}
	for _, k := range []string{"HULPBOT_MATTERMOST_BOT_TOKEN", "HULPBOT_MATTERMOST_COMMAND_TOKEN", "HULPBOT_MATTERMOST_ADMIN_TOKEN"} {
		if _, ok := hb.Environment[k]; !ok {
			t.Errorf("hulpbot's environment lacks %s", k)
		}
	}

	// deploy/hulpbot.yaml is a valid configuration for this compose file.
	env := map[string]string{"HULPBOT_MATTERMOST_BOT_TOKEN": "bot", "HULPBOT_MATTERMOST_COMMAND_TOKEN": "cmd", "REDIS_URL": hb.Environment["REDIS_URL"]}
	cfg, err := config.Load("../../deploy/hulpbot.yaml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("deploy/hulpbot.yaml: %v", err)
	}
	if _, err := cfg.Directory(); err != nil {
		t.Fatalf("deploy/hulpbot.yaml: %v", err)
	}
	mmURL, _ := url.Parse(cfg.Mattermost.URL)
	if mmURL.Hostname() != "mattermost" || !slices.ContainsFunc(mm.Ports, func(p string) bool { return strings.HasSuffix(p, ":"+mmURL.Port()) }) {
		t.Errorf("mattermost.url %s is not the mattermost service's port %v", cfg.Mattermost.URL, mm.Ports)
	}
	pub, _ := url.Parse(cfg.Mattermost.PublicURL)
	_, listenPort, _ := net.SplitHostPort(cfg.Listen)
	if pub.Hostname() != "hulpbot" || pub.Port() != listenPort || !slices.Contains(hb.Expose, listenPort) {
		t.Errorf("mattermost.public_url %s: want http://hulpbot:<listen port>, exposed (listen %s, expose %v)", cfg.Mattermost.PublicURL, cfg.Listen, hb.Expose)
	}
	// /metrics: on the internal listener, reachable in the compose network
	// only.
	_, metricsPort, err := net.SplitHostPort(hb.Environment["HULPBOT_METRICS_LISTEN"])
	if err != nil || metricsPort == listenPort || !slices.Contains(hb.Expose, metricsPort) || len(hb.Ports) > 0 {
		t.Errorf("hulpbot HULPBOT_METRICS_LISTEN %q, expose %v, ports %v: want /metrics on a port of its own, exposed to the network, nothing published",
			hb.Environment["HULPBOT_METRICS_LISTEN"], hb.Expose, hb.Ports)
	}
	if !slices.Contains(allowed, pub.Hostname()) {
		t.Errorf("AllowedUntrustedInternalConnections %v lacks %s: Mattermost would refuse to call hulpbot", allowed, pub.Hostname())
	}
	if u, _ := url.Parse(cfg.RedisURL); u.Hostname() != "redis" {
		t.Errorf("deploy/hulpbot.yaml redis_url = %s, want the redis service", cfg.RedisURL)
	}

	// And hulpbot itself agrees.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"hulpbot", "-check-config", "../../deploy/hulpbot.yaml"}, func(k string) string { return env[k] }, nil, &out, io.Discard); err != nil {
		t.Errorf("hulpbot -check-config deploy/hulpbot.yaml: %v", err)
	}
}

// TestReadmeInstall: the README's install section names the steps the
// files above expect.
func TestReadmeInstall(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("## Op school installeren"))
	if i < 0 {
		t.Fatal(`README.md has no section "## Op school installeren"`)
	}
	section := string(b[i:])
	if j := regexp.MustCompile(`\n## `).FindStringIndex(section[3:]); j != nil {
		section = section[:j[0]+3]
	}
	for _, want := range []string{
		"cp deploy/hulpbot.yaml hulpbot.yaml",
		"docker compose up -d mattermost redis",
		"docker compose run --rm hulpbot mattermost-setup -config /etc/hulpbot/hulpbot.yaml",
		"HULPBOT_MATTERMOST_ADMIN_TOKEN",
		"docker compose up -d",
		"/hulp groep 5",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("the install section lacks %q", want)
		}
	}
}
