#!/usr/bin/env bash
# Runs the runtime smoke test on the current LTS Node (24), taken from the npm registry's `node`
# package (the binary ships inside the package). Cached per user; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${OPKIT_NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/opkit/node24}"
node24="$dir/node_modules/.bin/node"
if ! "$node24" --version 2>/dev/null | grep -q '^v24\.'; then
  echo "[smoke] installing node@24 into $dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error node@24 >/dev/null
fi
echo "[smoke] $("$node24" --version)"
"$node24" test/smoke/runtime-smoke.mjs
