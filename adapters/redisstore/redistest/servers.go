package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Servers are redis-server and redis-sentinel processes a test started on
// loopback ports, in a directory of their own; Stop ends them.
type Servers struct {
	dir   string
	mu    sync.Mutex
	procs map[string]*exec.Cmd // by address
}

// serverBinary and sentinelBinary are the programs the real setups need.
const (
	serverBinary   = "redis-server"
	sentinelBinary = "redis-sentinel"
	cliBinary      = "redis-cli"
)

// Need skips the test, saying why, when a program it needs is missing
// (.ci/run installs them).
func Need(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("redistest: %s is not installed (apt-get install redis-server redis-sentinel; .ci/run does)", p)
		}
	}
}

// FreePort returns a loopback TCP port nobody listens on right now.
func FreePort() (int, error) {
	p, err := FreePorts(1)
	if err != nil {
		return 0, err
	}
	return p[0], nil
}

// FreePorts returns n different loopback TCP ports nobody listens on right
// now. They are held open together while they are picked: one by one, a
// port closed may be handed out again at once, and a cluster node would
// find its port taken by another's bus (whose protocol answers a PING with
// EOF).
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		held = append(held, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// startAttempts is how often Cluster and Sentinel start their servers
// before they fail the test: a port picked free can be taken by another
// process before the server binds it.
const startAttempts = 3

func (s *Servers) start(addr, program string, args ...string) error {
	cmd := exec.Command(program, args...)
	logf, err := os.Create(filepath.Join(s.dir, strings.ReplaceAll(addr, ":", "_")+".out"))
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("start %s: %w", program, err)
	}
	go func() { _ = cmd.Wait(); _ = logf.Close() }()
	s.mu.Lock()
	s.procs[addr] = cmd
	s.mu.Unlock()
	return waitPing(addr, 10*time.Second)
}

// Stop ends every process (SIGKILL: nothing they hold is needed after the
// test).
func (s *Servers) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for addr, c := range s.procs {
		if c.Process != nil {
			_ = c.Process.Kill()
		}
		delete(s.procs, addr)
	}
}

// Log returns the output of the process at addr, for a failing test.
func (s *Servers) Log(addr string) string {
	b, _ := os.ReadFile(filepath.Join(s.dir, strings.ReplaceAll(addr, ":", "_")+".out"))
	return string(b)
}

func waitPing(addr string, within time.Duration) error {
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer func() { _ = c.Close() }()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not answer: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// until polls f every 50 ms until it reports done, or fails after within.
func until(within time.Duration, what string, f func(ctx context.Context) (bool, error)) error {
	deadline := time.Now().Add(within)
	var last error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		ok, err := f(ctx)
		cancel()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s (last error: %v)", what, within, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ClusterServers is a Redis Cluster of three masters, each with one replica.
type ClusterServers struct {
	*Servers
	// Nodes are the addresses of all six nodes.
	Nodes []string
	// URL names the cluster as hulpbot's redis_url (redis+cluster://).
	URL string
}

// Cluster starts a Redis Cluster of three masters and three replicas on free
// loopback ports, in a temporary directory, stopped when the test ends;
// serverArgs are given to every node. It skips the test when redis-server
// or redis-cli is missing.
func Cluster(t testing.TB, serverArgs ...string) *ClusterServers {
	t.Helper()
	Need(t, serverBinary, cliBinary)
	var (
		c   *ClusterServers
		err error
	)
	for i := range startAttempts {
		c, err = StartCluster(t.TempDir(), serverArgs...)
		if err == nil {
			break
		}
		if c != nil {
			c.Stop()
		}
		t.Logf("redistest: cluster start %d of %d: %v", i+1, startAttempts, err)
	}
	if c != nil {
		t.Cleanup(c.Stop)
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return c
}

// StartCluster is Cluster outside a test: the caller stops it. On an error
// the servers it started are returned too, to be stopped.
func StartCluster(dir string, serverArgs ...string) (*ClusterServers, error) {
	c := &ClusterServers{Servers: &Servers{dir: dir, procs: map[string]*exec.Cmd{}}}
	ports, err := FreePorts(12) // six nodes, each with its bus
	if err != nil {
		return c, err
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range 6 {
		port, bus := ports[2*i], ports[2*i+1]
		addr := "127.0.0.1:" + strconv.Itoa(port)
		c.Nodes = append(c.Nodes, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
				"--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(bus),
				"--cluster-config-file", "nodes-" + strconv.Itoa(port) + ".conf",
				"--cluster-node-timeout", "2000", "--dir", dir, "--save", "", "--appendonly", "no"}
			errs[i] = c.start(addr, serverBinary, append(args, serverArgs...)...)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	args := append([]string{"--cluster", "create"}, c.Nodes...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.Command(cliBinary, args...).CombinedOutput(); err != nil {
		return c, fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	// Every node agrees the cluster is up and knows all six.
	for _, addr := range c.Nodes {
		n := redis.NewClient(&redis.Options{Addr: addr})
		err := until(20*time.Second, addr+" sees the cluster up", func(ctx context.Context) (bool, error) {
			info, err := n.ClusterInfo(ctx).Result()
			if err != nil {
				return false, err
			}
			if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:6") {
				return false, nil
			}
			repl, err := n.Info(ctx, "replication").Result()
			return strings.Contains(repl, "role:master") || strings.Contains(repl, "master_link_status:up"), err
		})
		_ = n.Close()
		if err != nil {
			return c, err
		}
	}
	c.URL = "redis+cluster://" + strings.Join(c.Nodes, ",")
	return c, nil
}

// Client returns a cluster client, closed when the test ends.
func (c *ClusterServers) Client(t testing.TB) *redis.ClusterClient {
	t.Helper()
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Nodes})
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

// Failover makes the replica of the master that holds key take over with
// CLUSTER FAILOVER (the replica first catches up with its master, which
// holds its clients meanwhile), and waits until the new master is
// announced. It returns the old and the new master's address. An option
// ("FORCE": take over without the master's consent, so without catching
// up) is passed on.
func (c *ClusterServers) Failover(ctx context.Context, key string, option ...string) (from, to string, err error) {
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Nodes})
	defer func() { _ = cl.Close() }()
	slot, err := cl.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		return "", "", err
	}
	shards, err := cl.ClusterShards(ctx).Result()
	if err != nil {
		return "", "", err
	}
	for _, sh := range shards {
		in := false
		for _, r := range sh.Slots {
			in = in || (slot >= r.Start && slot <= r.End)
		}
		if !in {
			continue
		}
		for _, n := range sh.Nodes {
			a := net.JoinHostPort(n.IP, strconv.FormatInt(n.Port, 10))
			if n.Role == "master" {
				from = a
			} else if n.Health != "fail" {
				// (7.0 says "loading" of a replica that saw no write yet.)
				to = a
			}
		}
	}
	if from == "" || to == "" {
		return from, to, fmt.Errorf("no master with a replica for slot %d", slot)
	}
	r := redis.NewClient(&redis.Options{Addr: to})
	defer func() { _ = r.Close() }()
	args := []any{"CLUSTER", "FAILOVER"}
	for _, o := range option {
		args = append(args, o)
	}
	if err := r.Do(ctx, args...).Err(); err != nil {
		return from, to, fmt.Errorf("CLUSTER FAILOVER on %s: %w", to, err)
	}
	err = until(15*time.Second, to+" becomes master", func(ctx context.Context) (bool, error) {
		role, err := r.Do(ctx, "ROLE").Slice()
		if err != nil || len(role) == 0 {
			return false, err
		}
		return role[0] == "master", nil
	})
	return from, to, err
}

// SentinelServers is a master with one replica, watched over by three
// sentinels under the master name "hulpbot".
type SentinelServers struct {
	*Servers
	Master, Replica string
	Sentinels       []string
	// URL names the setup as hulpbot's redis_url (redis+sentinel://).
	URL string
}

// MasterName is the name the sentinels know the master by.
const MasterName = "hulpbot"

// Sentinel starts a master, its replica and three sentinels on free
// loopback ports, stopped when the test ends; serverArgs are given to both
// redis-servers (e.g. "--min-replicas-to-write", "1"). It skips the test
// when redis-server or redis-sentinel is missing.
func Sentinel(t testing.TB, serverArgs ...string) *SentinelServers {
	t.Helper()
	Need(t, serverBinary, sentinelBinary)
	var (
		s   *SentinelServers
		err error
	)
	for i := range startAttempts {
		s, err = StartSentinel(t.TempDir(), serverArgs...)
		if err == nil {
			break
		}
		if s != nil {
			s.Stop()
		}
		t.Logf("redistest: sentinel start %d of %d: %v", i+1, startAttempts, err)
	}
	if s != nil {
		t.Cleanup(s.Stop)
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return s
}

// StartSentinel is Sentinel outside a test: the caller stops it.
func StartSentinel(dir string, serverArgs ...string) (*SentinelServers, error) {
	s := &SentinelServers{Servers: &Servers{dir: dir, procs: map[string]*exec.Cmd{}}}
	ports, err := FreePorts(5)
	if err != nil {
		return s, err
	}
	addr := func(p int) string { return "127.0.0.1:" + strconv.Itoa(p) }
	s.Master, s.Replica = addr(ports[0]), addr(ports[1])
	common := append([]string{"--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"}, serverArgs...)
	if err := s.start(s.Master, serverBinary, append([]string{"--port", strconv.Itoa(ports[0])}, common...)...); err != nil {
		return s, err
	}
	if err := s.start(s.Replica, serverBinary, append([]string{"--port", strconv.Itoa(ports[1]), "--replicaof", "127.0.0.1", strconv.Itoa(ports[0])}, common...)...); err != nil {
		return s, err
	}
	rc := redis.NewClient(&redis.Options{Addr: s.Replica})
	defer func() { _ = rc.Close() }()
	if err := until(10*time.Second, "the replica in sync", func(ctx context.Context) (bool, error) {
		info, err := rc.Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:up"), err
	}); err != nil {
		return s, err
	}
	for _, p := range ports[2:] {
		conf := filepath.Join(dir, "sentinel-"+strconv.Itoa(p)+".conf")
		text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
			"sentinel monitor %s 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds %[3]s 1000\n"+
			"sentinel failover-timeout %[3]s 5000\n"+
			"sentinel parallel-syncs %[3]s 1\n", p, dir, MasterName, ports[0])
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			return s, err
		}
		a := addr(p)
		s.Sentinels = append(s.Sentinels, a)
		if err := s.start(a, sentinelBinary, conf); err != nil {
			return s, err
		}
	}
	// Each sentinel knows the replica and the two other sentinels, so a
	// failover can be agreed on.
	for _, a := range s.Sentinels {
		sc := redis.NewSentinelClient(&redis.Options{Addr: a})
		err := until(20*time.Second, a+" knows the replica and the other sentinels", func(ctx context.Context) (bool, error) {
			m, err := sc.Master(ctx, MasterName).Result()
			if err != nil {
				return false, err
			}
			return m["num-slaves"] == "1" && m["num-other-sentinels"] == "2", nil
		})
		_ = sc.Close()
		if err != nil {
			return s, err
		}
	}
	s.URL = "redis+sentinel://" + strings.Join(s.Sentinels, ",") + "/" + MasterName
	return s, nil
}

// Client returns a client of the master the sentinels name, closed when the
// test ends.
func (s *SentinelServers) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: MasterName, SentinelAddrs: s.Sentinels})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Failover asks a sentinel to fail over now (SENTINEL FAILOVER: the replica
// is promoted without waiting for the master to stop taking writes) and
// waits until every sentinel names the new master. The old master takes
// writes until the sentinels turn it into a replica (see Rejoined): what
// was written there meanwhile is lost.
// It returns the old and the new master's address.
func (s *SentinelServers) Failover(ctx context.Context) (from, to string, err error) {
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinels[0]})
	defer func() { _ = sc.Close() }()
	cur, err := sc.GetMasterAddrByName(ctx, MasterName).Result()
	if err != nil {
		return "", "", err
	}
	from = net.JoinHostPort(cur[0], cur[1])
	to = s.Master
	if from == s.Master {
		to = s.Replica
	}
	if err := sc.Failover(ctx, MasterName).Err(); err != nil {
		return from, to, fmt.Errorf("SENTINEL FAILOVER: %w", err)
	}
	for _, a := range s.Sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: a})
		err = until(20*time.Second, a+" names "+to, func(ctx context.Context) (bool, error) {
			m, err := c.GetMasterAddrByName(ctx, MasterName).Result()
			return err == nil && net.JoinHostPort(m[0], m[1]) == to, err
		})
		_ = c.Close()
		if err != nil {
			return from, to, err
		}
	}
	return from, to, nil
}

// Rejoined waits until the old master follows the new one (the sentinels
// turn it into a replica some seconds after a failover), so a next failover
// has a replica.
func (s *SentinelServers) Rejoined(ctx context.Context, old string) error {
	c := redis.NewClient(&redis.Options{Addr: old})
	defer func() { _ = c.Close() }()
	return until(30*time.Second, old+" replicates the new master", func(ctx context.Context) (bool, error) {
		info, err := c.Info(ctx, "replication").Result()
		return strings.Contains(info, "role:slave") && strings.Contains(info, "master_link_status:up"), err
	})
}
