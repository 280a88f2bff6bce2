#!/usr/bin/env bash
# Runs every benchmark (bench/*_bench.py) against the build in $1 (default build/release).
# Results are printed as tables and appended as JSON lines to <build>/bench/results.jsonl.
# BENCH_ONLY=<substring> runs only the matching scripts; BENCH_SCALE=small shrinks the graphs
# (for a quick check, not for the figures).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-build/release}" && pwd)"
python=/usr/bin/python3
[ -x "$python" ] || python=python3
mkdir -p "$build/bench"
status=0
for script in "$here"/*_bench.py; do
    name="$(basename "$script" _bench.py)"
    if [ -n "${BENCH_ONLY:-}" ] && [[ "$name" != *"$BENCH_ONLY"* ]]; then continue; fi
    echo "== $name"
    if ! "$python" "$script" --build "$build"; then
        echo "!! $name failed" >&2
        status=1
    fi
done
exit $status
