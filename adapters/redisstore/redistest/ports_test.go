package redistest

import (
	"net"
	"strconv"
	"testing"
)

// TestFreePorts: the ports picked together are all different and free:
// each can be listened on once they are returned.
func TestFreePorts(t *testing.T) {
	for range 20 {
		ports, err := FreePorts(12)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		for _, p := range ports {
			if seen[p] {
				t.Fatalf("port %d picked twice in %v", p, ports)
			}
			seen[p] = true
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				t.Fatalf("port %d is not free: %v", p, err)
			}
			_ = l.Close()
		}
	}
}
