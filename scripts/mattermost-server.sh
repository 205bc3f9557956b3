#!/usr/bin/env bash
# Builds the pinned Mattermost Team Edition server (tools/mattermost) once
# into a reusable directory outside the repository and prints that directory:
#
#   <dir>/bin/mattermost, <dir>/i18n, <dir>/templates, <dir>/fonts
#
# The directory is $HULPBOT_MATTERMOST_DIR, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/hulpbot/mattermost-<server version>. A stamp
# of tools/mattermost/go.mod and go.sum beside the binary makes a second run
# a no-op (well under a second); a cold build takes about 5 minutes on 2 cores
# and needs ~2 GB of module and build cache. Concurrent runs wait for each
# other (flock). The end-to-end test (HULPBOT_MATTERMOST_E2E=1) calls this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod=$root/tools/mattermost
version=$(awk '$1 == "github.com/mattermost/mattermost/server/v8" { print $2; exit }' "$mod/go.mod")
[[ -n $version ]] || { echo "mattermost-server: no server/v8 requirement in $mod/go.mod" >&2; exit 1; }
dir=${HULPBOT_MATTERMOST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hulpbot/mattermost-$version}
stamp="$version $(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-16)"

built() { [[ -x $dir/bin/mattermost && -d $dir/i18n && "$(cat "$dir/.stamp" 2>/dev/null)" == "$stamp" ]]; }

if built; then echo "$dir"; exit 0; fi
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
if built; then echo "$dir"; exit 0; fi # built by whoever held the lock

echo "mattermost-server: building $version into $dir (cold: ~5 min)" >&2
start=$SECONDS
tmp=$dir.tmp.$$
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
cd "$mod"
# The checksum database has no entries for Mattermost's pseudo-versions;
# every other module is still verified. Never `go mod tidy` this module: it
# reaches for enterprise modules that do not exist.
export GOFLAGS="-mod=mod -buildvcs=false" GONOSUMDB=github.com/mattermost/mattermost GOWORK=off
go build -trimpath -o "$tmp/bin/mattermost" github.com/mattermost/mattermost/server/v8/cmd/mattermost
src=$(go list -m -f '{{.Dir}}' github.com/mattermost/mattermost/server/v8)
for d in i18n templates fonts; do
  cp -R "$src/$d" "$tmp/$d"
done
chmod -R u+w "$tmp"
echo "$stamp" >"$tmp/.stamp"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "mattermost-server: built in $((SECONDS - start))s" >&2
echo "$dir"
