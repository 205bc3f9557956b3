#!/usr/bin/env bash
# The end-to-end test against a real Mattermost server: builds the pinned
# server once (scripts/mattermost-server.sh; cold ~3-4 min, then cached),
# starts it on a fresh database in the local PostgreSQL
# ($HULPBOT_MATTERMOST_E2E_PG, default postgres://postgres@127.0.0.1:5432),
# and plays the story with the real hulpbot program. Uses REDIS_URL when set,
# an embedded Redis otherwise. Extra arguments go to go test (e.g. -race).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/mattermost-server.sh >/dev/null
HULPBOT_MATTERMOST_E2E=1 exec go test -count=1 -run 'TestMattermostE2E' -v "$@" ./cmd/hulpbot/
