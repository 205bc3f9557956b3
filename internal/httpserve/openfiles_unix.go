//go:build unix

package httpserve

import (
	"math"
	"syscall"
)

// openFiles is the most files the process may have open. (Go raises the
// soft limit to the hard one at start, so this is the hard limit.)
func openFiles() (int, bool) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, false
	}
	return int(min(r.Cur, math.MaxInt32)), true
}
