#!/usr/bin/env bash
# Cluster-mode benchmark: alert fan-out on one node without Redis against two nodes sharing one Redis, and the
# throughput of emits through Redis, in one run, then Markdown tables with the ratios two nodes / one node.
#
#   bench/cluster.sh [--postgres] [--no-warmup] [--sockets N] [--emits K] [--rounds R]
#                    [--flood-sockets N] [--flood-seconds D] [--flood-callers C]
#
# Three servers run side by side for the whole run, each measured while the others sit idle:
#   S       one node, no Redis (REDIS_URL empty): the baseline;
#   A, B    two nodes in cluster mode on the same Redis, under a key prefix and an adapter channel key of this run
#           only (REDIS_KEY_PREFIX, REDIS_CHANNEL_KEY), so that nothing else on that Redis is touched or heard.
# Scenarios (bench/cluster-load.js, which measures what the shared load tool's `fanout` does, over several nodes):
#   one-node          N sockets of one tenant on S, K POST /emit/alert to S, 200 ms apart
#   two-nodes-cross   N sockets on B, the alerts posted to A: every delivery crosses Redis
#   two-nodes-split   N sockets half on A, half on B, the alerts posted to A
#   two-nodes-local   N sockets on A, the alerts posted to A (what cluster mode costs when nothing crosses)
#   flood             FLOOD_SOCKETS sockets on B; POST /emit/alert to A as fast as FLOOD_CALLERS concurrent callers
#                     get answers for FLOOD_SECONDS; emits/s published, deliveries/s received, losses
# The four fan-out scenarios run ROUNDS times, interleaved (the table shows the median of the rounds), so that a
# burst of other work on a shared machine does not land on one configuration only. Server CPU is utime+stime of
# the node processes under test from /proc/<pid>/stat over the emit window (both nodes for two-node scenarios),
# divided by the deliveries received.
#
# Defaults: --sockets 1000 --emits 10 --rounds 3 --flood-sockets 200 --flood-seconds 10 --flood-callers 8
# (about four minutes on 2 cores once the npm cache is warm, a minute and a half of it warm-up).
#
# Env:
#   SHARED_BENCH        the shared bench folder (default ../shared/bench beside the repo); copied, never changed
#   JAR                 the service jar (default target/salesmate-realtime.jar; built with Maven into the jar's
#                       folder, -Dbuild.dir=<that folder>, if missing)
#   REDIS_URL           the Redis both cluster nodes share (default redis://127.0.0.1:6379); REDIS_PID its
#                       process, for its CPU (default: the one redis-server process, when there is exactly one)
#   RATE_LIMIT_PER_SEC, SQLITE_SYNCHRONOUS, JAVA_OPTS   as bench/run.sh (defaults 1000, FULL, none)
#   SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS, SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC   the per-address limits (every
#                       socket comes from 127.0.0.1 here, so both default to 100000)
#   PG_HOST, PG_PORT, PG_USER   PostgreSQL for --postgres: a throwaway database for A and B (shared) and one for S,
#                       dropped afterwards (default: one SQLite file per node)
#   BENCH_CACHE, BENCH_FRESH   the npm cache of bench/run.sh (default ~/.cache/salesmate-bench)
#   OUT_DIR             where results go (default a new folder under ${TMPDIR:-/tmp}); kept after the run
#   WARMUP_SOCKETS, WARMUP_FLOOD_SECONDS   the unmeasured warm-up per configuration: a fan-out to that many sockets
#                       (default 300) x 20 alerts, then a flood to 10 sockets for that long (default 30)
#   PRESENCE_GRACE      given to every node (default 100ms instead of the service's 5s): the salesmen of a finished
#                       scenario go offline (a presence broadcast each) before the next one measures, not during it
#   CLIENTS, CONNECT_CONCURRENCY, SETTLE_MS, DRAIN_MS   passed to the load tool
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

with_postgres="" warmup=1 sockets=1000 emits=10 rounds=3 flood_sockets=200 flood_seconds=10 flood_callers=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --postgres) with_postgres=1 ;;
    --no-warmup) warmup="" ;;
    --sockets) sockets="$2"; shift ;;
    --emits) emits="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --flood-sockets) flood_sockets="$2"; shift ;;
    --flood-seconds) flood_seconds="$2"; shift ;;
    --flood-callers) flood_callers="$2"; shift ;;
    -h|--help) sed -n '2,44p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for v in "$sockets" "$emits" "$rounds" "$flood_sockets" "$flood_seconds" "$flood_callers"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "not a number: $v" >&2; exit 2; }
done

shared="${SHARED_BENCH:-$repo/../shared/bench}"
jar="$(realpath -m "${JAR:-$repo/target/salesmate-realtime.jar}")" # the nodes run from the repo root
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
export RATE_LIMIT_PER_SEC="${RATE_LIMIT_PER_SEC:-1000}"
export SQLITE_SYNCHRONOUS="${SQLITE_SYNCHRONOUS:-FULL}"
export SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS="${SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS:-100000}"
export SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC="${SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC:-100000}"
export PRESENCE_GRACE="${PRESENCE_GRACE:-100ms}"
pg_host="${PG_HOST:-127.0.0.1}" pg_port="${PG_PORT:-5432}" pg_user="${PG_USER:-postgres}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="${OUT_DIR:-${TMPDIR:-/tmp}/salesmate-cluster-bench-$stamp}"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/salesmate-cluster-bench-work.XXXXXX")"
secret="bench-secret-$RANDOM$RANDOM$RANDOM" admin_key="bench-admin-key-$RANDOM$RANDOM"
key_prefix="salesmate-bench-$stamp-$RANDOM"
channel_key="$key_prefix-sio"

[[ -f "$shared/load.js" && -f "$shared/package-lock.json" ]] || { echo "no shared bench at $shared (set SHARED_BENCH)" >&2; exit 2; }
command -v node >/dev/null || { echo "node 20 and npm are needed" >&2; exit 2; }
command -v redis-cli >/dev/null || { echo "redis-cli is needed (to check Redis and remove this run's keys)" >&2; exit 2; }
redis-cli -u "$redis_url" ping </dev/null 2>&1 | grep -q PONG || { echo "Redis at $redis_url does not answer PING" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# ---------------------------------------------------------------- cleanup: every process this script starts
node_pids=() pg_dbs=() load_pid=""
stop_nodes() {
  local pid
  for pid in "${node_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${node_pids[@]}"; do
    for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  node_pids=()
}
cleanup() {
  trap - EXIT INT TERM
  if [[ -n "$load_pid" ]]; then kill "$load_pid" 2>/dev/null || true; fi # its workers exit with it
  stop_nodes
  local db
  for db in "${pg_dbs[@]}"; do
    psql -w -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "drop database if exists $db" </dev/null >/dev/null 2>&1 || true
  done
  # this run's keys only (the prefix is unique to it)
  redis-cli -u "$redis_url" --scan --pattern "$key_prefix*" </dev/null 2>/dev/null \
    | xargs -r -n 100 redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
prepare_load_tool "$repo" "$jar" "$shared" "$work"
# next to the shared load.js, so that it resolves the same socket.io-client and jsonwebtoken
cp "$here/cluster-load.js" "$work/bench/cluster-load.js"

redis_pid="${REDIS_PID:-}"
if [[ -z "$redis_pid" ]] && [[ "$redis_url" =~ ^redis://(127\.0\.0\.1|localhost)(:|/|$) ]]; then
  found="$(pgrep -x redis-server || true)"
  [[ "$(wc -w <<<"$found")" == 1 ]] && redis_pid="$found"
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "java: $(java -version 2>&1 | sed -n 1p)"
  echo "node: $(node -v)"
  echo "redis: $(redis-cli -u "$redis_url" info server </dev/null 2>/dev/null | tr -d '\r' | awk -F: '/^redis_version/ {print $2}') at $redis_url (pid ${redis_pid:-unknown}), key prefix $key_prefix, channel key $channel_key"
  echo "git: $(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?') (working tree; jar $jar built $(date -u -r "$jar" +%Y-%m-%dT%H:%M:%SZ))"
  echo "database: $([[ -n "$with_postgres" ]] && echo "PostgreSQL at $pg_host:$pg_port (A and B share one throwaway database, S has its own)" || echo "one SQLite file per node")"
  echo "fan-out: $sockets sockets x $emits alerts, $rounds rounds; flood: $flood_sockets sockets on B, $flood_seconds s, $flood_callers concurrent callers"
  echo "warm-up (not measured): $([[ -n "$warmup" ]] && echo "fanout ${WARMUP_SOCKETS:-300} 20 then flood 10 ${WARMUP_FLOOD_SECONDS:-30} 8, on S and on A+B (half on each, alerts to A)" || echo none)"
  echo "RATE_LIMIT_PER_SEC=$RATE_LIMIT_PER_SEC SQLITE_SYNCHRONOUS=$SQLITE_SYNCHRONOUS PRESENCE_GRACE=$PRESENCE_GRACE JAVA_OPTS=${JAVA_OPTS:-} CLIENTS=${CLIENTS:-2}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/run.txt" >&2

# ---------------------------------------------------------------- the three servers
declare -A rest_port admin_port sio_port pid_of
start_node() { # label, redis url ('' for none), database url
  local label="$1" port admin sio
  port="$(free_port)" admin="$(free_port)" sio="$(free_port)"
  mkdir -p "$work/$label"
  # shellcheck disable=SC2086
  (cd "$repo" && PORT="$port" ADMIN_PORT="$admin" SOCKETIO_PORT="$sio" DATA_DIR="$work/$label" DATABASE_URL="$3" \
    JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" REDIS_URL="$2" REDIS_KEY_PREFIX="$key_prefix" \
    REDIS_CHANNEL_KEY="$channel_key" exec java ${JAVA_OPTS:-} -jar "$jar" server config.yml) >"$out/$label.log" 2>&1 &
  pid_of[$label]=$!
  node_pids+=("$!")
  rest_port[$label]="$port" admin_port[$label]="$admin" sio_port[$label]="$sio"
}
db_url() { # label of the database; sets $db
  if [[ -n "$with_postgres" ]]; then
    local name="salesmate_cbench_${1,,}_$(date +%s)_$$"
    psql -w -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "create database $name" </dev/null >&2
    pg_dbs+=("$name")
    db="jdbc:postgresql://$pg_host:$pg_port/$name"
  else
    mkdir -p "$work/${1}-db"
    db="jdbc:sqlite:$work/${1}-db/salesmate.db"
  fi
}
[[ -n "$with_postgres" ]] && export DATABASE_USER="$pg_user"
echo "== starting S (no Redis), A and B (cluster on $redis_url)" >&2
db_url S; db_s="$db"
if [[ -n "$with_postgres" ]]; then db_url AB; db_a="$db"; db_b="$db"; else db_url A; db_a="$db"; db_url B; db_b="$db"; fi
start_node S "" "$db_s"
start_node A "$redis_url" "$db_a"
wait_node_ready S
wait_node_ready A # first, so that B does not run the migrations of a shared database at the same time
start_node B "$redis_url" "$db_b"
wait_node_ready B
cluster_nodes() { # how many live nodes A counts (the cluster.nodes gauge)
  curl -s "http://127.0.0.1:${admin_port[A]}/metrics" | node -e 'let s="";process.stdin.on("data",(d)=>{s+=d;}).on("end",()=>{
    try { console.log(JSON.parse(s).gauges["cluster.nodes"].value); } catch { console.log("?"); } });'
}
nodes_seen="$(cluster_nodes)"
for _ in $(seq 1 40); do
  [[ "$nodes_seen" == 2 ]] && break
  sleep 0.25
  nodes_seen="$(cluster_nodes)"
done
echo "nodes: S pid ${pid_of[S]}, A pid ${pid_of[A]}, B pid ${pid_of[B]}; A sees $nodes_seen cluster node(s)" | tee -a "$out/run.txt" >&2
[[ "$nodes_seen" == 2 ]] || { echo "A and B did not form a cluster of 2 (see $out/A.log, $out/B.log)" >&2; exit 1; }

# ---------------------------------------------------------------- load
# run_load <file> <label> <server labels under test, comma-separated> <socket nodes> <rest node> <scenario...>
run_load() {
  local file="$1" label="$2" under="$3" on="$4" api="$5" rc=0 l
  shift 5
  local sio_urls="" server_pids="" idle_pids="" metrics_urls=""
  for l in S A B; do
    if [[ ",$under," == *",$l,"* ]]; then
      sio_urls+="${sio_urls:+,}$l=http://127.0.0.1:${sio_port[$l]}"
      server_pids+="${server_pids:+,}$l=${pid_of[$l]}"
      [[ "$l" != S ]] && metrics_urls+="${metrics_urls:+,}$l=http://127.0.0.1:${admin_port[$l]}/metrics"
    else
      idle_pids+="${idle_pids:+,}${pid_of[$l]}"
    fi
  done
  echo "== $label: sockets on $on, alerts to $api: $*" >&2
  LABEL="$label" SIO_URLS="$sio_urls" SOCKETS_ON="$on" API_URL="http://127.0.0.1:${rest_port[$api]}/api/websocket" \
    SERVER_PIDS="$server_pids" IDLE_PIDS="$idle_pids" METRICS_URLS="$metrics_urls" REDIS_PID="$redis_pid" \
    JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" node "$work/bench/cluster-load.js" "$@" \
    >>"$file" 2>>"$out/load.err" &
  load_pid=$!
  wait "$load_pid" || rc=$?
  load_pid=""
  tail -n 1 "$file" | cut -c1-300 >&2
  for l in S A B; do
    kill -0 "${pid_of[$l]}" 2>/dev/null || { echo "node $l is gone (see $out/$l.log)" | tee -a "$out/run.txt" >&2; exit 1; }
  done
  [[ "$rc" == 0 ]] || echo "the load tool reported a failure on $label (rc $rc; see $out/load.err)" | tee -a "$out/run.txt" >&2
}

if [[ -n "$warmup" ]]; then
  w="${WARMUP_SOCKETS:-300}" warmup_flood="${WARMUP_FLOOD_SECONDS:-30}"
  # On 2 shared cores the JVM keeps compiling (C2 threads, counted as server CPU) until some 10,000-20,000 REST
  # calls have gone through Jersey: a fan-out, then a flood of REST emits to few sockets, per configuration.
  run_load "$out/warmup.jsonl" warmup-one-node S S S fanout "$w" 20 flood 10 "$warmup_flood" 8
  run_load "$out/warmup.jsonl" warmup-two-nodes A,B A,B A fanout "$w" 20 flood 10 "$warmup_flood" 8
fi
for r in $(seq 1 "$rounds"); do
  echo "== round $r of $rounds" >&2
  run_load "$out/results.jsonl" one-node S S S fanout "$sockets" "$emits"
  run_load "$out/results.jsonl" two-nodes-cross A,B B A fanout "$sockets" "$emits"
  run_load "$out/results.jsonl" two-nodes-split A,B A,B A fanout "$sockets" "$emits"
  run_load "$out/results.jsonl" two-nodes-local A,B A A fanout "$sockets" "$emits"
done
run_load "$out/results.jsonl" flood A,B B A flood "$flood_sockets" "$flood_seconds" "$flood_callers"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/run.txt" >&2

# ---------------------------------------------------------------- tables
node "$here/cluster-compare.mjs" "$out" | tee "$out/table.md"
echo "results: $out (run.txt, results.jsonl, warmup.jsonl, S/A/B.log, load.err, table.md)" >&2
