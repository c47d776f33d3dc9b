#!/usr/bin/env bash
# Run every test and end with the summary line CI reads: "N passed, N failed".
#   tests/run-tests.sh BUILD_DIR [unit|fuzz|integration|all]
# Unit tests are cmocka binaries (one pass/fail per binary test case, counted from cmocka's
# own output); fuzz replays run each target over its seed corpus; integration scripts print
# "PASS name" / "FAIL name" lines, each counted. $G2D_TEST_WRAPPER (e.g. valgrind) wraps
# unit tests and fuzz replays.
set -u
build=${1:-build}
what=${2:-all}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
passed=0
failed=0
failures=()

note_fail() { failed=$((failed + 1)); failures+=("$1"); }

run_unit() {
  local t out rc p f
  for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$(cd "$root" && ${G2D_TEST_WRAPPER:-} "$t" 2>&1); rc=$?
    p=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
    f=$(printf '%s\n' "$out" | grep -cE '^\[  (FAILED|  ERROR) \]|^\[  ERROR   \]')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p))
    if [ "$f" -gt 0 ]; then
      printf '%s\n' "$out" | tail -40
      echo "--- the failed cases of $(basename "$t"):"
      printf '%s\n' "$out" | grep -B2 -A4 -E '^\[  (FAILED|  ERROR) \]|^\[  ERROR   \]' | grep -v '^--$' | head -60
      for _ in $(seq "$f"); do note_fail "$(basename "$t")"; done
      echo "FAIL $(basename "$t") ($p ok, $f failed, exit $rc)"
    else
      echo "ok   $(basename "$t") ($p cases)"
    fi
  done
}

run_fuzz() {
  local t name corpus
  for t in "$build"/tests/fuzz_*-replay; do
    [ -x "$t" ] || continue
    name=$(basename "$t" -replay); name=${name#fuzz_}
    corpus="$root/tests/fuzz/corpus/$name"
    if [ ! -d "$corpus" ]; then note_fail "fuzz $name: no corpus"; echo "FAIL fuzz $name: no corpus $corpus"; continue; fi
    if (cd "$root" && ${G2D_TEST_WRAPPER:-} "$t" "$corpus" >/dev/null 2>&1); then
      passed=$((passed + 1)); echo "ok   fuzz replay $name"
    else
      note_fail "fuzz $name"; echo "FAIL fuzz replay $name"
    fi
  done
}

run_integration() {
  local s out rc p f
  for s in "$root"/tests/integration/test_*.sh; do
    [ -f "$s" ] || continue
    out=$(cd "$root" && BUILD="$build" timeout 900 bash "$s" 2>&1); rc=$?
    p=$(printf '%s\n' "$out" | grep -c '^PASS ')
    f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p))
    if [ "$f" -gt 0 ]; then
      printf '%s\n' "$out" | tail -60
      # The failing checks themselves, whatever the logs after them pushed out of the tail.
      echo "--- the failed checks of $(basename "$s"), with the lines before them:"
      printf '%s\n' "$out" | grep -B3 '^FAIL ' | grep -v '^--$'
      [ "$rc" -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL ' &&
        echo "(no FAIL line: the script itself exited $rc; its first lines:)" &&
        printf '%s\n' "$out" | head -20
      for _ in $(seq "$f"); do note_fail "$(basename "$s")"; done
      echo "FAIL $(basename "$s") ($p ok, $f failed, exit $rc)"
    else
      echo "ok   $(basename "$s") ($p checks)"
    fi
  done
}

case "$what" in
  unit) run_unit ;;
  fuzz) run_fuzz ;;
  integration) run_integration ;;
  all) run_unit; run_fuzz; run_integration ;;
  *) echo "usage: $0 BUILD [unit|fuzz|integration|all]" >&2; exit 2 ;;
esac

if [ "$failed" -gt 0 ]; then
  echo "failed:"; printf '  %s\n' "${failures[@]}" | sort | uniq -c
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
