package main

import (
	"testing"

	"github.com/alicebob/miniredis/v2"
)

func startMiniredis(t *testing.T) string {
	t.Helper()
	return "redis://" + miniredis.RunT(t).Addr() + "/0"
}
