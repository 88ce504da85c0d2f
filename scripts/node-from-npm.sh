#!/usr/bin/env bash
# Installs a Node release line from the npm registry's `node` package (the binary ships inside the
# package) into a per-user cache folder, once, and prints the path of its `node` binary.
# Usage: scripts/node-from-npm.sh <major>   (e.g. 24; OPKIT_NODE<major>_DIR overrides the folder)
set -euo pipefail
major="${1:?usage: node-from-npm.sh <major>}"
override="OPKIT_NODE${major}_DIR"
dir="${!override:-${XDG_CACHE_HOME:-$HOME/.cache}/opkit/node${major}}"
node="$dir/node_modules/.bin/node"
if ! "$node" --version 2>/dev/null | grep -q "^v${major}\."; then
  echo "[node${major}] installing node@${major} into $dir" >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node@${major}" >/dev/null
fi
echo "$node"
