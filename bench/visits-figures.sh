#!/usr/bin/env bash
# Figures of visit detection and webhooks (issue 19, SPEC 10) in one run, on one Java server (SQLite):
#
#   bench/visits-figures.sh [--sites N] [--rates "125 250 500 1000 2000 4000 8000"] [--rounds R] [--salesmen S]
#                           [--seconds D] [--paths "walk uniform"] [--no-webhooks] [--no-stop]
#
# 1. Visit detection throughput. N sites (default 10,000; radius 100 m, dwell 120 s) are PUT to tenant "vf-sites",
#    16 at a time, spread uniformly over the shared load tool's box (latitude 12.9..13.0, longitude 77.5..77.6); the
#    import's time is reported. Then, on the same server, bench/visits-figures.mjs ingests location:update with acks
#    (accuracy 8 m, S salesmen (default 200) and one manager of the tenant, fresh salesman ids per run, D s per run
#    (default 10), device time 5 s per point) for tenant "vf-sites" (with the sites) and "vf-empty" (no site), the two
#    alternating (odd rounds with sites first, even rounds without first), R rounds (default 2) per rate, the rate
#    stepping up (default 125 250 500 1000 2000 4000 8000 points/s offered in all), each tenant dropping out after
#    the first rate at which one of its runs failed an ack or had an ack p99 > 50 ms (--no-stop: every rate runs). Paths: walk (~30 m steps on a slowly
#    turning heading, stops of 100..200 s now and then, so salesmen arrive, check in and check out) and uniform (each
#    point anywhere in the box, as the shared load tool's ingest). Per run: offered and acked points/s, ack latency,
#    server CPU per 1,000 points (from /proc), the visit events the manager socket got and the server's meters
#    visits.events.* (admin /metrics), locations.writer.extension-failures.
# 2. Webhook delivery latency (server started with WEBHOOKS_ALLOW_PRIVATE=true): a receiver on 127.0.0.1 is registered
#    for alert.created and visit.* of "vf-sites"; 200 POST /emit/alert 50 ms apart (latency = receipt - the POST's
#    start, same clock), then a walk run at 250 points/s whose visit webhooks are matched to the manager's socket
#    events (latency = webhook receipt - socket event receipt); duplicates counted on webhook-id.
#
# Before the measured runs, an unmeasured warm-up: a walk at 1000 points/s for WARMUP_SECONDS (10) on each tenant.
# The report also gives the CPU of the server's location-writer thread (detection runs on it, in its transaction).
# Env: SHARED_BENCH, JAR, BENCH_CACHE, BENCH_FRESH, OUT_DIR as bench/run.sh; ACK_TIMEOUT_MS (10000); JAVA_OPTS;
# WARMUP_SECONDS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

n_sites=10000 rates="125 250 500 1000 2000 4000 8000" rounds=2 salesmen=200 seconds=10 paths="walk uniform" hooks=1 stop=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sites) n_sites="$2"; shift ;;
    --rates) rates="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --salesmen) salesmen="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --paths) paths="$2"; shift ;;
    --no-webhooks) hooks="" ;;
    --no-stop) stop="" ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for v in "$n_sites" "$rounds" "$salesmen" "$seconds" $rates; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "not a number: $v" >&2; exit 2; }
done

shared="${SHARED_BENCH:-$repo/../shared/bench}"
jar="$(realpath -m "${JAR:-$repo/target/salesmate-realtime.jar}")"
export RATE_LIMIT_PER_SEC="${RATE_LIMIT_PER_SEC:-1000}"
export SQLITE_SYNCHRONOUS="${SQLITE_SYNCHRONOUS:-FULL}"
export SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS="${SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS:-100000}"
export SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC="${SOCKETIO_HANDSHAKES_PER_ADDRESS_PER_SEC:-100000}"
export WEBHOOKS_ALLOW_PRIVATE=true
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="${OUT_DIR:-${TMPDIR:-/tmp}/salesmate-visits-figures-$stamp}"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/salesmate-visits-figures-work.XXXXXX")"
secret="bench-secret-$RANDOM$RANDOM$RANDOM-$RANDOM$RANDOM" admin_key="bench-admin-key-$RANDOM$RANDOM"

[[ -f "$shared/load.js" && -f "$shared/package-lock.json" ]] || { echo "no shared bench at $shared (set SHARED_BENCH)" >&2; exit 2; }
command -v node >/dev/null || { echo "node 20 and npm are needed" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

server_pid="" helper_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n "$helper_pid" ]]; then kill "$helper_pid" 2>/dev/null || true; fi
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 400); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
prepare_load_tool "$repo" "$jar" "$shared" "$work"
cp "$here/visits-figures.mjs" "$work/bench/"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "java: $(java -version 2>&1 | sed -n 1p); node: $(node -v); socket.io-client $(node -p 'require(process.argv[1]).version' "$work/bench/node_modules/socket.io-client/package.json")"
  echo "git: $(cd "$repo" && git rev-parse --short HEAD) (jar $jar, built $(date -u -r "$jar" +%Y-%m-%dT%H:%M:%SZ))"
  echo "sites: $n_sites in vf-sites; rates: $rates; rounds: $rounds; salesmen: $salesmen; seconds per run: $seconds; paths: $paths; webhooks: ${hooks:-no}"
  echo "RATE_LIMIT_PER_SEC=$RATE_LIMIT_PER_SEC SQLITE_SYNCHRONOUS=$SQLITE_SYNCHRONOUS WEBHOOKS_ALLOW_PRIVATE=$WEBHOOKS_ALLOW_PRIVATE JAVA_OPTS=${JAVA_OPTS:-}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/run.txt" >&2

# ---------------------------------------------------------------- the server (the variables wait_node_ready reads)
declare -A rest_port admin_port sio_port pid_of
rest_port[J]="$(free_port)" admin_port[J]="$(free_port)" sio_port[J]="$(free_port)"
mkdir -p "$work/J"
# shellcheck disable=SC2086
(cd "$repo" && PORT="${rest_port[J]}" ADMIN_PORT="${admin_port[J]}" SOCKETIO_PORT="${sio_port[J]}" DATA_DIR="$work/J" \
  DATABASE_URL="jdbc:sqlite:$work/J/salesmate.db" JWT_SECRET="$secret" ADMIN_API_KEY="$admin_key" REDIS_URL="" \
  exec java ${JAVA_OPTS:-} -jar "$jar" server config.yml) >"$out/J.log" 2>&1 &
server_pid=$! pid_of[J]=$!
wait_node_ready J
echo "server pid $server_pid, REST ${rest_port[J]}, admin ${admin_port[J]}, Socket.IO ${sio_port[J]}" | tee -a "$out/run.txt" >&2

helper() { # subcommand, env...
  local sub="$1" rc=0
  shift
  env "$@" SIO_URL="http://127.0.0.1:${sio_port[J]}" API_URL="http://127.0.0.1:${rest_port[J]}/api/websocket" \
    METRICS_URL="http://127.0.0.1:${admin_port[J]}/metrics" SERVER_PID="$server_pid" JWT_SECRET="$secret" \
    ADMIN_API_KEY="$admin_key" node "$work/bench/visits-figures.mjs" "$sub" >>"$out/results.jsonl" 2>>"$out/helper.err" &
  helper_pid=$!
  wait "$helper_pid" || rc=$?
  helper_pid=""
  tail -n 1 "$out/results.jsonl" | cut -c1-300 >&2
  kill -0 "$server_pid" 2>/dev/null || { echo "the server is gone (see $out/J.log)" | tee -a "$out/run.txt" >&2; exit 1; }
  [[ "$rc" == 0 ]] || echo "visits-figures.mjs $sub failed (rc $rc; see $out/helper.err)" | tee -a "$out/run.txt" >&2
}

# ---------------------------------------------------------------- figure 1
echo "== PUT $n_sites sites to vf-sites, 16 at a time" >&2
helper sites TENANT=vf-sites SITES="$n_sites" CONCURRENCY=16
echo "== warm-up (not measured): walk at 1000/s for ${WARMUP_SECONDS:-10} s on each tenant" >&2
for t in vf-sites vf-empty; do
  env SIO_URL="http://127.0.0.1:${sio_port[J]}" API_URL="http://127.0.0.1:${rest_port[J]}/api/websocket" \
    METRICS_URL="http://127.0.0.1:${admin_port[J]}/metrics" SERVER_PID="$server_pid" JWT_SECRET="$secret" \
    ADMIN_API_KEY="$admin_key" TENANT="$t" RUN="warm-$t" SALESMEN="$salesmen" RATE=1000 SECONDS="${WARMUP_SECONDS:-10}" PATH_KIND=walk \
    node "$work/bench/visits-figures.mjs" ingest >>"$out/warmup.jsonl" 2>>"$out/helper.err" || echo "warm-up failed on $t" >&2
done
for p in $paths; do
  active="vf-sites vf-empty" # a tenant stops stepping up after its first rate with a failed ack or an ack p99 > 50 ms
  for rate in $rates; do
    for r in $(seq 1 "$rounds"); do
      if (( r % 2 )); then order="vf-sites vf-empty"; else order="vf-empty vf-sites"; fi
      for t in $order; do
        [[ " $active " == *" $t "* ]] || continue
        echo "== ingest $p $rate/s round $r on $t" >&2
        with=0; [[ "$t" == vf-sites ]] && with="$n_sites"
        helper ingest TENANT="$t" SITES_IN_TENANT="$with" RUN="$p-$rate-$r-$t" ROUND="$r" SALESMEN="$salesmen" \
          RATE="$rate" SECONDS="$seconds" PATH_KIND="$p"
      done
    done
    next=""
    for t in $active; do
      which=without; [[ "$t" == vf-sites ]] && which=with
      if [[ -n "$stop" ]] && [[ "$(node "$work/bench/visits-figures.mjs" verdict "$out/results.jsonl" "$p" "$rate" "$which")" == stop ]]; then
        echo "== $p: a run on $t at $rate/s failed an ack or had ack p99 > 50 ms; no higher rate for it" >&2
      else
        next+=" $t"
      fi
    done
    active="$next"
    [[ -n "${active// /}" ]] || break
  done
done

# ---------------------------------------------------------------- figure 2
if [[ -n "$hooks" ]]; then
  echo "== webhooks: 200 alerts 50 ms apart, then a walk run at 250/s, to a receiver on 127.0.0.1" >&2
  helper webhooks TENANT=vf-sites RUN=hooks SALESMEN="$salesmen" ALERTS=200 SPACING_MS=50 RATE=250 SECONDS="$seconds"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/run.txt" >&2

node "$here/visits-figures.mjs" report "$out" | tee "$out/report.md"
echo "results: $out (run.txt, results.jsonl, warmup.jsonl, J.log, helper.err, report.md)" >&2
