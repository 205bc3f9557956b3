#!/usr/bin/env bash
# A Redis Cluster of three masters and three replicas on loopback, for
# running a package's tests (or hulpload) against a real cluster:
#
#   url=$(scripts/redis-cluster.sh start DIR [BASE_PORT])   # prints the redis+cluster:// URL
#   REDIS_URL=$url go test ./adapters/redisstore/
#   scripts/redis-cluster.sh stop DIR
#
# Ports BASE_PORT … BASE_PORT+5 (default 21101, below the ephemeral ports) for clients, each +100 for
# the cluster bus. No persistence unless APPENDONLY=yes (AOF everysec, as
# hulpload gives its own Redis). Every server is
# stopped by its pid file.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?directory}
base=${3:-21101}
case "$cmd" in
start)
  mkdir -p "$dir"
  nodes=()
  for i in 0 1 2 3 4 5; do
    p=$((base + i))
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-port $((p + 100)) \
      --cluster-config-file "nodes-$p.conf" --cluster-node-timeout 2000 --dir "$dir" \
      --save "" --appendonly "${APPENDONLY:-no}" --appendfsync everysec --daemonize yes --logfile "$dir/$p.log" --pidfile "$dir/$p.pid"
    nodes+=("127.0.0.1:$p")
  done
  for n in "${nodes[@]}"; do
    for _ in $(seq 50); do redis-cli -p "${n#*:}" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "${n#*:}" ping >/dev/null 2>&1 || { tail -3 "$dir/${n#*:}.log" >&2; exit 1; }
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
    { cat "$dir/create.log" >&2; exit 1; }
  for n in "${nodes[@]}"; do
    for _ in $(seq 100); do
      redis-cli -p "${n#*:}" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && break
      sleep 0.1
    done
  done
  (IFS=,; echo "redis+cluster://${nodes[*]}")
  ;;
stop)
  for f in "$dir"/*.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  ;;
*) echo "usage: $0 start|stop DIR [BASE_PORT]" >&2; exit 2 ;;
esac
