#!/usr/bin/env bash
# Validates docs/asyncapi.yaml (or the given file) with the official AsyncAPI CLI, pinned below. The CLI is installed
# once into a cache folder (ASYNCAPI_CLI_HOME, default ~/.cache/asyncapi-cli-<version>) and reused; its usage
# metrics are off and its analytics file lives in that folder, not in $HOME. Exit code: the CLI's (0 = valid; a warning
# fails too).
#   scripts/asyncapi-check/run.sh [path/to/asyncapi.yaml]
set -euo pipefail
version=4.1.1
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
document="${1:-$repo/docs/asyncapi.yaml}"
home="${ASYNCAPI_CLI_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/asyncapi-cli-$version}"
bin="$home/node_modules/.bin/asyncapi"
command -v node >/dev/null || { echo "node (20+) and npm are needed" >&2; exit 2; }

# the marker is written only after a complete install, so an interrupted one is redone rather than used
if [[ ! -f "$home/.installed" || ! -x "$bin" ]]; then
  echo "installing @asyncapi/cli@$version into $home (once: about 1.5 GB, a few minutes)"
  mkdir -p "$home"
  npm install --prefix "$home" --no-audit --no-fund --no-save --loglevel=error "@asyncapi/cli@$version" >/dev/null
  touch "$home/.installed"
fi

# no usage metrics and no first-run notice (the CLI reads both from its analytics file, created here with tracking
# off instead of in $HOME with it on), no check for a newer version: the same quiet run on a laptop and in CI
export ASYNCAPI_METRICS_CONFIG_PATH="$home/analytics.json"
export ASYNCAPI_SKIP_NEW_VERSION_CHECK=true
[[ -f "$ASYNCAPI_METRICS_CONFIG_PATH" ]] ||
  printf '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"none"}\n' >"$ASYNCAPI_METRICS_CONFIG_PATH"
exec "$bin" validate "$document" --fail-severity=warn </dev/null
