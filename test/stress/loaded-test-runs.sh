#!/usr/bin/env bash
# Issue 13's check: N consecutive full `npm test` runs on a clean clone of HEAD while another
# process keeps both cores busy (and holds some memory), optionally while a third process keeps
# launching and closing its own Chromium through Playwright (what overlapped the failing runs).
# Prints one line per run: its exit code, wall time and Jest's totals.
#   test/stress/loaded-test-runs.sh [runs=5] [--with-other-chromium]
set -uo pipefail
runs=${1:-5}
other_chromium=""
[ "${2:-}" = "--with-other-chromium" ] && other_chromium=yes
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d /tmp/loaded-runs.XXXXXX)
chmod 755 "$work" # the embedded PostgreSQL runs as the postgres user, who must reach the clone
git clone -q "$repo" "$work/clone"
cd "$work/clone"
unset DATABASE_URL
npm install --silent >/dev/null 2>&1 || { echo "npm install failed"; exit 1; }

pids=()
# two busy loops (one per core) and 3 GiB held, in one other process
node -e '
const { Worker } = require("node:worker_threads");
const held = []; for (let i = 0; i < 3; i++) held.push(Buffer.alloc(1 << 30, 1));
for (let i = 0; i < 2; i++) new Worker("for(;;){}", { eval: true });
setInterval(() => held.length, 1 << 30);' &
pids+=($!)
if [ -n "$other_chromium" ]; then
  node test/stress/other-chromium.mjs &
  pids+=($!)
fi
trap 'kill "${pids[@]}" 2>/dev/null' EXIT

for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  npm test >"$work/run-$i.log" 2>&1
  code=$?
  echo "run $i: exit $code, $(( $(date +%s) - start )) s, $(grep -E '^Tests: ' "$work/run-$i.log" | tail -1); $(grep -E '^  (unit and e2e|browser):' "$work/run-$i.log" | tr -s ' ' | paste -sd';')"
done
echo "logs: $work"
