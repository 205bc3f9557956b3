package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux build Go supports.
const clockTicks = 100

// ProcStats is what /proc says about a process.
type ProcStats struct {
	PeakRSS int64         // VmHWM, bytes
	RSS     int64         // VmRSS, bytes
	Anon    int64         // RssAnon: heap, stacks (bytes)
	File    int64         // RssFile: the binary's pages and other mapped files (bytes)
	CPU     time.Duration // utime + stime
}

// readProc reads VmHWM, VmRSS (status) and utime + stime (stat) of pid.
func readProc(pid int) (ProcStats, error) {
	var st ProcStats
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return st, err
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch k {
		case "VmHWM":
			st.PeakRSS = parseKB(v)
		case "VmRSS":
			st.RSS = parseKB(v)
		case "RssAnon":
			st.Anon = parseKB(v)
		case "RssFile":
			st.File = parseKB(v)
		}
	}
	f.Close()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return st, err
	}
	cpu, err := parseStatCPU(string(b))
	if err != nil {
		return st, err
	}
	st.CPU = cpu
	return st, nil
}

// parseKB reads "  12345 kB".
func parseKB(v string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
	return n * 1024
}

// parseStatCPU reads utime + stime from the text of /proc/<pid>/stat. The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("proc stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime is field 14, stime 15.
	if len(f) < 13 {
		return 0, errors.New("proc stat: too few fields")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("proc stat: utime/stime not numbers")
	}
	return time.Duration(u+s) * time.Second / clockTicks, nil
}

// freePort finds a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// child is a process hulpload started; it dies with hulpload.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func startChild(name string, args []string, env []string, logPath string) (*child, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	// Killed with hulpload, however hulpload ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	go func() { c.err = cmd.Wait(); logf.Close(); close(c.done) }()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop asks the process to end (SIGTERM) and kills it after grace.
func (c *child) stop(grace time.Duration) {
	if c.exited() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// redisServer is a private redis-server with AOF everysec in a temporary
// directory.
type redisServer struct {
	*child
	url string
}

func startRedis(dir string) (*redisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found: install Redis or pass -redis URL")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
		"--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "yes"}
	c, err := startChild(bin, args, os.Environ(), filepath.Join(dir, "redis.log"))
	if err != nil {
		return nil, err
	}
	r := &redisServer{child: c, url: fmt.Sprintf("redis://127.0.0.1:%d/0", port)}
	opt, _ := redis.ParseURL(r.url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return r, nil
		}
		if c.exited() || time.Now().After(deadline) {
			c.stop(time.Second)
			return nil, fmt.Errorf("redis-server did not start (see %s): %w", filepath.Join(dir, "redis.log"), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// redisCPU is used_cpu_user + used_cpu_sys of a Redis server; of a
// cluster, of all its nodes, replicas included (they pay for replication).
func redisCPU(ctx context.Context, rdb redis.UniversalClient) (time.Duration, error) {
	var mu sync.Mutex
	var total float64
	err := each(ctx, rdb, func(ctx context.Context, c redis.Cmdable) error {
		info, err := c.Info(ctx, "cpu").Result()
		if err != nil {
			return err
		}
		for _, line := range strings.Split(info, "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
			if ok && (k == "used_cpu_user" || k == "used_cpu_sys") {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return fmt.Errorf("redis info %s: %w", k, err)
				}
				mu.Lock()
				total += f
				mu.Unlock()
			}
		}
		return nil
	}, true)
	return time.Duration(total * float64(time.Second)), err
}

// each calls f with rdb, or on a cluster with each master (and each
// replica too when all).
func each(ctx context.Context, rdb redis.UniversalClient, f func(context.Context, redis.Cmdable) error, all bool) error {
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		return f(ctx, rdb)
	}
	g := func(ctx context.Context, n *redis.Client) error { return f(ctx, n) }
	if all {
		return cc.ForEachShard(ctx, g)
	}
	return cc.ForEachMaster(ctx, g)
}

// waitReady polls url until it answers 200.
func waitReady(ctx context.Context, url string, c *child, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if c != nil && c.exited() {
			return fmt.Errorf("hulpbot exited: %v", c.err)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s not ready after %s: %w", url, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// redisCalls reads the calls of each command from INFO commandstats; of a
// cluster, summed over its masters.
func redisCalls(ctx context.Context, rdb redis.UniversalClient) (map[string]int64, error) {
	var mu sync.Mutex
	out := map[string]int64{}
	err := each(ctx, rdb, func(ctx context.Context, c redis.Cmdable) error {
		info, err := c.Info(ctx, "commandstats").Result()
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		addCalls(out, info)
		return nil
	}, false)
	return out, err
}

func addCalls(out map[string]int64, info string) {
	for _, line := range strings.Split(info, "\n") {
		// cmdstat_evalsha:calls=123,usec=456,...
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "calls="); ok {
				n, err := strconv.ParseInt(v, 10, 64)
				if err == nil {
					out[strings.TrimPrefix(name, "cmdstat_")] += n
				}
			}
		}
	}
}
