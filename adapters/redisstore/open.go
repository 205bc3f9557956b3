package redisstore

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/internal/redisurl"
)

// Open connects to the Redis that raw names, with the client tuned for
// hulpbot; the func closes it. raw is one server (redis://, rediss://,
// unix://), a Redis Cluster (redis+cluster://host:port,host:port,…) or the
// master Redis Sentinel names (redis+sentinel://host:port,…/master); see
// internal/redisurl. An empty raw is an error: a configured hulpbot needs a
// real Redis.
func Open(raw string) (redis.UniversalClient, func(), error) {
	if raw == "" {
		return nil, nil, errors.New("redis_url is empty: a configured hulpbot needs a real Redis")
	}
	u, err := redisurl.Parse(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("redis_url: %w", err)
	}
	var c redis.UniversalClient
	switch u.Kind {
	case redisurl.Cluster:
		opts, err := redis.ParseClusterURL(goRedisURL(u, u.Username, u.Password, 0, nil))
		if err != nil {
			return nil, nil, fmt.Errorf("redis_url: %w", redact(err, u))
		}
		tuneCluster(opts)
		c = redis.NewClusterClient(opts)
	case redisurl.Sentinel:
		extra := url.Values{"master_name": {u.Master}}
		if u.Username != "" {
			extra.Set("username", u.Username)
		}
		if u.Password != "" {
			extra.Set("password", u.Password)
		}
		opts, err := redis.ParseFailoverURL(goRedisURL(u, u.SentinelUsername, u.SentinelPassword, u.DB, extra))
		if err != nil {
			return nil, nil, fmt.Errorf("redis_url: %w", redact(err, u))
		}
		tuneFailover(opts)
		c = redis.NewFailoverClient(opts)
	default:
		opts, err := redis.ParseURL(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("redis_url: %w", err)
		}
		tune(opts)
		c = redis.NewClient(opts)
	}
	return c, func() { _ = c.Close() }, nil
}

// goRedisURL writes u the way go-redis's cluster and failover parsers read
// it: the first address as the host, the others as addr options.
func goRedisURL(u redisurl.URL, user, password string, db int, extra url.Values) string {
	q := url.Values{}
	for k, v := range u.Query {
		q[k] = v
	}
	for k, v := range extra {
		q[k] = v
	}
	for _, a := range u.Addrs[1:] {
		q.Add("addr", a)
	}
	g := url.URL{Scheme: "redis", Host: u.Addrs[0], RawQuery: q.Encode()}
	if u.TLS {
		g.Scheme = "rediss"
	}
	if db != 0 {
		g.Path = "/" + strconv.Itoa(db)
	}
	switch {
	case password != "":
		g.User = url.UserPassword(user, password)
	case user != "":
		g.User = url.User(user)
	}
	return g.String()
}

// redact keeps the passwords of u out of err's text: go-redis may quote
// an option's value.
func redact(err error, u redisurl.URL) error {
	msg := err.Error()
	for _, p := range []string{u.Password, u.SentinelPassword} {
		if p != "" {
			msg = strings.ReplaceAll(msg, p, "…")
		}
	}
	return errors.New(msg)
}

// The timeouts of every client: a teacher waits for the answer, and a dead
// Redis must turn into the fallback message within a second, not after a
// minute.
const (
	dialTimeout = time.Second
	ioTimeout   = time.Second
	// poolSize: intake, the sweeper and 32 outbox deliveries share the
	// pool; the default (10 per CPU) made deliveries queue for a
	// connection. A cluster client has a pool this size per node.
	poolSize = 64
)

// conn points at the settings every kind of go-redis client has under
// its own options type, so hulpbot's choices for them are made once.
type conn struct {
	dial, read, write         *time.Duration
	pool                      *int
	readBuf, writeBuf         *int
	pipeReadBuf, pipeWriteBuf *int
}

// apply sets timeouts always, and pool and buffer sizes where the URL named
// none.
func (c conn) apply() {
	*c.dial, *c.read, *c.write = dialTimeout, ioTimeout, ioTimeout
	if *c.pool == 0 {
		*c.pool = poolSize
	}
	// Commands and replies are small (a message is a few kB, the largest
	// pipeline some 100 kB): small buffers keep 64 connections from costing
	// megabytes (go-redis gives each 32+32 kB, a pipeline 128+128 kB).
	if *c.readBuf == 0 {
		*c.readBuf, *c.writeBuf = 8<<10, 8<<10
		*c.pipeReadBuf, *c.pipeWriteBuf = 32<<10, 32<<10
	}
}

// tune sets what hulpbot needs of a client; pool and buffer sizes the URL
// names are kept.
func tune(opts *redis.Options) {
	conn{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.PoolSize,
		&opts.ReadBufferSize, &opts.WriteBufferSize, &opts.PipelineReadBufferSize, &opts.PipelineWriteBufferSize}.apply()
	opts.MaxRetries = 1
}

// tuneCluster is tune for a cluster client. A redirect (MOVED, ASK, and
// TRYAGAIN or CLUSTERDOWN while a replica takes over) is followed up to
// three times, 8 to 512 ms apart: a manual failover is over in well under
// a second, and a change nobody could make in time is refused by its
// not-after guard anyway.
func tuneCluster(opts *redis.ClusterOptions) {
	conn{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.PoolSize,
		&opts.ReadBufferSize, &opts.WriteBufferSize, &opts.PipelineReadBufferSize, &opts.PipelineWriteBufferSize}.apply()
	opts.MaxRedirects = 3
	// Every command goes to the master of its slot: hulpbot reads what it
	// just wrote.
	opts.ReadOnly, opts.RouteByLatency, opts.RouteRandomly = false, false, false
}

// tuneFailover is tune for a client that asks the sentinels for the master.
// It never reads from a replica: hulpbot reads what it just wrote.
func tuneFailover(opts *redis.FailoverOptions) {
	conn{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.PoolSize,
		&opts.ReadBufferSize, &opts.WriteBufferSize, &opts.PipelineReadBufferSize, &opts.PipelineWriteBufferSize}.apply()
	opts.MaxRetries = 1
	opts.ReplicaOnly, opts.RouteByLatency, opts.RouteRandomly = false, false, false
}

// OpenEmbedded starts a Redis inside this process (miniredis) and connects
// to it; the func closes the client and stops that Redis. It is for the
// demo only, never in place of Redis in a deployment: it keeps nothing
// across a restart.
func OpenEmbedded(log *slog.Logger) (redis.UniversalClient, func(), error) {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		return nil, nil, fmt.Errorf("start embedded redis: %w", err)
	}
	if log != nil {
		log.Info("embedded redis", "addr", mr.Addr())
	}
	c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	return c, func() { _ = c.Close(); mr.Close() }, nil
}
