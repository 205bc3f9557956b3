// Package redisurl reads the one setting that says where hulpbot's Redis
// is: a single server, a Redis Cluster, or a master that Redis Sentinel
// watches over. It only reads and checks the URL; the client is made in
// adapters/redisstore.
//
//	redis://[user:password@]host:port[/db][?options]           one server (rediss:// with TLS, unix:///path.sock)
//	redis+cluster://[user:password@]host:port,host:port,…[?options]   a Redis Cluster: some of its nodes, the rest are found
//	redis+sentinel://[user:password@]host:port,host:port,…/master[/db][?options]   the master the sentinels at these addresses name
//
// rediss+cluster:// and rediss+sentinel:// use TLS. For Sentinel, the user
// and password are those of the Redis servers; a password of the sentinels
// themselves is the option sentinel_password (and sentinel_username).
package redisurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Kind is the kind of deployment a URL names.
type Kind int

const (
	// Single is one Redis server (redis://, rediss://, unix://).
	Single Kind = iota
	// Cluster is a Redis Cluster (redis+cluster://).
	Cluster
	// Sentinel is a master watched over by Redis Sentinel (redis+sentinel://).
	Sentinel
)

func (k Kind) String() string {
	switch k {
	case Cluster:
		return "cluster"
	case Sentinel:
		return "sentinel"
	default:
		return "single"
	}
}

// URL is a parsed redis URL.
type URL struct {
	Kind Kind
	TLS  bool
	// Addrs are host:port of the server, the cluster's seed nodes or the
	// sentinels; for unix:// the socket's path.
	Addrs              []string
	Username, Password string
	// Master is the name the sentinels know the master by (Sentinel only).
	Master string
	// DB is the database number (not for Cluster: a cluster has only 0).
	DB int
	// Query holds the options after '?' (pool_size, dial_timeout, …), for
	// the client to read; for Sentinel without sentinel_username and
	// sentinel_password, which are here:
	Query                              url.Values
	SentinelUsername, SentinelPassword string
}

// ErrURL is what every error of Parse wraps. Its messages never repeat the
// URL: it may hold a password.
var ErrURL = errors.New("redis URL")

// maxAddrs bounds the list of seed nodes or sentinels.
const maxAddrs = 64

// Parse reads raw. A plain redis://, rediss:// or unix:// URL is checked for
// its scheme only: the client's own parser reads it.
func Parse(raw string) (URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return URL{}, fmt.Errorf("%w: is not a URL", ErrURL)
	}
	var out URL
	switch u.Scheme {
	case "redis", "rediss", "unix":
		out.TLS = u.Scheme == "rediss"
		if u.Scheme == "unix" {
			if u.Path == "" {
				return URL{}, fmt.Errorf("%w: unix:// needs the socket's path", ErrURL)
			}
			out.Addrs = []string{u.Path}
			return out, nil
		}
		if u.Host == "" {
			return URL{}, fmt.Errorf("%w: no host", ErrURL)
		}
		out.Addrs = []string{u.Host}
		return out, nil
	case "redis+cluster", "rediss+cluster":
		out.Kind, out.TLS = Cluster, u.Scheme == "rediss+cluster"
	case "redis+sentinel", "rediss+sentinel":
		out.Kind, out.TLS = Sentinel, u.Scheme == "rediss+sentinel"
	default:
		return URL{}, fmt.Errorf("%w: is not a redis://, rediss://, unix://, redis+cluster:// or redis+sentinel:// URL", ErrURL)
	}
	if u.Opaque != "" {
		return URL{}, fmt.Errorf("%w: %s:// needs the addresses after //", ErrURL, u.Scheme)
	}
	if out.Addrs, err = hosts(u.Host); err != nil {
		return URL{}, err
	}
	if u.User != nil {
		out.Username = u.User.Username()
		out.Password, _ = u.User.Password()
	}
	if u.Fragment != "" {
		return URL{}, fmt.Errorf("%w: a fragment (#…) means nothing here", ErrURL)
	}
	out.Query = u.Query()
	for _, k := range []string{"addr", "master_name", "username", "password"} {
		if out.Query.Has(k) {
			return URL{}, fmt.Errorf("%w: the option %s belongs in the URL itself", ErrURL, k)
		}
	}
	path := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	switch out.Kind {
	case Cluster:
		if len(path) > 0 && !(len(path) == 1 && path[0] == "0") {
			return URL{}, fmt.Errorf("%w: a Redis Cluster has only database 0", ErrURL)
		}
	case Sentinel:
		if len(path) == 0 || len(path) > 2 {
			return URL{}, fmt.Errorf("%w: redis+sentinel:// needs the master's name as its path (/mymaster or /mymaster/0)", ErrURL)
		}
		out.Master = path[0]
		if len(path) == 2 {
			db, err := strconv.Atoi(path[1])
			if err != nil || db < 0 || db > 1<<16 {
				return URL{}, fmt.Errorf("%w: the database must be a number", ErrURL)
			}
			out.DB = db
		}
		out.SentinelUsername, out.SentinelPassword = out.Query.Get("sentinel_username"), out.Query.Get("sentinel_password")
		out.Query.Del("sentinel_username")
		out.Query.Del("sentinel_password")
	}
	return out, nil
}

// hosts splits a comma-separated list of host:port; each needs both.
func hosts(list string) ([]string, error) {
	if list == "" {
		return nil, fmt.Errorf("%w: no addresses", ErrURL)
	}
	parts := strings.Split(list, ",")
	if len(parts) > maxAddrs {
		return nil, fmt.Errorf("%w: more than %d addresses", ErrURL, maxAddrs)
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		h, port, err := net.SplitHostPort(p)
		if err != nil || h == "" {
			return nil, fmt.Errorf("%w: each address must be host:port", ErrURL)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: each address needs a port from 1 to 65535", ErrURL)
		}
		out = append(out, net.JoinHostPort(h, port))
	}
	return out, nil
}
