#!/usr/bin/env bash
# Side-by-side benchmark: the Java service (SQLite; optionally also PostgreSQL) and the Node.js baseline peer from
# the shared bench folder, driven one after the other by the shared load tool with the same scenarios, then a
# comparison table with Java / Node ratios.
#
#   bench/run.sh [--postgres] [--no-sqlite] [--no-node] [--no-warmup] [--big] [--cold-storm] [--burst] [--issue18]
#                [--no-default] [--rounds N] [scenario args for load.sh ...]
#
# --rounds N runs the whole sequence N times, the servers alternating (node, java, node, java, ...), each round on a
# fresh server; the table gives each figure's median over the rounds, then the issue-10 targets (figure, both
# systems, ratio, target, met or not).
# --big adds the 20,000-socket scenario (connect 20000 100: 100 tenants) after the others; it needs
# SOCKETIO_MAX_CONNECTIONS above 20,000 (the shipped per-node cap is 10,000), which the script then sets to 25,000.
# --cold-storm (issue 18) adds, at the start of each round, a cold reconnect storm for each server in turn: a freshly
# started server with NO warm-up takes connect COLD_STORM_SOCKETS COLD_STORM_TENANTS (default connect 20000 100) as
# soon as it answers, then is stopped; the Java service gets the per-address limits lifted (as behind a trusted
# proxy: SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS, SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC and
# SOCKETIO_HANDSHAKE_BURST_PER_ADDRESS 100000 unless set) and SOCKETIO_MAX_CONNECTIONS of at least 25,000 (or
# 1.25 x the sockets), shipped defaults otherwise (JAVA_OPTS included); the Node baseline has no such limits.
# Reported: connect rate, failures by reason (timeouts), server CPU, RSS, time from start to ready, and for Java
# the CPU of the JIT compiler threads.
# --burst (issue 18) adds, after the other scenarios on the same warmed-up server, a burst fan-out: fanout
# BURST_SOCKETS BURST_ALERTS (default fanout 2000 50) with FANOUT_SPACING_MS=BURST_SPACING_MS (default 0: each
# POST /emit/alert as soon as the previous one is answered). Reported: delivery latency, CPU per delivery,
# received / expected.
# --issue18 is --cold-storm --burst. --no-default drops the default scenarios (scenarios given as arguments and --big
# still run): e.g. "bench/run.sh --issue18 --no-default" runs only the cold storm and the warm-up plus the burst.
# Each part gets its own table (and the issue-18 targets when those parts ran).
#
# Each server first gets an unmeasured warm-up (WARMUP, default "ingest 200 10 10 connect 3000 fanout 2000 20
# connect 3000 fanout 2000 20", about a minute): the same for Node's JIT and the JVM's. A shorter one leaves the JVM's
# C2 compiler busy during the measured scenarios (a profile of connect 6000 after "connect 300" had 41% of the
# server's CPU in C2 threads), which measures warm-up, not the steady state a server runs in. The cold storm is the
# exception: it measures exactly that start.
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
#   COLD_STORM_SOCKETS, COLD_STORM_TENANTS      size of --cold-storm (default 20000, 100)
#   BURST_SOCKETS, BURST_ALERTS, BURST_SPACING_MS   size of --burst (default 2000, 50, 0)
#   PG_HOST, PG_PORT, PG_USER   PostgreSQL for --postgres (default 127.0.0.1, 5432, postgres; trust auth)
#   BENCH_CACHE         where the shared bench's installed node_modules are kept between runs
#                       (default ~/.cache/salesmate-bench); BENCH_FRESH=1 runs npm ci again
#   OUT_DIR             where results go (default: a new folder under ${TMPDIR:-/tmp}); kept after the run
#   CLIENTS, CONNECT_CONCURRENCY, HOLD_MS, SETTLE_MS, ACK_TIMEOUT_MS, ...   passed to the load tool
set -euo pipefail
# the servers inherit this: 20,000 sockets plus each server's own files (jars, database, pipes) need more than
# 20,000 descriptors. Where the hard limit is 20,000 and cannot be raised (this machine: "Operation not permitted"),
# the cold storm's last connects fail at accept() with EMFILE ("Too many open files" in the Java log): ~25 to Node and
# ~51 to the JVM, which holds more files of its own — a limit of the machine, not of either server's connect path
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

rounds=1 big="" with_sqlite=1 with_postgres="" with_node=1 warmup="${WARMUP-ingest 200 10 10 connect 3000 fanout 2000 20 connect 3000 fanout 2000 20}"
cold_storm="" burst="" no_default=""
scenarios=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --postgres) with_postgres=1 ;;
    --no-sqlite) with_sqlite="" ;;
    --no-node) with_node="" ;;
    --no-warmup) warmup="" ;;
    --big) big=1 ;;
    --cold-storm) cold_storm=1 ;;
    --burst) burst=1 ;;
    --issue18) cold_storm=1 burst=1 ;;
    --no-default) no_default=1 ;;
    --rounds) rounds="$2"; shift ;;
    -h|--help) awk 'NR == 1 { next } /^#/ { print; next } { exit }' "$0"; exit 0 ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
if [[ ${#scenarios[@]} -eq 0 && -z "$no_default" ]]; then
  scenarios=(ingest 200 10 10 ingest 500 10 10 ingest 1000 10 10 connect 2000 fanout 2000 10)
fi
if [[ -n "$big" ]]; then
  scenarios+=(connect 20000 100)
  export SOCKETIO_MAX_CONNECTIONS="${SOCKETIO_MAX_CONNECTIONS:-25000}"
fi
cold_sockets="${COLD_STORM_SOCKETS:-20000}" cold_tenants="${COLD_STORM_TENANTS:-100}"
burst_sockets="${BURST_SOCKETS:-2000}" burst_alerts="${BURST_ALERTS:-50}" burst_spacing="${BURST_SPACING_MS:-0}"
# the regular part (a warmed-up server per round): the scenarios, then the burst
regular=""
[[ ${#scenarios[@]} -gt 0 || -n "$burst" ]] && regular=1
[[ -n "$regular" || -n "$cold_storm" ]] || { echo "nothing to run (--no-default without scenarios, --cold-storm or --burst)" >&2; exit 2; }

shared="${SHARED_BENCH:-$repo/../shared/bench}"
jar="${JAR:-$repo/target/salesmate-realtime.jar}"
export RATE_LIMIT_PER_SEC="${RATE_LIMIT_PER_SEC:-1000}"
export SQLITE_SYNCHRONOUS="${SQLITE_SYNCHRONOUS:-FULL}"
# every simulated client comes from 127.0.0.1: lift the per-address limits (shipped: 5,000 sockets, 100 handshakes/s),
# which would otherwise refuse most of the load; the Node baseline has no such limits
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

server_pid="" pg_db="" sampler_pid=""
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
stop_sampler() {
  [[ -n "$sampler_pid" ]] || return 0
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
}
cleanup() {
  stop_sampler
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
  if [[ -n "$cold_storm" ]]; then
    echo "cold storm: connect $cold_sockets $cold_tenants on a fresh server per round, no warm-up"
  fi
  if [[ -n "$burst" ]]; then
    echo "burst: fanout $burst_sockets $burst_alerts with FANOUT_SPACING_MS=$burst_spacing, after the scenarios on the warmed-up server"
  fi
  echo "RATE_LIMIT_PER_SEC=$RATE_LIMIT_PER_SEC SQLITE_SYNCHRONOUS=$SQLITE_SYNCHRONOUS JAVA_OPTS=${JAVA_OPTS:-}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
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

check_alive() { # label, log
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "WARNING: the $1 server was gone at the end of its run (see $2); its figures are not valid" \
      | tee -a "$out/run.txt" >&2
  fi
}

run_load() { # label, rest port, socket.io port
  if [[ -n "$warmup" ]]; then
    echo "== warm-up on $1 (not measured): $warmup" >&2
    # shellcheck disable=SC2086
    load "$2" "$3" $warmup >"$out/$1-warmup.r$round.jsonl" 2>&1 || echo "warm-up reported a failure on $1" >&2
  fi
  if [[ ${#scenarios[@]} -gt 0 ]]; then
    echo "== load on $1: ${scenarios[*]}" >&2
    load "$2" "$3" "${scenarios[@]}" | tee "$out/$1.r$round.jsonl" >&2 || echo "load tool reported a failure on $1" >&2
  fi
  if [[ -n "$burst" ]]; then
    echo "== burst on $1: fanout $burst_sockets $burst_alerts, FANOUT_SPACING_MS=$burst_spacing" >&2
    FANOUT_SPACING_MS="$burst_spacing" load "$2" "$3" fanout "$burst_sockets" "$burst_alerts" \
      | tee "$out/$1-burst.r$round.jsonl" >&2 || echo "load tool reported a failure on $1 (burst)" >&2
  fi
  check_alive "$1" "$out/$1.r$round.log"
}

# jit_sampler PID FILE: every 0.5 s until killed, the CPU ticks (utime + stime) of each JIT compiler thread of PID
# ("tid ticks" lines, "--" after each pass). Compiler threads come and go (the JVM starts and stops them as the queue
# grows and shrinks), so sampling is needed to count those that end; the ticks of the last half second of a thread
# that ends are lost, so the sum is a lower bound.
jit_sampler() {
  local pid="$1" file="$2" t comm stat
  local -a f
  while kill -0 "$pid" 2>/dev/null; do
    for t in /proc/"$pid"/task/*; do
      { read -r comm <"$t/comm"; } 2>/dev/null || continue
      [[ "$comm" == C[0-9]\ CompilerThre* ]] || continue
      { read -r stat <"$t/stat"; } 2>/dev/null || continue
      read -r -a f <<<"${stat##*) }"
      echo "${t##*/} $(( f[11] + f[12] ))"
    done
    echo "--"
    sleep 0.5
  done >"$file"
}
jit_summary() { # sampler file: {"jitCpuSec": s, "jitThreads": n}; a thread seen in the first pass counts from there
  awk '$1 == "--" { pass++; next }
       { if (!($1 in base)) base[$1] = (pass == 0 ? $2 : 0); if (!($1 in top) || $2 > top[$1]) top[$1] = $2 }
       END { for (t in top) { s += top[t] - base[t]; n++ } printf "\"jitCpuSec\": %.2f, \"jitThreads\": %d", s / 100, n }' "$1"
}

# start_server NAME PHASE: a fresh server of NAME (node, java-sqlite, java-postgres) on free ports, its log in
# $out/NAME[-PHASE].r<round>.log; sets server_pid, rest_port, sio_port and ready_sec (launch to answering)
start_server() {
  local name="$1" phase="$2" log t0 admin
  log="$out/$name${phase:+-$phase}.r$round.log"
  rest_port="$(free_port)" sio_port="$(free_port)"
  t0="$(date +%s.%N)"
  case "$name" in
    node)
      mkdir -p "$work/node-tmp"
      server_pid="$(cd "$work/bench" && PORT="$rest_port" SOCKETIO_PORT="$sio_port" JWT_SECRET="$secret" \
        ADMIN_API_KEY="$admin_key" TMPDIR="$work/node-tmp" PEER_LOG="$log" ./run-peer.sh | tail -n 1)"
      ;;
    java-sqlite|java-postgres)
      local -a extra=()
      admin="$(free_port)"
      rm -rf "${work:?}/$name" && mkdir -p "$work/$name"
      if [[ "$name" == java-sqlite ]]; then
        extra+=(DATABASE_URL="jdbc:sqlite:$work/$name/salesmate.db")
      else
        pg_db="salesmate_bench_$(date +%s)_$$"
        psql -w -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "create database $pg_db" </dev/null
        extra+=(DATABASE_URL="jdbc:postgresql://$pg_host:$pg_port/$pg_db" DATABASE_USER="$pg_user")
      fi
      if [[ "$phase" == cold ]]; then
        # as behind a trusted proxy: no per-address limit binds (the two others are lifted for every run, above), and
        # the node takes the whole storm
        local cap=$(( cold_sockets * 5 / 4 > 25000 ? cold_sockets * 5 / 4 : 25000 ))
        extra+=(SOCKETIO_MAX_CONNECTIONS="${SOCKETIO_MAX_CONNECTIONS:-$cap}"
                SOCKETIO_HANDSHAKE_BURST_PER_ADDRESS="${SOCKETIO_HANDSHAKE_BURST_PER_ADDRESS:-100000}")
      fi
      # shellcheck disable=SC2086
      (cd "$repo" && exec env PORT="$rest_port" ADMIN_PORT="$admin" SOCKETIO_PORT="$sio_port" DATA_DIR="$work/$name" \
        JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" REDIS_URL="" "${extra[@]}" \
        java ${JAVA_OPTS:-} -jar "$jar" server config.yml) >"$log" 2>&1 &
      server_pid=$!
      ;;
  esac
  wait_ready "$server_pid" "$rest_port" "$sio_port" "$log"
  ready_sec="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')"
}

# run_cold NAME: the cold storm on a fresh server of NAME, right after it answers
run_cold() {
  local name="$1" label="$1-cold" jit=""
  start_server "$name" cold
  if [[ "$name" == java-* ]]; then
    jit_sampler "$server_pid" "$out/$label.r$round.jit" &
    sampler_pid=$!
  fi
  echo "== cold storm on $name (ready after ${ready_sec} s, no warm-up): connect $cold_sockets $cold_tenants" >&2
  load "$rest_port" "$sio_port" connect "$cold_sockets" "$cold_tenants" | tee "$out/$label.r$round.jsonl" >&2 ||
    echo "load tool reported a failure on $name (cold storm)" >&2
  if [[ -n "$sampler_pid" ]]; then
    stop_sampler
    jit=", $(jit_summary "$out/$label.r$round.jit")"
  fi
  echo "{\"readySec\": $ready_sec$jit}" >"$out/$label.r$round.extra.json"
  check_alive "$label" "$out/$label.r$round.log"
  stop_server
  drop_pg_db
}

servers=()
[[ -n "$with_node" ]] && servers+=(node)
[[ -n "$with_sqlite" ]] && servers+=(java-sqlite)
[[ -n "$with_postgres" ]] && servers+=(java-postgres)

# ---------------------------------------------------------------- the runs, one after the other, round after round
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  if [[ -n "$cold_storm" ]]; then
    for name in "${servers[@]}"; do run_cold "$name"; done
  fi
  if [[ -n "$regular" ]]; then
    for name in "${servers[@]}"; do
      start_server "$name" ""
      run_load "$name" "$rest_port" "$sio_port"
      stop_server
      drop_pg_db
    done
  fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/run.txt" >&2

# ---------------------------------------------------------------- comparison
node "$here/compare.mjs" "$out" | tee "$out/table.md"
echo "results: $out (run.txt, <server>[-cold|-burst].r<round>.jsonl and .log, table.md)" >&2
