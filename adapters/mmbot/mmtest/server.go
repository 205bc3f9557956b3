// Package mmtest runs a real Mattermost server for end-to-end tests: the
// pinned Team Edition built from tools/mattermost (scripts/mattermost-server.sh
// builds it once into a cache directory), on a fresh PostgreSQL database and
// a free loopback port, allowed to call integrations on loopback.
//
// Tests that use it are skipped unless HULPBOT_MATTERMOST_E2E is set: the
// first build takes minutes (later ones a few seconds). PostgreSQL is taken
// from HULPBOT_MATTERMOST_E2E_PG (default postgres://postgres@127.0.0.1:5432,
// trust auth); psql must be on the PATH to create and drop the database.
package mmtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Environment variables.
const (
	// EnvE2E turns the end-to-end tests on.
	EnvE2E = "HULPBOT_MATTERMOST_E2E"
	// EnvPG is the PostgreSQL server (a URL without database) to use.
	EnvPG = "HULPBOT_MATTERMOST_E2E_PG"
)

// SkipUnlessEnabled skips the test unless EnvE2E is set.
func SkipUnlessEnabled(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvE2E) == "" {
		t.Skipf("end-to-end test against a real Mattermost server: set %s=1 to run it (the first run builds the server, ~3-5 min; later runs take seconds)", EnvE2E)
	}
}

// Server is a running Mattermost server.
type Server struct {
	// URL is the server's site URL, http://127.0.0.1:<port>.
	URL string
	// Admin is a client logged in as the system admin (the first user).
	Admin      *model.Client4
	AdminToken string
	// Dir holds the server's config, data and log.
	Dir string
}

// Password is the password of the users tests create.
const Password = "Hulpbot-e2e-2026!"

// Start builds the server if needed, starts it on a new database and
// creates the system admin. Everything stops and is removed when the test
// ends.
func Start(t testing.TB) *Server {
	t.Helper()
	SkipUnlessEnabled(t)
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}

	begin := time.Now()
	bin, err := build(root)
	if err != nil {
		t.Fatalf("mmtest: build the Mattermost server: %v", err)
	}
	t.Logf("mmtest: server binary ready in %s: %s", time.Since(begin).Round(time.Millisecond), bin)

	pg := os.Getenv(EnvPG)
	if pg == "" {
		pg = "postgres://postgres@127.0.0.1:5432"
	}
	pg = strings.TrimRight(pg, "/")
	var b [4]byte
	_, _ = rand.Read(b[:])
	db := "hulpbot_mm_e2e_" + hex.EncodeToString(b[:])
	if err := psql(pg, "CREATE DATABASE "+db); err != nil {
		t.Fatalf("mmtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := psql(pg, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)"); err != nil {
			t.Logf("mmtest: drop database %s: %v", db, err)
		}
	})

	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Dir: dir}
	logPath := filepath.Join(dir, "mattermost.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "server", "--config", filepath.Join(dir, "config.json"))
	cmd.Dir = filepath.Dir(filepath.Dir(bin)) // i18n/, templates/ and fonts/ are here
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), env(s.URL, port, pg+"/"+db+"?sslmode=disable&connect_timeout=10", dir)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	begin = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("mmtest: start mattermost: %v", err)
	}
	exited := make(chan struct{}) // closed when the process has ended
	go func() { _ = cmd.Wait(); _ = logFile.Close(); close(exited) }()
	t.Cleanup(func() { stop(t, cmd, exited, logPath) })

	if err := waitReady(s.URL, exited, 90*time.Second); err != nil {
		t.Fatalf("mmtest: %v\n%s", err, tail(logPath, 40))
	}
	t.Logf("mmtest: Mattermost %s ready in %s (log: %s)", s.URL, time.Since(begin).Round(time.Millisecond), logPath)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.Admin = model.NewAPIv4Client(s.URL)
	if _, _, err := s.Admin.CreateUser(ctx, &model.User{Username: "admin", Email: "admin@hulpbot.test", Password: Password}); err != nil {
		t.Fatalf("mmtest: create the admin: %v", err)
	}
	if _, _, err := s.Admin.Login(ctx, "admin", Password); err != nil {
		t.Fatalf("mmtest: log in as admin: %v", err)
	}
	s.AdminToken = s.Admin.AuthToken
	return s
}

// env is the configuration beyond the defaults, as MM_ variables.
func env(siteURL string, port int, dsn, dir string) []string {
	return []string{
		"MM_SQLSETTINGS_DRIVERNAME=postgres",
		"MM_SQLSETTINGS_DATASOURCE=" + dsn,
		"MM_SERVICESETTINGS_SITEURL=" + siteURL,
		fmt.Sprintf("MM_SERVICESETTINGS_LISTENADDRESS=127.0.0.1:%d", port),
		"MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION=true",
		"MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true",
		// Without this Mattermost refuses to call hulpbot on loopback.
		"MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS=127.0.0.1 localhost",
		"MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE=true",
		"MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false",
		"MM_PLUGINSETTINGS_ENABLE=false",
		"MM_PLUGINSETTINGS_ENABLEMARKETPLACE=false",
		"MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS=false",
		"MM_RATELIMITSETTINGS_ENABLE=false",
		"MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false",
		"MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED=false",
		"MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED=false",
		"MM_FILESETTINGS_DIRECTORY=" + filepath.Join(dir, "data") + "/",
		"MM_LOGSETTINGS_FILELOCATION=" + filepath.Join(dir, "logs"),
	}
}

// repoRoot is the hulpbot repository this file is in.
func repoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("mmtest: cannot find the repository")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	if _, err := os.Stat(filepath.Join(root, "scripts", "mattermost-server.sh")); err != nil {
		return "", fmt.Errorf("mmtest: %w", err)
	}
	return root, nil
}

// build runs scripts/mattermost-server.sh and returns the binary.
func build(root string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var out, errs bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "mattermost-server.sh"))
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%v\n%s", err, lastLines(errs.String(), 30))
	}
	dir := strings.TrimSpace(out.String())
	bin := filepath.Join(dir, "bin", "mattermost")
	if _, err := os.Stat(bin); err != nil {
		return "", err
	}
	return bin, nil
}

func psql(pg, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "psql", pg+"/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql).CombinedOutput()
	if err != nil {
		return fmt.Errorf("psql %q: %v: %s", sql, err, out)
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(url string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("mattermost exited before it was ready")
		default:
		}
		resp, err := c.Get(url + "/api/v4/system/ping")
		if err == nil {
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(b.String(), `"status":"OK"`) {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("mattermost did not answer /api/v4/system/ping within %s", limit)
}

// stop ends the server: SIGTERM to its process group, SIGKILL after 5 s
// (its database is dropped next, so a slow graceful stop saves nothing).
func stop(t testing.TB, cmd *exec.Cmd, exited <-chan struct{}, logPath string) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	if t.Failed() {
		t.Logf("mmtest: the end of the Mattermost log:\n%s", tail(logPath, 60))
	}
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return lastLines(string(b), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
