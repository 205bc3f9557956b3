//go:build !unix

package httpserve

// openFiles: unknown here, so FitConns leaves the limit as configured.
func openFiles() (int, bool) { return 0, false }
