package yearpage

import (
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
)

// TestKeyringSharedByReplicas: replicas without a configured secret agree
// on the one the first of them kept in Redis, so a link one made opens on
// another.
func TestKeyringSharedByReplicas(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	var (
		wg      sync.WaitGroup
		signers [4]*Signer
	)
	for i := range signers {
		wg.Go(func() {
			s, err := NewKeyring("", rdb, prefix).Signer(t.Context())
			if err != nil {
				t.Error(err)
			}
			signers[i] = s
		})
	}
	wg.Wait()
	now := time.Unix(1_800_000_000, 0)
	tok := signers[0].Sign(Pass{Kind: passLink, Scope: Scope{ScopeSchool, "de-vaart"}, Who: sanne, Expires: now.Unix() + 60})
	for i, s := range signers {
		if _, err := s.Verify(tok, passLink, now); err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	if ttl := rdb.TTL(t.Context(), secretKey(prefix)).Val(); ttl != -1 {
		t.Errorf("the secret's TTL is %v; want none (links already sent keep working)", ttl)
	}
	// A configured secret is used as is, without Redis.
	s, err := NewKeyring("0123456789abcdef", nil, prefix).Signer(t.Context())
	if err != nil || s == nil {
		t.Fatalf("configured: %v", err)
	}
	if _, err := s.Verify(tok, passLink, now); err == nil {
		t.Error("a pass of the generated key verified with the configured one")
	}
}
