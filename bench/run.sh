#!/usr/bin/env bash
# Side-by-side benchmark: the Java service (SQLite; optionally also PostgreSQL) and the Node.js baseline peer from
# the shared bench folder, driven one after the other by the shared load tool with the same scenarios, then a
# comparison table with Java / Node ratios.
#
#   bench/run.sh [--postgres] [--no-sqlite] [--no-node] [--no-warmup] [--big] [--rounds N] [scenario args for load.sh ...]
#
# --rounds N runs the whole sequence N times, the servers alternating (node, java, node, java, ...), each round on a
# fresh server; the table gives each figure's median over the rounds, then the issue-10 targets (figure, both
# systems, ratio, target, met or not).
# --big adds the 20,000-socket scenario (connect 20000 100: 100 tenants) after the others; it needs
# SOCKETIO_MAX_CONNECTIONS above 20,000 (the shipped per-node cap is 10,000), which the script then sets to 25,000.
#
# Each server first gets an unmeasured warm-up (WARMUP, default "ingest 200 10 10 connect 3000 fanout 2000 20
# connect 3000 fanout 2000 20", about a minute): the same for Node's JIT and the JVM's. A shorter one leaves the JVM's
# C2 compiler busy during the measured scenarios (a profile of connect 6000 after "connect 300" had 41% of the
# server's CPU in C2 threads), which measures warm-up, not the steady state a server runs in.
#
# Default scenarios (sized for a 2-core machine):
#   ingest 200 10 10  ingest 500 10 10  ingest 1000 10 10  connect 2000  fanout 2000 10
# Scenario syntax (the shared load tool's): ingest S R D | connect N [T] | fanout N K.
#
# Env:
#   SHARED_BENCH        the shared bench folder (default: ../shared/bench beside the repo); copied, never changed
#   JAR                 the service jar (default target/salesmate-realtime.jar; built with Maven if missing)
#   RATE_LIMIT_PER_SEC  per-connection event rate limit given to both servers (default 1000)
#   SQLITE_SYNCHRONOUS  SQLite durability for both servers (default FULL, the Java service's shipped default)
#   JAVA_OPTS           extra JVM options for the service
#   PG_HOST, PG_PORT, PG_USER   PostgreSQL for --postgres (default 127.0.0.1, 5432, postgres; trust auth)
#   BENCH_CACHE         where the shared bench's installed node_modules are kept between runs
#                       (default ~/.cache/salesmate-bench); BENCH_FRESH=1 runs npm ci again
#   OUT_DIR             where results go (default: a new folder under ${TMPDIR:-/tmp}); kept after the run
#   CLIENTS, CONNECT_CONCURRENCY, HOLD_MS, SETTLE_MS, ACK_TIMEOUT_MS, ...   passed to the load tool
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

rounds=1 big="" with_sqlite=1 with_postgres="" with_node=1 warmup="${WARMUP-ingest 200 10 10 connect 3000 fanout 2000 20 connect 3000 fanout 2000 20}"
scenarios=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --postgres) with_postgres=1 ;;
    --no-sqlite) with_sqlite="" ;;
    --no-node) with_node="" ;;
    --no-warmup) warmup="" ;;
    --big) big=1 ;;
    --rounds) rounds="$2"; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
if [[ ${#scenarios[@]} -eq 0 ]]; then
  scenarios=(ingest 200 10 10 ingest 500 10 10 ingest 1000 10 10 connect 2000 fanout 2000 10)
fi
if [[ -n "$big" ]]; then
  scenarios+=(connect 20000 100)
  export SOCKETIO_MAX_CONNECTIONS="${SOCKETIO_MAX_CONNECTIONS:-25000}"
fi

shared="${SHARED_BENCH:-$repo/../shared/bench}"
jar="${JAR:-$repo/target/salesmate-realtime.jar}"
export RATE_LIMIT_PER_SEC="${RATE_LIMIT_PER_SEC:-1000}"
export SQLITE_SYNCHRONOUS="${SQLITE_SYNCHRONOUS:-FULL}"
# every simulated client comes from 127.0.0.1: lift the per-address limits (500 sockets, 20 handshakes/s), which would
# otherwise refuse most of the load; the Node baseline has no such limits
export SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS="${SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS:-100000}"
export SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC="${SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC:-100000}"
pg_host="${PG_HOST:-127.0.0.1}" pg_port="${PG_PORT:-5432}" pg_user="${PG_USER:-postgres}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="${OUT_DIR:-${TMPDIR:-/tmp}/salesmate-bench-$stamp}"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/salesmate-bench-work.XXXXXX")"
secret="bench-secret-$RANDOM$RANDOM$RANDOM" admin_key="bench-admin-key-$RANDOM$RANDOM"

[[ -f "$shared/load.sh" && -f "$shared/run-peer.sh" ]] || { echo "no shared bench at $shared (set SHARED_BENCH)" >&2; exit 2; }
command -v node >/dev/null || { echo "node 20 and npm are needed" >&2; exit 2; }

server_pid="" pg_db=""
stop_server() {
  local pid="$server_pid"
  server_pid=""
  [[ -n "$pid" ]] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
drop_pg_db() {
  [[ -n "$pg_db" ]] || return 0
  psql -w -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "drop database if exists $pg_db" </dev/null >/dev/null || true
  pg_db=""
}
cleanup() {
  stop_server
  drop_pg_db
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
prepare_load_tool "$repo" "$jar" "$shared" "$work"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "java: $(java -version 2>&1 | sed -n 1p)"
  echo "node: $(node -v)"
  echo "git: $(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?') (working tree; jar $jar built $(date -u -r "$jar" +%Y-%m-%dT%H:%M:%SZ))"
  echo "scenarios: ${scenarios[*]}"
  echo "warm-up (not measured): ${warmup:-none}"
  echo "RATE_LIMIT_PER_SEC=$RATE_LIMIT_PER_SEC SQLITE_SYNCHRONOUS=$SQLITE_SYNCHRONOUS JAVA_OPTS=${JAVA_OPTS:-}"
} | tee "$out/run.txt" >&2

wait_ready() { # pid, rest port, socket.io port, log
  for _ in $(seq 1 240); do
    if curl -s -o /dev/null "http://127.0.0.1:$2/api/websocket/stats" &&
       curl -s -o /dev/null "http://127.0.0.1:$3/socket.io/?EIO=4&transport=polling"; then
      return 0
    fi
    kill -0 "$1" 2>/dev/null || break
    sleep 0.25
  done
  echo "server did not come up; log $4:" >&2
  tail -n 40 "$4" >&2
  return 1
}

load() { # rest port, socket.io port, scenarios...
  local port="$1" sio="$2"
  shift 2
  SERVER_PID="$server_pid" SIO_URL="http://127.0.0.1:$sio" API_URL="http://127.0.0.1:$port/api/websocket" \
    JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" "$work/bench/load.sh" "$@"
}

run_load() { # label, rest port, socket.io port
  if [[ -n "$warmup" ]]; then
    echo "== warm-up on $1 (not measured): $warmup" >&2
    # shellcheck disable=SC2086
    load "$2" "$3" $warmup >"$out/$1-warmup.r$round.jsonl" 2>&1 || echo "warm-up reported a failure on $1" >&2
  fi
  echo "== load on $1: ${scenarios[*]}" >&2
  load "$2" "$3" "${scenarios[@]}" | tee "$out/$1.r$round.jsonl" >&2 || echo "load tool reported a failure on $1" >&2
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "WARNING: the $1 server was gone at the end of its run (see $out/$1.r$round.log); its figures are not valid" \
      | tee -a "$out/run.txt" >&2
  fi
}

start_java() { # label, database url
  local port admin sio
  port="$(free_port)" admin="$(free_port)" sio="$(free_port)"
  mkdir -p "$work/$1"
  # shellcheck disable=SC2086
  (cd "$repo" && PORT="$port" ADMIN_PORT="$admin" SOCKETIO_PORT="$sio" DATA_DIR="$work/$1" DATABASE_URL="$2" \
    JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" REDIS_URL="" \
    exec java ${JAVA_OPTS:-} -jar "$jar" server config.yml) >"$out/$1.r$round.log" 2>&1 &
  server_pid=$!
  wait_ready "$server_pid" "$port" "$sio" "$out/$1.r$round.log"
  run_load "$1" "$port" "$sio"
  stop_server
}

# ---------------------------------------------------------------- the runs, one after the other, round after round
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  if [[ -n "$with_node" ]]; then
    port="$(free_port)" sio="$(free_port)"
    mkdir -p "$work/node-tmp"
    server_pid="$(cd "$work/bench" && PORT="$port" SOCKETIO_PORT="$sio" JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" \
      TMPDIR="$work/node-tmp" PEER_LOG="$out/node.r$round.log" ./run-peer.sh | tail -n 1)"
    wait_ready "$server_pid" "$port" "$sio" "$out/node.r$round.log"
    run_load node "$port" "$sio"
    stop_server
  fi
  if [[ -n "$with_sqlite" ]]; then
    rm -rf "$work/java-sqlite"
    start_java java-sqlite "jdbc:sqlite:$work/java-sqlite/salesmate.db"
  fi
  if [[ -n "$with_postgres" ]]; then
    pg_db="salesmate_bench_$(date +%s)_$$"
    psql -w -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "create database $pg_db" </dev/null
    DATABASE_USER="$pg_user" start_java java-postgres "jdbc:postgresql://$pg_host:$pg_port/$pg_db"
    drop_pg_db
  fi
done

# ---------------------------------------------------------------- comparison
node "$here/compare.mjs" "$out" | tee "$out/table.md"
echo "results: $out (run.txt, <server>.r<round>.jsonl and .log, table.md)" >&2
