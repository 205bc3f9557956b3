// Package pseudonym names a person without naming them: a keyed hash
// (HMAC-SHA256 with the deployment's key, its first 8 bytes in hex) of a
// helper id or a handle. The same person gets the same pseudonym in every
// process of a deployment and after a restart, so a Redis key built from it
// is found again and the log lines about one person can be followed; without
// the key nobody can tell whom it names, not even by trying a list of
// usernames one by one.
package pseudonym

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
)

// Len is the length of a pseudonym: 16 hex digits, 64 bits, so two people
// of a school never share one.
const Len = 16

// Keyring makes pseudonyms with the deployment's key. The key is loaded on
// first use, and until a load succeeds, so a process can start while the
// place that keeps it (Redis) is still coming up. Safe for concurrent use.
type Keyring struct {
	load func(context.Context) ([]byte, error)
	key  atomic.Pointer[[]byte]
	mu   sync.Mutex // one load at a time
}

// ErrNoKey is a key that is too short to keep pseudonyms from being guessed.
var ErrNoKey = errors.New("pseudonym: key shorter than 16 bytes")

// New returns a Keyring whose key load fetches when it is first needed.
func New(load func(context.Context) ([]byte, error)) *Keyring {
	return &Keyring{load: load}
}

// WithKey returns a Keyring with key loaded already (tests, tools).
func WithKey(key []byte) *Keyring {
	k := &Keyring{load: func(context.Context) ([]byte, error) { return key, nil }}
	_ = k.Load(context.Background())
	return k
}

// Load loads the key if it is not loaded yet.
func (k *Keyring) Load(ctx context.Context) error {
	if k.key.Load() != nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key.Load() != nil {
		return nil
	}
	key, err := k.load(ctx)
	if err != nil {
		return err
	}
	if len(key) < 16 {
		return ErrNoKey
	}
	key = append([]byte(nil), key...)
	k.key.Store(&key)
	return nil
}

// Of is the pseudonym of s, loading the key first when needed.
func (k *Keyring) Of(ctx context.Context, s string) (string, error) {
	if err := k.Load(ctx); err != nil {
		return "", err
	}
	p, _ := k.IfLoaded(s)
	return p, nil
}

// IfLoaded is the pseudonym of s when the key is loaded, without loading
// it: for a log line, which must not wait for Redis.
func (k *Keyring) IfLoaded(s string) (string, bool) {
	key := k.key.Load()
	if key == nil {
		return "", false
	}
	m := hmac.New(sha256.New, *key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil)[:Len/2]), true
}
