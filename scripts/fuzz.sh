#!/usr/bin/env bash
# Runs every libFuzzer harness of the fuzz preset for FUZZ_SECONDS each (default 60), starting from
# its seed corpus in tests/fuzz/corpus/<name> and growing a work corpus under build/fuzz/work.
# A crash, a leak, a timeout or an out-of-memory input fails the run; the input is kept under
# build/fuzz/artifacts (add it to tests/fuzz/corpus/<name> so it stays a regression test).
# Prints one line per harness: executions, corpus size, crashes.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
build=build/fuzz
mkdir -p "$build/work" "$build/artifacts"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
printf '%-10s %12s %10s %8s %s\n' harness executions "exec/s" corpus result
for harness in csv_nodes csv_edges jsonl edge_list labels graphml gexf gml pajek snapshot query; do
    program="$build/tests/fuzz/smorg_fuzz_$harness"
    work="$build/work/$harness"
    mkdir -p "$work"
    log="$build/$harness.log"
    "$program" "$work" "tests/fuzz/corpus/$harness" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$harness-" >"$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    corpus=$(ls "$work" | wc -l)
    if [ $rc -eq 0 ]; then result=ok; else result="FAILED (exit $rc, see $log)"; status=1; fi
    printf '%-10s %12s %10s %8s %s\n' "$harness" "${runs:-?}" "${speed:-?}" "$corpus" "$result"
done
exit $status
