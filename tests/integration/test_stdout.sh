#!/usr/bin/env bash
# Results on standard output, as the legacy Spark driver printed them: result.path "-", and
# --once without a result path (unless --quiet). Standard output then holds only result
# lines, in the result log's own format; the logs stay on standard error.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 3 --databases 2 --tables-per-db 2 --partitions-per-table 4 \
  --functions-per-db 1 || exit 1

# 1. result.path: "-"
write_config "$T/dash.yaml"
sed -i "s|  path: $T/results.jsonl|  path: \"-\"|" "$T/dash.yaml"
g2dd --config "$T/dash.yaml" --once >"$T/dash.out" 2>"$T/dash.err"
check_eq "result.path \"-\": --once exits 0" 0 $?
n=$(wc -l <"$T/dash.out")
check "result.path \"-\": result lines on stdout" test "$n" -gt 10
check_eq "result.path \"-\": every stdout line is one JSON result" "$n" \
  "$(jq -c 'select(.cycleId and .itemType and .itemName and has("isSuccess"))' "$T/dash.out" | wc -l)"
check "result.path \"-\": the logs are on stderr, not stdout" bash -c \
  "grep -q 'cycle 1 finished' '$T/dash.err' && ! grep -q 'cycle 1 finished' '$T/dash.out'"
check_eq "result.path \"-\": one line per object the cycle created" \
  "$(sed -n 's/.* created=\([0-9]*\) .*/\1/p' "$T/dash.err" | head -1)" "$n"

# 2. --once with no result path: stdout, in the same format as a result file.
for db in $(sim_get dlf/databases | jq -r '.Databases[].Name'); do sim_del "dlf/databases/$db"; done
write_config "$T/none.yaml"
sed -i "/^  path: /d" "$T/none.yaml"
g2dd --config "$T/none.yaml" --once >"$T/none.out" 2>"$T/none.err"
check_eq "--once without result.path: exits 0" 0 $?
check_eq "--once without result.path: the same items as with \"-\"" \
  "$(jq -r '.itemType + " " + .itemName + " " + .diffResult' "$T/dash.out" | sort)" \
  "$(jq -r '.itemType + " " + .itemName + " " + .diffResult' "$T/none.out" | sort)"
check_eq "--once without result.path: the result log's fields, in its order" \
  "$(head -1 "$T/dash.out" | jq -c 'keys_unsorted')" "$(head -1 "$T/none.out" | jq -c 'keys_unsorted')"

# 3. --quiet: nothing on stdout.
g2dd --config "$T/none.yaml" --once --quiet >"$T/quiet.out" 2>"$T/quiet.err"
check_eq "--once --quiet: exits 0" 0 $?
check_eq "--once --quiet: stdout is empty" 0 "$(wc -c <"$T/quiet.out")"

# 4. A result path set: stdout stays empty.
write_config "$T/file.yaml"
g2dd --config "$T/file.yaml" --once >"$T/file.out" 2>"$T/file.err"
check_eq "a result file: stdout stays empty" 0 "$(wc -c <"$T/file.out")"
finish
