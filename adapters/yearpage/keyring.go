package yearpage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"
)

// secretKey is where a generated secret is kept, under the deployment's
// prefix. No TTL: links and sessions already handed out keep verifying.
func secretKey(prefix string) string { return prefix + ":web:secret" }

// Keyring hands out the Signer: from the configured secret, or from one
// kept in Redis (created by whichever replica comes first, with SET NX, so
// all replicas share it). It asks Redis lazily and until it succeeds, so
// hulpbot starts while Redis is still coming up.
type Keyring struct {
	configured string
	rdb        redis.UniversalClient
	prefix     string

	mu     sync.Mutex
	signer *Signer
}

// NewKeyring returns a keyring on the configured secret, or on Redis when
// it is empty.
func NewKeyring(configured string, rdb redis.UniversalClient, prefix string) *Keyring {
	return &Keyring{configured: configured, rdb: rdb, prefix: prefix}
}

// Signer returns the signer, reading or creating the shared secret once.
func (k *Keyring) Signer(ctx context.Context) (*Signer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.signer != nil {
		return k.signer, nil
	}
	if k.configured != "" {
		k.signer = NewSigner([]byte(k.configured))
		return k.signer, nil
	}
	if k.rdb == nil {
		return nil, errors.New("web secret: none configured and no Redis to keep one")
	}
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	key := secretKey(k.prefix)
	if err := k.rdb.SetNX(ctx, key, hex.EncodeToString(b[:]), 0).Err(); err != nil {
		return nil, fmt.Errorf("web secret: %w", err)
	}
	s, err := k.rdb.Get(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("web secret: %w", err)
	}
	if len(s) < 16 {
		return nil, fmt.Errorf("web secret: the value at %s is too short", key)
	}
	k.signer = NewSigner([]byte(s))
	return k.signer, nil
}
