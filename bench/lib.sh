# Shared by bench/run.sh, bench/cluster.sh and bench/recovery-figures.sh (sourced, not run).

# A free TCP port on 127.0.0.1.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# prepare_load_tool REPO JAR SHARED WORK: builds JAR with Maven when it is missing (into JAR's folder), copies the
# shared bench folder SHARED to WORK/bench and installs its packages. npm ci builds better-sqlite3 from source here
# (minutes on 2 cores): its result is kept in a cache keyed by the lockfile and the Node version, and reused on later
# runs (BENCH_FRESH=1 forces a new npm ci; BENCH_CACHE moves the cache).
prepare_load_tool() {
  local repo="$1" jar="$2" shared="$3" work="$4" cache_key cache
  if [[ ! -f "$jar" ]]; then
    echo "== building $jar" >&2
    (cd "$repo" && mvn -B -q package -DskipTests -Dbuild.dir="$(realpath -m "$(dirname "$jar")")")
  fi
  echo "== copying $shared to $work/bench and installing its packages" >&2
  cp -r "$shared" "$work/bench"
  chmod -R u+w "$work/bench"
  cache_key="$(cat "$work/bench/package-lock.json" <(node -v) | sha256sum | cut -c1-16)"
  cache="${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/salesmate-bench}/$cache_key"
  if [[ -z "${BENCH_FRESH:-}" && -d "$cache/node_modules" ]]; then
    echo "== reusing node_modules from $cache (npm ci ran there before)" >&2
    cp -a "$cache/node_modules" "$work/bench/node_modules"
  else
    (cd "$work/bench" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    rm -rf "$cache" && mkdir -p "$cache" && cp -a "$work/bench/node_modules" "$cache/node_modules"
  fi
}

# wait_node_ready LABEL: until node LABEL answers REST and Socket.IO (up to a minute); else prints its log's tail and
# fails. For the cluster scripts, which keep each node's ports and pid in the associative arrays rest_port, sio_port
# and pid_of, and its log in $out/LABEL.log.
wait_node_ready() {
  local l="$1"
  for _ in $(seq 1 240); do
    if curl -s -o /dev/null "http://127.0.0.1:${rest_port[$l]}/api/websocket/stats" &&
       curl -s -o /dev/null "http://127.0.0.1:${sio_port[$l]}/socket.io/?EIO=4&transport=polling"; then
      return 0
    fi
    kill -0 "${pid_of[$l]}" 2>/dev/null || break
    sleep 0.25
  done
  echo "node $l did not come up; log $out/$l.log:" >&2
  tail -n 40 "$out/$l.log" >&2
  return 1
}
