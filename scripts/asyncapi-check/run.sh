#!/usr/bin/env bash
# Validates docs/asyncapi.yaml (or the given file) with the official AsyncAPI CLI, pinned below. The CLI is installed
# once into a cache folder (ASYNCAPI_CLI_HOME, default ~/.cache/asyncapi-cli-<version>) and reused; its usage
# metrics are off and its settings file lives in that folder, not in $HOME. Exit code: the CLI's (0 = valid).
#   scripts/asyncapi-check/run.sh [path/to/asyncapi.yaml]
set -euo pipefail
version=__VERSION__
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
document="${1:-$repo/docs/asyncapi.yaml}"
home="${ASYNCAPI_CLI_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/asyncapi-cli-$version}"
bin="$home/node_modules/.bin/asyncapi"
command -v node >/dev/null || { echo "node (20+) and npm are needed" >&2; exit 2; }

if [[ ! -x "$bin" ]]; then
  echo "installing @asyncapi/cli@$version into $home"
  mkdir -p "$home"
  npm install --prefix "$home" --no-audit --no-fund --no-save --loglevel=error "@asyncapi/cli@$version" >/dev/null
fi

# no usage metrics, no first-run notice, no update check: the run is the same on a laptop and in CI
export ASYNCAPI_METRICS=false
export ASYNCAPI_METRICS_CONFIG_PATH="$home/analytics.json"
[[ -f "$ASYNCAPI_METRICS_CONFIG_PATH" ]] ||
  printf '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"none"}\n' >"$ASYNCAPI_METRICS_CONFIG_PATH"
exec "$bin" validate "$document" --fail-severity=error </dev/null
