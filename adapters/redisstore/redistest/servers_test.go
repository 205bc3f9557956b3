package redistest

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestCluster: the cluster takes keys of every slot, and after a failover
// of one master the same client reads what was written before it.
func TestCluster(t *testing.T) {
	c := Cluster(t)
	if len(c.Nodes) != 6 {
		t.Fatalf("%d nodes, want 6", len(c.Nodes))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl := c.Client(t)
	masters := map[string]bool{}
	for i := range 30 {
		k := fmt.Sprintf("k:{s%d}", i)
		if err := cl.Set(ctx, k, i, 0).Err(); err != nil {
			t.Fatal(err)
		}
		n, err := cl.MasterForKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		masters[n.Options().Addr] = true
	}
	if len(masters) != 3 {
		t.Errorf("keys of 30 schools on %d masters, want 3", len(masters))
	}
	from, to, err := c.Failover(ctx, "k:{s0}")
	if err != nil {
		t.Fatal(err)
	}
	if from == to {
		t.Fatalf("failover from %s to itself", from)
	}
	if v, err := cl.Get(ctx, "k:{s0}").Int(); err != nil || v != 0 {
		t.Errorf("after the failover k:{s0} = %d, %v; want 0", v, err)
	}
	// The client learns the new slot map in the background after a MOVED
	// answer, so it may take a moment to name the new master; each round
	// asks for the key and has the client read the slot map again.
	var now string
	if err := until(10*time.Second, "the client to know the new master", func(ctx context.Context) (bool, error) {
		if err := cl.Get(ctx, "k:{s0}").Err(); err != nil {
			return false, err
		}
		cl.ReloadState(ctx)
		n, err := cl.MasterForKey(ctx, "k:{s0}")
		if err != nil {
			return false, err
		}
		now = n.Options().Addr
		return now == to, nil
	}); err != nil {
		t.Errorf("k:{s0} now on %s, want the new master %s: %v", now, to, err)
	}
}

// TestSentinel: the failover client follows SENTINEL FAILOVER to the new
// master, and finds what was written before it.
func TestSentinel(t *testing.T) {
	s := Sentinel(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := s.Client(t)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(ctx, 1, time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	from, to, err := s.Failover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if from != s.Master || to != s.Replica {
		t.Errorf("failover from %s to %s, want %s to %s", from, to, s.Master, s.Replica)
	}
	var v string
	if err := until(10*time.Second, "a write through the client", func(ctx context.Context) (bool, error) {
		if err := c.Set(ctx, "k2", "w", 0).Err(); err != nil {
			return false, err
		}
		v, err = c.Get(ctx, "k").Result()
		return err == nil, err
	}); err != nil {
		t.Fatal(err)
	}
	if v != "v" {
		t.Errorf("after the failover k = %q, want v", v)
	}
	if err := s.Rejoined(ctx, from); err != nil {
		t.Error(err)
	}
}
