#!/usr/bin/env bash
# glue2dlfctl report: the page's numbers are the cycle's own (checked against the result
# log and the simulator), one bar per cycle in both charts, and, where Debian's Chromium is
# installed, the page rendered headless: its text shows the same numbers, and a screenshot
# is drawn.
source "$(dirname "$0")/lib.sh"

start_sim sim --seed 21 --databases 3 --tables-per-db 3 --partitions-per-table 15 \
  --functions-per-db 1 || exit 1
CFG_SYNC_EXTRA='  run_on_start: false' write_config "$T/g.yaml"
start_daemon d "$T/g.yaml" || exit 1

check "report before any cycle: a page that says so" bash -c \
  "'$BUILD/glue2dlfctl' --socket '$T/control.sock' report | grep -q 'No sync cycle has finished yet'"
ctl sync --wait >/dev/null
# Cycle 2 with failures in one database: partitions whose values hold 2020-01-0.
sim_post faults '{"side":"dlf","action":"BatchCreatePartitions","kind":"item_error","match":"2020-01-0","code":"InvalidObject","message":"bad partition","count":-1}'
for db in $(sim_get dlf/databases | jq -r '.Databases[].Name' | head -1); do sim_del "dlf/databases/$db"; done
ctl sync --wait --full >/dev/null
ctl sync --wait >/dev/null
check_eq "report -o: exit 0" 0 "$(ctl report -o "$T/report.html"; echo $?)"
check "report -o: an HTML page" grep -q '^<!DOCTYPE html>' "$T/report.html"
check "report -o: no temporary file left" bash -c "[ \$(ls '$T' | grep -c 'report.html.tmp') -eq 0 ]"
J=$(ctl --json report)
last=$(jq -r '.last_cycle.cycle_id' <<<"$J")
check_eq "the page names the last cycle" "$last" "$(sed -n 's/.*id="cycle-id">\([0-9]*\)<.*/\1/p' "$T/report.html")"
# The numbers per database, from the result log of that cycle.
bad=""
for db in $(jq -r '.databases[].name' <<<"$J"); do
  want_f=$(jq -s --arg c "$last" --arg d "$db" '[.[] | select((.cycleId|tostring) == $c and (.itemName | split(".")[0] | split("/")[0]) == $d and (.isSuccess | not) and (.held != true))] | length' "$T/results.jsonl")
  got_f=$(grep -o "data-db=\"$db\">.*</tr>" "$T/report.html" | sed -n 's/.*data-field="failed">\([0-9]*\)<.*/\1/p')
  [ "$want_f" == "$got_f" ] || bad+=" $db:failed:$want_f/$got_f"
  want_p=$(sim_get dlf/tables/$db 2>/dev/null | jq -r '[.Tables[].Name] | length' 2>/dev/null)
  got_t=$(grep -o "data-db=\"$db\">.*</tr>" "$T/report.html" | sed -n 's/.*data-field="tables">\([0-9]*\)<.*/\1/p')
  [ -z "$want_p" ] || [ "$want_p" == "$got_t" ] || bad+=" $db:tables:$want_p/$got_t"
  want_n=0
  for t in $(sim_get dlf/tables/$db 2>/dev/null | jq -r '.Tables[].Name'); do
    want_n=$((want_n + $(sim_get "dlf/partitions/$db/$t" | jq -r '.Partitions | length')))
  done
  got_n=$(grep -o "data-db=\"$db\">.*</tr>" "$T/report.html" | sed -n 's/.*data-field="partitions">\([0-9]*\)<.*/\1/p')
  [ "$want_n" == "$got_n" ] || bad+=" $db:partitions:$want_n/$got_n"
  want_u=$(sim_get dlf/functions/$db 2>/dev/null | jq -r '.Functions | length')
  got_u=$(grep -o "data-db=\"$db\">.*</tr>" "$T/report.html" | sed -n 's/.*data-field="functions">\([0-9]*\)<.*/\1/p')
  [ "$want_u" == "$got_u" ] || bad+=" $db:functions:$want_u/$got_u"
done
check_eq "every database row: failed items, tables, partitions and functions as the cycle and DLF have them" "" "$bad"
check "a database with failures is marked" grep -q '<tr class="bad"' "$T/report.html"
total_failed=$(jq -r '.last_cycle.failed' <<<"$J")
check "the failures add up in the summary" grep -q "id=\"failed\">$total_failed<" "$T/report.html"
check "some partitions failed" test "$total_failed" -gt 0
check_eq "duration chart: one bar per cycle" 3 "$(grep -o 'id="chart-duration".*' "$T/report.html" | head -1 >/dev/null; sed -n '/id="chart-duration"/,/<\/svg>/p' "$T/report.html" | grep -c 'class="bar"')"
check_eq "rate chart: one bar per cycle" 3 "$(sed -n '/id="chart-rate"/,/<\/svg>/p' "$T/report.html" | grep -c 'class="bar"')"
check "names are escaped" bash -c "! grep -q '<script' '$T/report.html'"

# Rendered by a real browser, where one is installed.
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
  prof="$T/chrome"
  timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --user-data-dir="$prof" \
    --dump-dom "file://$T/report.html" >"$T/dom.html" 2>"$T/chrome.log"
  check "chromium: renders the page" grep -q 'id="databases"' "$T/dom.html"
  check "chromium: the cycle it claims" grep -q "id=\"cycle-id\">$last<" "$T/dom.html"
  check "chromium: both charts drawn" bash -c "[ \$(grep -c '<svg' '$T/dom.html') -eq 2 ]"
  timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --user-data-dir="$prof" \
    --window-size=900,900 --screenshot="$T/report.png" "file://$T/report.html" >>"$T/chrome.log" 2>&1
  check "chromium: a screenshot of the page (PNG)" bash -c "file '$T/report.png' 2>/dev/null | grep -q PNG || head -c 8 '$T/report.png' | grep -q PNG"
  [ -n "${G2D_REPORT_PNG:-}" ] && cp "$T/report.png" "$G2D_REPORT_PNG"
else
  echo "SKIP chromium is not installed: the page is not rendered"
fi
finish
