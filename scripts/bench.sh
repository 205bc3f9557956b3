#!/usr/bin/env bash
# Side-by-side intake benchmark: the ceiling (hulpload -scenario ceiling
# -mode=redis: parse the form, one EVALSHA; see cmd/hulpload/ceiling.go) and
# hulpbot (POST /slack/command with a valid Slack signature, the whole
# request for help), measured
# ALTERNATELY with the same wrk settings, the same pre-signed requests and
# the same Redis (AOF on, appendfsync everysec), ROUNDS rounds each; prints
# each round, the medians and the ratio hulpbot / ceiling.
#
#   scripts/bench.sh                      # 3 rounds, wrk -t2 -c50 -d10s
#   ROUNDS=5 DURATION=20s scripts/bench.sh
#
# A third run per round, the ceiling in -mode=notify (the same plus one
# synchronous chat POST to a ceiling in -mode=sink, as hulpbot must post a
# DM for every request), shows what the least work hulpbot must do costs
# here; NOTIFY=0 leaves it out. BARE=1 adds a fourth, the ceiling in
# -mode=bare (parse and answer, no I/O). HULPBOT=0 leaves hulpbot out and
# measures the ceiling's runs only (a quick check of the machine or of this
# script: ROUNDS=1 DURATION=2s HULPBOT=0 BARE=1 scripts/bench.sh).
#
# Settings (environment): ROUNDS (3), THREADS (2), CONNS (50), DURATION (10s),
# SCHOOLS (1000) and HELPERS per school (30), REQUESTS written per round
# (60000). Each hulpbot request creates a real request for help that holds
# a helper until its offer times out (offer_timeout 1h here), so
# SCHOOLS × HELPERS must exceed what one round sends: then every request is
# OFFERED to a helper (the path measured; the summary says how many were
# offered and how many escalated). Redis is flushed between runs.
#
# Needs: go, redis-server and redis-cli, wrk (installed with apt-get when
# missing); nothing outside the repository. Everything listens on 127.0.0.1 only; every process started
# here is stopped by its pid at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNS=${CONNS:-50}
DURATION=${DURATION:-10s}
SCHOOLS=${SCHOOLS:-1000}
HELPERS=${HELPERS:-30}
REQUESTS=${REQUESTS:-60000}
NOTIFY=${NOTIFY:-1}
BARE=${BARE:-0}
HULPBOT=${HULPBOT:-1}

die() { echo "bench.sh: $*" >&2; exit 1; }

command -v go >/dev/null || die "go is not installed"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || die "redis-server and redis-cli are needed (apt-get install redis-server)"
if ! command -v wrk >/dev/null; then
	echo "bench.sh: installing wrk" >&2
	if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
	$SUDO apt-get update -qq >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
		die "could not install wrk (apt-get install wrk)"
fi

work=$(mktemp -d)
declare -A running=()
cleanup() {
	for p in "${!running[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${!running[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
started() { running[$1]=1; }
# stop PID [SIGNAL]: ends a process started here and waits for it.
stop() {
	kill "-${2:-TERM}" "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	unset "running[$1]"
}

free_port() {
	# A port nobody listens on, below Linux's ephemeral range (32768+):
	# there an outgoing connection of the load may hold it, and the server
	# could not listen.
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	die "no free port"
}

wait_port() {
	for _ in $(seq 1 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	die "nothing listens on 127.0.0.1:$1 (see $work)"
}

echo "== building" >&2
# hulpbot as the Dockerfile builds it (static, stripped): what is deployed is measured.
[ "$HULPBOT" = 0 ] || CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/hulpbot" ./cmd/hulpbot
# hulpload runs hulpbot's rounds and is the ceiling (-scenario ceiling).
go build -o "$work/hulpload" ./cmd/hulpload

rport=$(free_port)
mkdir -p "$work/redis"
redis-server --bind 127.0.0.1 --port "$rport" --dir "$work/redis" --save "" \
	--appendonly yes --appendfsync everysec >"$work/redis.log" 2>&1 &
started $!
wait_port "$rport"
rcli() { redis-cli -p "$rport" "$@"; }

# fresh_redis empties Redis and rewrites the AOF, so each run starts from
# the same state and no AOF rewrite falls inside a measurement.
fresh_redis() {
	rcli flushall >/dev/null
	rcli bgrewriteaof >/dev/null
	for _ in $(seq 1 100); do
		rcli info persistence | grep -q '^aof_rewrite_in_progress:0' && return 0
		sleep 0.1
	done
	die "AOF rewrite did not finish"
}

redis_cpu_ms() { rcli info cpu | awk -F: '/^used_cpu_(user|sys):/ {t += $2} END {printf "%d", t * 1000}'; }
# proc_cpu_ms PID: user + system CPU time of a process so far (clock ticks of 10 ms).
proc_cpu_ms() { awk '{sub(/^.*\) /, ""); print ($12 + $13) * 10}' "/proc/$1/stat"; }
per() { awk -v a="$1" -v n="$2" 'BEGIN {printf "%.3f", (n > 0 ? a / n : 0)}'; }

redis_calls() { rcli info commandstats | awk -F'[:=,]' '/^cmdstat_/ && $1 != "cmdstat_info" {n += $3} END {print n+0}'; }

WRK=(wrk "-t$THREADS" "-c$CONNS" "-d$DURATION" --latency -s cmd/hulpload/wrk.lua)

# run_wrk URL FILE: prints "rps p50 p90 p99 max errors requests repeats"
run_wrk() {
	local out
	out=$("${WRK[@]}" "$1" -- "$2" "$THREADS")
	echo "$out" >>"$work/wrk.log"
	awk -F, '/^CSV,/ {r=$2; rps=$3; p50=$4; p90=$5; p99=$6; mx=$7; e=$8} /^REPEATS,/ {rep=$2}
		END {print rps, p50, p90, p99, mx, e, r, rep}' <<<"$out"
}

hulpbot_round() {
	local i=$1 ready="$work/ready-$i" reqs="$work/req.txt" hp calls0 calls1 line
	rm -f "$ready"
	fresh_redis
	"$work/hulpload" -scenario serve -hulpbot "$work/hulpbot" -redis "redis://127.0.0.1:$rport/0" \
		-schools "$SCHOOLS" -helpers "$HELPERS" -wrk-file "$reqs" -wrk-requests "$REQUESTS" \
		-ready-file "$ready" -duration 10m -tidy=false -json "$work/serve-$i.json" >"$work/serve-$i.txt" 2>&1 &
	hp=$!
	started "$hp"
	for _ in $(seq 1 600); do [ -s "$ready" ] && break; kill -0 "$hp" 2>/dev/null || break; sleep 0.1; done
	[ -s "$ready" ] || { cat "$work/serve-$i.txt" >&2; die "hulpbot did not start"; }
	sleep 1 # let the first sweeps and polls pass
	local bot rc0 rc1 pc0 pc1
	bot=$(sed -n 2p "$ready")
	calls0=$(redis_calls) rc0=$(redis_cpu_ms) pc0=$(proc_cpu_ms "$bot")
	line=$(run_wrk "$(head -1 "$ready")" "$reqs")
	calls1=$(redis_calls) rc1=$(redis_cpu_ms) pc1=$(proc_cpu_ms "$bot")
	stop "$hp"
	local offered escalated rss
	offered=$(grep -o '"offers_delivered": [0-9]*' "$work/serve-$i.json" | grep -o '[0-9]*$' || echo '?')
	escalated=$(grep -o '"fallback_posts_delivered": [0-9]*' "$work/serve-$i.json" | grep -o '[0-9]*$' || echo '?')
	rss=$(grep -o '"peak_rss_mb": [0-9.]*' "$work/serve-$i.json" | head -1 | grep -o '[0-9.]*$' || echo '?')
	echo "$line $((calls1 - calls0)) $((pc1 - pc0)) $((rc1 - rc0))" "$offered" "$escalated" "$rss"
}

# ceiling_round MODE: redis, bare, or notify (with a ceiling -mode=sink of its
# own as the chat API). Without hulpbot's rounds the first ceiling writes the
# request file (the same slash commands; the ceiling checks no signature).
ceiling_round() {
	local mode=${1:-redis} cport cp line sport="" sp="" more=()
	fresh_redis
	if [ "$mode" = notify ]; then
		sport=$(free_port)
		"$work/hulpload" -scenario ceiling -mode=sink -listen "127.0.0.1:$sport" >"$work/sink.log" 2>&1 &
		sp=$!
		started "$sp"
		wait_port "$sport"
		more+=(-notify-url "http://127.0.0.1:$sport/api/chat.postMessage")
	fi
	[ -s "$work/req.txt" ] || more+=(-schools "$SCHOOLS" -wrk-file "$work/req.txt" -wrk-requests "$REQUESTS")
	cport=$(free_port)
	"$work/hulpload" -scenario ceiling -mode="$mode" -listen "127.0.0.1:$cport" \
		-redis "redis://127.0.0.1:$rport/0" -tidy=false "${more[@]}" >"$work/ceiling-$mode.log" 2>&1 &
	cp=$!
	started "$cp"
	wait_port "$cport"
	sleep 1
	local calls0 calls1 rc0 rc1 pc0 pc1
	calls0=$(redis_calls) rc0=$(redis_cpu_ms) pc0=$(proc_cpu_ms "$cp")
	line=$(run_wrk "http://127.0.0.1:$cport" "$work/req.txt")
	calls1=$(redis_calls) rc1=$(redis_cpu_ms) pc1=$(proc_cpu_ms "$cp")
	stop "$cp"
	[ -z "$sp" ] || stop "$sp"
	echo "$line $((calls1 - calls0)) $((pc1 - pc0)) $((rc1 - rc0))"
}

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(go version | awk '{print $3}'), $(redis-server --version | awk '{print $3}'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
if [ "$HULPBOT" = 0 ]; then
	echo "== wrk -t$THREADS -c$CONNS -d$DURATION; the ceiling only; Redis AOF everysec; $ROUNDS rounds"
else
	echo "== wrk -t$THREADS -c$CONNS -d$DURATION; hulpbot: $SCHOOLS schools × $HELPERS helpers; Redis AOF everysec; $ROUNDS rounds, hulpbot first in each"
fi
fmt='%-8s %5s %9s %8s %8s %8s %8s %6s %8s %9s %9s %9s %s\n'
printf "$fmt" run round 'req/s' p50_ms p90_ms p99_ms max_ms errors requests 'redis/req' 'cpu ms/rq' 'redis ms/rq' 'path (offered/escalated delivered 2 s after), peak RSS MB'
h_rps=() h_p99=() c_rps=() c_p99=() n_rps=() n_p99=() b_rps=() b_p99=()
for i in $(seq 1 "$ROUNDS"); do
	if [ "$HULPBOT" != 0 ]; then
		read -r rps p50 p90 p99 mx e n rep calls pcpu rcpu off esc rss <<<"$(hulpbot_round "$i")"
		[ "${rep:-0}" = 0 ] || echo "   (hulpbot round $i: $rep requests repeated a trigger_id: raise REQUESTS)" >&2
		printf "$fmt" hulpbot "$i" "$rps" "$p50" "$p90" "$p99" "$mx" "$e" "$n" "$(per "$calls" "$n")" "$(per "$pcpu" "$n")" "$(per "$rcpu" "$n")" \
			"offered $off / escalated $esc, $rss MB"
		h_rps+=("$rps") h_p99+=("$p99")
	fi
	read -r rps p50 p90 p99 mx e n rep calls pcpu rcpu <<<"$(ceiling_round)"
	printf "$fmt" ceiling "$i" "$rps" "$p50" "$p90" "$p99" "$mx" "$e" "$n" "$(per "$calls" "$n")" "$(per "$pcpu" "$n")" "$(per "$rcpu" "$n")" "(ceiling -mode=redis)"
	c_rps+=("$rps") c_p99+=("$p99")
	if [ "$NOTIFY" = 1 ]; then
		read -r rps p50 p90 p99 mx e n rep calls pcpu rcpu <<<"$(ceiling_round notify)"
		printf "$fmt" notify "$i" "$rps" "$p50" "$p90" "$p99" "$mx" "$e" "$n" "$(per "$calls" "$n")" "$(per "$pcpu" "$n")" "$(per "$rcpu" "$n")" "(ceiling -mode=notify)"
		n_rps+=("$rps") n_p99+=("$p99")
	fi
	if [ "$BARE" = 1 ]; then
		read -r rps p50 p90 p99 mx e n rep calls pcpu rcpu <<<"$(ceiling_round bare)"
		printf "$fmt" bare "$i" "$rps" "$p50" "$p90" "$p99" "$mx" "$e" "$n" "$(per "$calls" "$n")" "$(per "$pcpu" "$n")" "$(per "$rcpu" "$n")" "(ceiling -mode=bare)"
		b_rps+=("$rps") b_p99+=("$p99")
	fi
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
cr=$(median "${c_rps[@]}") cp=$(median "${c_p99[@]}")
if [ "$HULPBOT" != 0 ]; then
	hr=$(median "${h_rps[@]}") hp=$(median "${h_p99[@]}")
	echo "== medians: hulpbot $hr req/s, p99 $hp ms; ceiling $cr req/s, p99 $cp ms"
	awk -v hr="$hr" -v cr="$cr" -v hp="$hp" -v cp="$cp" 'BEGIN {
		printf "== ratio: throughput %.1f %% of the ceiling (target >= 60 %%), p99 %.1f x the ceiling'"'"'s (target <= 2 x)\n", 100 * hr / cr, hp / cp
	}'
else
	echo "== medians: ceiling $cr req/s, p99 $cp ms"
fi
if [ "$NOTIFY" = 1 ]; then
	nr=$(median "${n_rps[@]}") np=$(median "${n_p99[@]}")
	awk -v nr="$nr" -v cr="$cr" -v hr="${hr:-}" -v np="$np" 'BEGIN {
		printf "== the ceiling with one chat POST per request (-mode=notify): %.0f req/s, p99 %s ms = %.1f %% of its -mode=redis", nr, np, 100 * nr / cr
		if (hr != "") printf "; hulpbot reaches %.1f %% of it", 100 * hr / nr
		printf "\n"
	}'
fi
if [ "$BARE" = 1 ]; then
	br=$(median "${b_rps[@]}") bp=$(median "${b_p99[@]}")
	awk -v br="$br" -v cr="$cr" -v bp="$bp" 'BEGIN {
		printf "== the ceiling without I/O (-mode=bare): %.0f req/s, p99 %s ms; one EVALSHA per request (-mode=redis) keeps %.1f %% of it\n", br, bp, 100 * cr / br
	}'
fi
echo "(redis/req: commands Redis ran per request, inside scripts included; cpu ms/rq: CPU of the server process (hulpbot or ceiling) per request; redis ms/rq: Redis CPU per request. \"delivered\": DMs and fallback posts the fake Slack had received 2 s after the round — offers not delivered by then were still in hulpbot's outbox)"
