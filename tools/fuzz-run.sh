#!/usr/bin/env bash
# Run each libFuzzer target for FUZZ_SECONDS over its corpus, and report what it did.
#   FUZZ_SECONDS=60 [FUZZ_MERGE=1] tools/fuzz-run.sh build-fuzz/fuzz_NAME...
# tests/fuzz/corpus/NAME is read, never written; the inputs a run finds go to
# build-fuzz/work/NAME (kept between runs, so longer runs build on shorter ones). A crash,
# leak, timeout or sanitizer report fails the run and leaves the input in
# build-fuzz/artifacts/NAME-*: add it to tests/fuzz/corpus/NAME and `make check` replays it
# from then on. FUZZ_MERGE=1 merges the inputs that add coverage into the corpora.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
S=${FUZZ_SECONDS:-60}
mkdir -p "$ROOT/build-fuzz/work" "$ROOT/build-fuzz/artifacts" "$ROOT/build-fuzz/logs"
failed=0
printf '%-18s %8s %12s %10s %8s %8s  %s\n' target seconds executions exec/s cov ft result
for bin in "$@"; do
  t=$(basename "$bin")
  n=${t#fuzz_}
  corpus="$ROOT/tests/fuzz/corpus/$n"
  work="$ROOT/build-fuzz/work/$n"
  log="$ROOT/build-fuzz/logs/$n.log"
  [ -d "$corpus" ] || { echo "$t: no corpus at $corpus" >&2; failed=1; continue; }
  mkdir -p "$work"
  "$bin" -max_total_time="$S" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$ROOT/build-fuzz/artifacts/$n-" \
    "$work" "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  if [ $rc -eq 0 ]; then res=ok; else
    res="FAILED (exit $rc): $(ls -t "$ROOT"/build-fuzz/artifacts/"$n"-* 2>/dev/null | head -1)"
    failed=1
  fi
  printf '%-18s %8s %12s %10s %8s %8s  %s\n' "$n" "$S" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "$res"
  if [ $rc -ne 0 ]; then
    grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY' "$log" | sed 's/^/    /'
  fi
  if [ "${FUZZ_MERGE:-}" = 1 ] && [ $rc -eq 0 ]; then
    "$bin" -merge=1 -max_len=65536 "$corpus" "$work" >>"$log" 2>&1 ||
      { echo "$n: merge failed (see $log)" >&2; failed=1; }
  fi
done
exit $failed
