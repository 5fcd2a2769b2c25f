#!/usr/bin/env bash
# Starts the service from its jar on free ports with a fresh SQLite file, mints a salesman token with the jar's
# `token` command, runs check.mjs (official socket.io-client: websocket, polling, polling+upgrade) and stops the
# service. Exit code: check.mjs's (0 = every transport OK).
#   scripts/js-client-check/run.sh [path/to/salesmate-realtime.jar]   (default: target/salesmate-realtime.jar)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jar="${1:-$repo/target/salesmate-realtime.jar}"
if [[ ! -f "$jar" ]]; then
  echo "no jar at $jar; build it first: mvn -B -q package -DskipTests" >&2
  exit 2
fi
command -v node >/dev/null || { echo "node (18+) and npm are needed" >&2; exit 2; }

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/js-client-check.XXXXXX")"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

export PORT="$(free_port)" ADMIN_PORT="$(free_port)" SOCKETIO_PORT="$(free_port)"
export DATA_DIR="$tmp/data" DATABASE_URL="jdbc:sqlite:$tmp/data/salesmate.db"
export JWT_SECRET="js-check-secret-$RANDOM$RANDOM$RANDOM" ADMIN_API_KEY="js-check-admin-$RANDOM$RANDOM"
unset REDIS_URL

(cd "$repo" && exec java -jar "$jar" server config.yml) >"$tmp/service.log" 2>&1 &
pid=$!
up=""
for _ in $(seq 1 120); do
  if curl -sf -o /dev/null "http://127.0.0.1:$ADMIN_PORT/ping"; then up=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if [[ -z "$up" ]]; then
  echo "service did not start; its log:" >&2
  cat "$tmp/service.log" >&2
  exit 1
fi

token="$(cd "$repo" && java -jar "$jar" token --tenant t1 --user u1 --role salesman --salesman s1 config.yml 2>/dev/null | tail -n 1)"

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
set +e
SIO_URL="http://127.0.0.1:$SOCKETIO_PORT" TOKEN="$token" node "$here/check.mjs"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  echo "--- service log (tail) ---" >&2
  tail -n 40 "$tmp/service.log" >&2
fi
exit $rc
