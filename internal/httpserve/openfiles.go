package httpserve

// minConns is the fewest connections FitConns leaves a listener.
const minConns = 16

// FitConns is want, or fewer when the process may not have want
// connections open besides reserve other files: a listener that accepts
// more connections than there are file descriptors fails to accept at all,
// and so does everything else the process opens (Redis, the platforms'
// APIs, the health checks' own listener).
func FitConns(want, reserve int) int {
	limit, ok := openFiles()
	if !ok || want+reserve <= limit {
		return want
	}
	return max(limit-reserve, minConns)
}
