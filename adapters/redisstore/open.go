package redisstore

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Open connects to the Redis that url names (redis:// or rediss://), with
// the client tuned for hulpbot; the func closes it. An empty url is an
// error: a configured hulpbot needs a real Redis.
func Open(url string) (redis.UniversalClient, func(), error) {
	if url == "" {
		return nil, nil, errors.New("redis_url is empty: a configured hulpbot needs a real Redis")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("redis_url: %w", err)
	}
	tune(opts)
	c := redis.NewClient(opts)
	return c, func() { _ = c.Close() }, nil
}

// tune sets what hulpbot needs of a client; pool and buffer sizes the URL
// names are kept.
func tune(opts *redis.Options) {
	// Short timeouts: a teacher waits for the answer, and a dead Redis must
	// turn into the fallback message within a second, not after a minute.
	opts.DialTimeout = time.Second
	opts.ReadTimeout = time.Second
	opts.WriteTimeout = time.Second
	opts.MaxRetries = 1
	if opts.PoolSize == 0 {
		// Intake, the sweeper and 32 outbox deliveries share the pool; the
		// default (10 per CPU) made deliveries queue for a connection.
		opts.PoolSize = 64
	}
	// Commands and replies are small (a message is a few kB, the largest
	// pipeline some 100 kB): small buffers keep 64 connections from costing
	// megabytes (go-redis gives each 32+32 kB, a pipeline 128+128 kB).
	if opts.ReadBufferSize == 0 {
		opts.ReadBufferSize, opts.WriteBufferSize = 8<<10, 8<<10
		opts.PipelineReadBufferSize, opts.PipelineWriteBufferSize = 32<<10, 32<<10
	}
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
