#!/usr/bin/env bash
# The whole test suite: vet, then every test with the race detector.
# Uses REDIS_URL when set; without it, tests start an embedded Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted" >&2; exit 1; fi
go vet ./...
go test -race -count=1 -timeout 30m ./...
