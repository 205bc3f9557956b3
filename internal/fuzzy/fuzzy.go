// Package fuzzy measures how far apart two words are, so a typo can be
// answered with "did you mean …?" (a command word, a configuration field).
package fuzzy

// Distance is the Levenshtein distance between a and b in runes, or stop if
// it is at least stop (enough to know it is too far; stop <= 0: no limit).
func Distance(a, b string, stop int) int {
	ra, rb := []rune(a), []rune(b)
	if stop > 0 {
		if d := len(ra) - len(rb); d >= stop || -d >= stop {
			return stop
		}
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	if stop > 0 {
		return min(prev[len(rb)], stop)
	}
	return prev[len(rb)]
}
