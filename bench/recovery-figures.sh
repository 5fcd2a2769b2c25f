#!/usr/bin/env bash
# Figures of the Redis stream bus (cluster emits as XADD/XREAD, the log of connection state recovery) in one run:
#
#   bench/recovery-figures.sh [--rounds R] [--sockets N] [--emits K] [--small-sockets N] [--small-emits K]
#                             [--rates "50 200"] [--rate-seconds D] [--trials T] [--no-warmup] [--only 1,2,3]
#
# 1. Extra latency and CPU per emit, stream bus (this tree's jar) against pub/sub bus (the jar of OLD_REV, 1eaffba):
#    two two-node clusters side by side on the same Redis, old (oldA, oldB) and new (newA, newB), each with its own
#    key prefix, adapter channel key and (new only) stream name. bench/cluster-load.js (unchanged) runs, per round:
#      two-nodes-cross   N sockets on B, K alerts posted to A (every delivery crosses Redis)
#      two-nodes-local   N sockets on A, K alerts posted to A (the new bus reads even local emits back from Redis)
#    and the same two with few sockets (--small-sockets x --small-emits), where the bus, not the fan-out, dominates.
#    Old and new alternate (odd rounds old first, even rounds new first); the table shows the medians and new/old.
# 2. Redis memory of the stream: a new-jar cluster node (M, a stream of its own) is sent POST /emit/alert at each
#    rate of --rates for --rate-seconds; then XLEN and MEMORY USAGE <stream> SAMPLES 0 -> bytes per entry, MB per
#    minute of log, and what the default bounds (window 2 min + 30 s of trim slack, 100,000 entries) hold.
# 3. Replay of a 2-minute gap: a manager (official socket.io-client, websocket) on newA through a TCP proxy of the
#    helper; one alert; the proxy cuts; 1,200 alerts to its tenant and 4,800 to 40 other tenants are emitted (10 times
#    faster than real time: 500/s for 12 s); the proxy lets it reconnect to newB. Time from the new connection and
#    from `connect` to the last replayed event; recovered, every alert once and in order. The same on a single node
#    (S, REDIS_URL empty), trials interleaved, after one unmeasured warm-up trial per mode (reported apart).
#
# Env:
#   SHARED_BENCH     the shared bench folder (default ../shared/bench beside the repo; socket.io-client 4.8 from there)
#   JAR              the new jar (default target/salesmate-realtime.jar; built when missing)
#   OLD_REV          the pub/sub commit (default 1eaffba); OLD_REPO its worktree (default ../wt-old beside the repo,
#                    created with `git worktree add` when missing), OLD_JAR its jar (default $OLD_REPO/target/...,
#                    built there with Maven when missing). Each jar runs from its own tree's config.yml.
#   REDIS_URL        the shared Redis (default redis://127.0.0.1:6379); REDIS_PID its process (default: the one
#                    redis-server process)
#   OUT_DIR          results (default a new folder under ${TMPDIR:-/tmp}); BENCH_CACHE, BENCH_FRESH as bench/run.sh
#   CLIENTS, CONNECT_CONCURRENCY, SETTLE_MS   passed to cluster-load.js
#   WARMUP_SOCKETS (300), WARMUP_FLOOD_SECONDS (20)   unmeasured warm-up per pair
#   GAP_MINE (1200), GAP_OTHERS (4800), GAP_RATE (500)   figure 3's gap: alerts to the socket's tenant, to 40 other
#                    tenants, entries per second emitted
#
# The stream name has no environment variable in config.yml (cluster.streamName, default "socket.io", not under the
# key prefix): the new nodes get theirs with -Ddw.cluster.streamName=..., Dropwizard's system property override.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

rounds=3 sockets=1000 emits=10 small_sockets=20 small_emits=50 rates="50 200" rate_seconds=60 trials=3 warmup=1
only="1,2,3"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --sockets) sockets="$2"; shift ;;
    --emits) emits="$2"; shift ;;
    --small-sockets) small_sockets="$2"; shift ;;
    --small-emits) small_emits="$2"; shift ;;
    --rates) rates="$2"; shift ;;
    --rate-seconds) rate_seconds="$2"; shift ;;
    --trials) trials="$2"; shift ;;
    --no-warmup) warmup="" ;;
    --only) only="$2"; shift ;;
    -h|--help) sed -n '2,38p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for v in "$rounds" "$sockets" "$emits" "$small_sockets" "$small_emits" "$rate_seconds" "$trials" $rates; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "not a number: $v" >&2; exit 2; }
done
want() { [[ ",$only," == *",$1,"* ]]; }

shared="${SHARED_BENCH:-$repo/../shared/bench}"
jar="$(realpath -m "${JAR:-$repo/target/salesmate-realtime.jar}")"
old_rev="${OLD_REV:-1eaffba}"
old_repo="$(realpath -m "${OLD_REPO:-$repo/../wt-old}")"
old_jar="$(realpath -m "${OLD_JAR:-$old_repo/target/salesmate-realtime.jar}")"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
export RATE_LIMIT_PER_SEC="${RATE_LIMIT_PER_SEC:-1000}"
export SQLITE_SYNCHRONOUS="${SQLITE_SYNCHRONOUS:-FULL}"
export SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS="${SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS:-100000}"
export SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC="${SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC:-100000}"
export PRESENCE_GRACE="${PRESENCE_GRACE:-100ms}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="${OUT_DIR:-${TMPDIR:-/tmp}/salesmate-recovery-figures-$stamp}"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/salesmate-recovery-figures-work.XXXXXX")"
secret="bench-secret-$RANDOM$RANDOM$RANDOM-$RANDOM$RANDOM" admin_key="bench-admin-key-$RANDOM$RANDOM"
prefix="salesmate-figs-$stamp-$RANDOM" # every key and stream of this run starts with it

[[ -f "$shared/load.js" && -f "$shared/package-lock.json" ]] || { echo "no shared bench at $shared (set SHARED_BENCH)" >&2; exit 2; }
command -v node >/dev/null || { echo "node 20 and npm are needed" >&2; exit 2; }
command -v redis-cli >/dev/null || { echo "redis-cli is needed" >&2; exit 2; }
redis-cli -u "$redis_url" ping </dev/null 2>&1 | grep -q PONG || { echo "Redis at $redis_url does not answer PING" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# ---------------------------------------------------------------- cleanup: every process this script starts
node_pids=() helper_pid=""
stop_pids() {
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
cleanup() {
  trap - EXIT INT TERM
  if [[ -n "$helper_pid" ]]; then kill "$helper_pid" 2>/dev/null || true; fi
  stop_pids "${node_pids[@]}"
  redis-cli -u "$redis_url" --scan --pattern "$prefix*" </dev/null 2>/dev/null \
    | xargs -r -n 100 redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- jars and the load tool
if [[ ! -f "$old_jar" ]]; then
  if [[ ! -d "$old_repo" ]]; then
    echo "== git worktree add $old_repo $old_rev" >&2
    git -C "$repo" worktree add "$old_repo" "$old_rev" >&2
  fi
  echo "== building $old_jar" >&2
  (cd "$old_repo" && mvn -B -q -DskipTests package -Dbuild.dir="$(dirname "$old_jar")") >&2
fi
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
prepare_load_tool "$repo" "$jar" "$shared" "$work"
cp "$here/cluster-load.js" "$here/recovery-figures.mjs" "$work/bench/"

redis_pid="${REDIS_PID:-}"
if [[ -z "$redis_pid" ]] && [[ "$redis_url" =~ ^redis://(127\.0\.0\.1|localhost)(:|/|$) ]]; then
  found="$(pgrep -x redis-server || true)"
  if [[ "$(wc -w <<<"$found")" != 1 ]]; then # several (tests start their own): the one on this URL's port
    rport="$(sed -E 's#^redis://[^:/]+:?([0-9]*).*#\1#' <<<"$redis_url")"
    found="$(for p in $found; do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q ":${rport:-6379}\b" && echo "$p"; done || true)"
  fi
  [[ "$(wc -w <<<"$found")" == 1 ]] && redis_pid="$found"
fi
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "java: $(java -version 2>&1 | sed -n 1p); node: $(node -v); socket.io-client $(node -p 'require(process.argv[1]).version' "$work/bench/node_modules/socket.io-client/package.json")"
  echo "redis: $(redis-cli -u "$redis_url" info server </dev/null 2>/dev/null | tr -d '\r' | awk -F: '/^redis_version/ {print $2}') at $redis_url (pid ${redis_pid:-unknown}); keys and streams of this run: $prefix*"
  echo "new: $(cd "$repo" && git rev-parse --short HEAD) (jar $jar, built $(date -u -r "$jar" +%Y-%m-%dT%H:%M:%SZ))"
  echo "old: $(git -C "$old_repo" rev-parse --short HEAD 2>/dev/null || echo "$old_rev") (jar $old_jar, built $(date -u -r "$old_jar" +%Y-%m-%dT%H:%M:%SZ))"
  echo "figure 1: $sockets sockets x $emits alerts and $small_sockets sockets x $small_emits alerts, $rounds rounds, old/new alternating; warm-up $([[ -n "$warmup" ]] && echo "fanout ${WARMUP_SOCKETS:-300} 20 + flood 10 ${WARMUP_FLOOD_SECONDS:-20} 8 per pair" || echo none)"
  echo "figure 2: rates $rates /s for $rate_seconds s each; figure 3: $trials trials per mode, gap ${GAP_MINE:-1200} + ${GAP_OTHERS:-4800} alerts at ${GAP_RATE:-500}/s"
  echo "RATE_LIMIT_PER_SEC=$RATE_LIMIT_PER_SEC SQLITE_SYNCHRONOUS=$SQLITE_SYNCHRONOUS PRESENCE_GRACE=$PRESENCE_GRACE JAVA_OPTS=${JAVA_OPTS:-} CLIENTS=${CLIENTS:-2}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/run.txt" >&2

# ---------------------------------------------------------------- nodes
declare -A rest_port admin_port sio_port pid_of
# start_node LABEL JAR TREE REDIS_URL KEY_PREFIX CHANNEL_KEY STREAM_NAME ('' for the old jar, which has none)
start_node() {
  local label="$1" jar_="$2" tree="$3" url="$4" kp="$5" ck="$6" stream="$7" port admin sio props=""
  port="$(free_port)" admin="$(free_port)" sio="$(free_port)"
  mkdir -p "$work/$label"
  [[ -n "$stream" ]] && props="-Ddw.cluster.streamName=$stream"
  # shellcheck disable=SC2086
  (cd "$tree" && PORT="$port" ADMIN_PORT="$admin" SOCKETIO_PORT="$sio" DATA_DIR="$work/$label" \
    DATABASE_URL="jdbc:sqlite:$work/$label/salesmate.db" JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" \
    REDIS_URL="$url" REDIS_KEY_PREFIX="$kp" REDIS_CHANNEL_KEY="$ck" \
    exec java ${JAVA_OPTS:-} $props -jar "$jar_" server config.yml) >"$out/$label.log" 2>&1 &
  pid_of[$label]=$!
  node_pids+=("$!")
  rest_port[$label]="$port" admin_port[$label]="$admin" sio_port[$label]="$sio"
}
cluster_nodes() { # how many live nodes LABEL counts
  curl -s "http://127.0.0.1:${admin_port[$1]}/metrics" | node -e 'let s="";process.stdin.on("data",(d)=>{s+=d;}).on("end",()=>{
    try { console.log(JSON.parse(s).gauges["cluster.nodes"].value); } catch { console.log("?"); } });'
}
wait_pair() { # label of the first node: sees 2 nodes
  local n
  for _ in $(seq 1 60); do
    n="$(cluster_nodes "$1")"
    [[ "$n" == 2 ]] && return 0
    sleep 0.25
  done
  echo "$1 sees $n cluster node(s), not 2" >&2
  return 1
}
stop_node() {
  local l="$1" pid="${pid_of[$1]}" kept=() p
  stop_pids "$pid"
  for p in "${node_pids[@]}"; do [[ "$p" != "$pid" ]] && kept+=("$p"); done
  node_pids=("${kept[@]}")
  unset "pid_of[$l]"
}
alive_check() {
  local l
  for l in "${!pid_of[@]}"; do
    kill -0 "${pid_of[$l]}" 2>/dev/null || { echo "node $l is gone (see $out/$l.log)" | tee -a "$out/run.txt" >&2; exit 1; }
  done
}
pids_except() { # comma-separated pids of every running node but the labels given
  local l res=""
  for l in "${!pid_of[@]}"; do
    [[ " $* " == *" $l "* ]] || res+="${res:+,}${pid_of[$l]}"
  done
  echo "$res"
}
new_stream="$prefix-new-stream"
if want 1 || want 3; then
  echo "== starting oldA, oldB (pub/sub bus, $old_rev) and newA, newB (stream bus) on $redis_url" >&2
  if want 1; then
    start_node oldA "$old_jar" "$old_repo" "$redis_url" "$prefix-old" "$prefix-old-sio" ""
  fi
  start_node newA "$jar" "$repo" "$redis_url" "$prefix-new" "$prefix-new-sio" "$new_stream"
  if want 1; then wait_node_ready oldA; start_node oldB "$old_jar" "$old_repo" "$redis_url" "$prefix-old" "$prefix-old-sio" ""; fi
  wait_node_ready newA
  start_node newB "$jar" "$repo" "$redis_url" "$prefix-new" "$prefix-new-sio" "$new_stream"
  if want 1; then wait_node_ready oldB; wait_pair oldA; fi
  wait_node_ready newB
  wait_pair newA
  echo "nodes: $(for l in "${!pid_of[@]}"; do printf '%s pid %s, ' "$l" "${pid_of[$l]}"; done)" | tee -a "$out/run.txt" >&2
fi

# ---------------------------------------------------------------- figure 1
# run_load FILE LABEL PAIR(old|new) SOCKETS_ON(A|B|A,B) scenario...
run_load() {
  local file="$1" label="$2" pair="$3" on="$4" rc=0 l
  shift 4
  local sio_urls="" server_pids="" metrics_urls=""
  for l in A B; do
    sio_urls+="${sio_urls:+,}$l=http://127.0.0.1:${sio_port[$pair$l]}"
    server_pids+="${server_pids:+,}$l=${pid_of[$pair$l]}"
    metrics_urls+="${metrics_urls:+,}$l=http://127.0.0.1:${admin_port[$pair$l]}/metrics"
  done
  echo "== $label ($pair): sockets on $on, alerts to A: $*" >&2
  # the label says the pair: old/two-nodes-cross, new/two-nodes-cross
  LABEL="$pair/$label" SIO_URLS="$sio_urls" SOCKETS_ON="$on" API_URL="http://127.0.0.1:${rest_port[${pair}A]}/api/websocket" \
    SERVER_PIDS="$server_pids" IDLE_PIDS="$(pids_except "${pair}A" "${pair}B")" METRICS_URLS="$metrics_urls" \
    REDIS_PID="$redis_pid" JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" \
    node "$work/bench/cluster-load.js" "$@" >>"$file" 2>>"$out/load.err" &
  helper_pid=$!
  wait "$helper_pid" || rc=$?
  helper_pid=""
  tail -n 1 "$file" | cut -c1-240 >&2
  alive_check
  [[ "$rc" == 0 ]] || echo "the load tool reported a failure on $label/$pair (rc $rc; see $out/load.err)" | tee -a "$out/run.txt" >&2
}
if want 1; then
  if [[ -n "$warmup" ]]; then
    w="${WARMUP_SOCKETS:-300}" wf="${WARMUP_FLOOD_SECONDS:-20}"
    for p in old new; do
      run_load "$out/warmup.jsonl" warmup "$p" A,B fanout "$w" 20 flood 10 "$wf" 8
    done
  fi
  for r in $(seq 1 "$rounds"); do
    echo "== figure 1, round $r of $rounds" >&2
    if (( r % 2 )); then order="old new"; else order="new old"; fi
    for sc in cross local small-cross small-local; do
      case "$sc" in
        cross) on=B n="$sockets" k="$emits" ;;
        local) on=A n="$sockets" k="$emits" ;;
        small-cross) on=B n="$small_sockets" k="$small_emits" ;;
        small-local) on=A n="$small_sockets" k="$small_emits" ;;
      esac
      [[ "$n" == 0 ]] && continue
      for p in $order; do
        run_load "$out/results.jsonl" "two-nodes-$sc" "$p" "$on" fanout "$n" "$k"
      done
    done
  done
  if [[ -n "${pid_of[oldA]:-}" ]]; then stop_node oldA; stop_node oldB; fi
fi

# ---------------------------------------------------------------- figures 2 and 3: the helper
helper() { # subcommand, output file, env...
  local sub="$1" file="$2" rc=0
  shift 2
  env "$@" JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" REDIS_URL="$redis_url" \
    node "$work/bench/recovery-figures.mjs" "$sub" >>"$file" 2>>"$out/helper.err" &
  helper_pid=$!
  wait "$helper_pid" || rc=$?
  helper_pid=""
  alive_check
  [[ "$rc" == 0 ]] || echo "recovery-figures.mjs $sub failed (rc $rc; see $out/helper.err)" | tee -a "$out/run.txt" >&2
}
if want 2 || want 3; then
  want 2 && start_node M "$jar" "$repo" "$redis_url" "$prefix-mem" "$prefix-mem-sio" "$prefix-mem-stream"
  want 3 && start_node S "$jar" "$repo" "" "$prefix-single" "$prefix-single-sio" "$prefix-single-stream"
  want 2 && wait_node_ready M
  want 3 && wait_node_ready S
fi
if want 2; then
  if [[ -n "$warmup" ]]; then
    echo "== figure 2 warm-up (not measured): POST /emit/alert to M at 100/s for 15 s" >&2
    helper memory "$out/warmup.jsonl" API_URL="http://127.0.0.1:${rest_port[M]}/api/websocket" \
      STREAM="$prefix-mem-stream" RATE=100 SECONDS_=15 SERVER_PID="${pid_of[M]}"
  fi
  for rate in $rates; do
    echo "== figure 2: POST /emit/alert to M at $rate/s for $rate_seconds s" >&2
    redis-cli -u "$redis_url" del "$prefix-mem-stream" </dev/null >/dev/null
    sleep 1
    helper memory "$out/memory.jsonl" API_URL="http://127.0.0.1:${rest_port[M]}/api/websocket" \
      STREAM="$prefix-mem-stream" RATE="$rate" SECONDS_="$rate_seconds" SERVER_PID="${pid_of[M]}"
    tail -n 1 "$out/memory.jsonl" | cut -c1-240 >&2
  done
  stop_node M
fi
if want 3; then
  echo "== figure 3: replay of a gap, $trials trials per mode" >&2
  helper replay "$out/replay.jsonl" TRIALS="$trials" \
    CLUSTER_API_A="http://127.0.0.1:${rest_port[newA]}/api/websocket" \
    CLUSTER_API_B="http://127.0.0.1:${rest_port[newB]}/api/websocket" \
    CLUSTER_SIO_A="127.0.0.1:${sio_port[newA]}" CLUSTER_SIO_B="127.0.0.1:${sio_port[newB]}" \
    CLUSTER_METRICS_B="http://127.0.0.1:${admin_port[newB]}/metrics" \
    SINGLE_API="http://127.0.0.1:${rest_port[S]}/api/websocket" SINGLE_SIO="127.0.0.1:${sio_port[S]}" \
    SINGLE_METRICS="http://127.0.0.1:${admin_port[S]}/metrics" STREAM="$new_stream" \
    GAP_MINE="${GAP_MINE:-1200}" GAP_OTHERS="${GAP_OTHERS:-4800}" GAP_RATE="${GAP_RATE:-500}" \
    REPLAY_WARMUP="$([[ -n "$warmup" ]] && echo 1 || echo 0)"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/run.txt" >&2

node "$here/recovery-figures.mjs" report "$out" | tee "$out/report.md"
echo "results: $out (run.txt, results.jsonl, warmup.jsonl, memory.jsonl, replay.jsonl, *.log, load.err, helper.err, report.md)" >&2
