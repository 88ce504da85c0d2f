#!/usr/bin/env bash
# Runs the runtime smoke test on the current LTS Node (24), taken from the npm registry's `node`
# package (scripts/node-from-npm.sh; cached per user, idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
node24="$(bash scripts/node-from-npm.sh 24)"
echo "[smoke] $("$node24" --version)"
"$node24" test/smoke/runtime-smoke.mjs
