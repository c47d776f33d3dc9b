#!/usr/bin/env bash
# Render BENCHMARKS.md (on stdout) from the raw results of tests/bench/run.sh.
#   tests/bench/report.sh [RESULTS_DIR]      default: bench-results
# Each scenario step is one JSON file (<scenario>-<step>.json); a rerun of a scenario
# replaces its files, so the report always merges the latest run of every scenario.
set -eu
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${1:-$ROOT/bench-results}

files=()
for f in "$DIR"/machine.json "$DIR"/command.json "$DIR"/[a-z]-*.json; do
  [ -s "$f" ] && jq -e . "$f" >/dev/null 2>&1 && files+=("$f")
done

jq -n -r '
def r(n): if . == null then null else (. * pow(10; n) | round) / pow(10; n) end;
def num: if . == null then "–" else tostring end;
def mib: if . == null then "–" else "\(. / 1024 | r(1)) MiB" end;
def per(a; b): if a == null or b == null or b == 0 then null else a / b end;
# miss text for a "<= target" metric
def le(v; t; unit):
  if v == null then {ok: null, text: "not measured"}
  elif v <= t then {ok: true, text: "≤ \(t)\(unit) / **met**"}
  else {ok: false, text: "≤ \(t)\(unit) / **missed** by \((v - t) | r(2))\(unit) (\(v / t | r(2))× the target)"} end;
def ge(v; t; unit):
  if v == null then {ok: null, text: "not measured"}
  elif v >= t then {ok: true, text: "≥ \(t | r(1))\(unit) / **met**"}
  else {ok: false, text: "≥ \(t | r(1))\(unit) / **missed** by \((t - v) | r(2))\(unit) (\(v / t * 100 | r(1))% of the target)"} end;
def eq(v; t; what):
  if v == null then {ok: null, text: "not measured"}
  elif v == t then {ok: true, text: "= \(t) \(what) / **met**"}
  else {ok: false, text: "= \(t) \(what) / **missed** (\(v) vs \(t), off by \(v - t))"} end;
def ops(side): (.sim_stats[side] // {}) | to_entries
  | map(select(.value != 0 and .key != "total" and .key != "writes" and .key != "partition_items"))
  | map("\(.key) \(.value)") | join(", ") | if . == "" then "none" else . end;
def row(m; v; t): "| \(m) | \(v) | \(t // "") |";
def placeholder: "> Why, and what would close it: see *Why targets are missed* at the end.";
def scen_title:
  { "a-1": "(a) First sync of 5,000,000 partitions (5 databases × 1,000 tables × 1,000 partitions)",
    "a-2": "(b) Unchanged cycle over the same 5,000,000 partitions (daemon kept running)",
    "a-3": "(c) 1% of the partitions added, 0.5% changed, 0.5% dropped (5,000,000)",
    "d-1": "(d) One table with 1,000,000 partitions — first sync",
    "d-2": "(d) One table with 1,000,000 partitions — unchanged cycle",
    "e-1": "(e) Quick: first sync of 200,000 partitions (2 × 100 × 1,000)",
    "e-2": "(e) Quick: unchanged cycle over 200,000 partitions",
    "e-3": "(e) Quick: 1% added, 0.5% changed, 0.5% dropped (200,000)",
    "f-1": "(f) Like (e), 30 ms latency per request and request-rate quotas on both sides" };
def order: ["e-1","e-2","e-3","f-1","d-1","d-2","a-1","a-2","a-3"];

# targets of one step: list of {name, ok, text}
def targets:
  . as $s | ($s.scenario + "-" + $s.step) as $k
  | ($s.cycle.failed // null) as $failed
  | ($s.sim_stats.dlf.partition_items // null) as $items
  | ($s.extra.mutation // null) as $mut
  | (if $mut then $mut.added + $mut.changed + $mut.dropped else null end) as $nchg
  | ([$s.results | to_entries[] | select(.key | startswith("partition.")) | .value] | add) as $logged
  | if $s.timed_out then [{name: "finished", ok: false, text: "timed out after \($s.timeout_s) s"}]
    elif $s.cycle == null then [{name: "finished", ok: false, text: "no cycle answer (glue2dlfctl exit \($s.ctl_exit) after \($s.wall_s | r(0)) s; daemon state at that time in `bench-results/\($k).daemon-tail.log`)"}]
    else
    (if $k == "a-1" then [{name: "wall time"} + le($s.wall_s; 600; " s")] else [] end)
    + (if $k == "a-2" then [{name: "wall time"} + le($s.wall_s; 120; " s")] else [] end)
    + (if $s.step == "1" and $s.scenario != "f" then [{name: "CPU µs/partition"} + le($s.cpu_us_per_partition; 40; " µs")] else [] end)
    + (if $s.step == "2" then [{name: "CPU µs/partition"} + le($s.cpu_us_per_partition; 5; " µs"),
                               {name: "DLF requests"} + eq($s.sim_stats.dlf.total; 0; "requests")] else [] end)
    + (if $s.scenario != "f" and ($s.step == "1" or $s.step == "2") then [{name: "snapshot bytes/partition"} + le($s.snapshot_bytes_per_partition | r(1); 64; " B")] else [] end)
    + (if $s.scenario == "a" and $s.step != "3" then [{name: "daemon peak RSS"} + le($s.daemon_peak_rss_kib / 1048576 | r(3); 1.5; " GiB")] else [] end)
    + (if $s.step == "3" then [{name: "DLF partition items written"} + eq($items; $nchg; "changed partitions"),
                               {name: "partition lines in the result log"} + eq($logged; $nchg; "changed partitions")] else [] end)
    + (if $s.scenario == "f" then
         [{name: "Glue achieved rate"} + ge(per($s.sim_stats.glue.total - ($s.sim_stats.throttled.glue // 0); $s.wall_s) | r(2); 0.9 * $s.extra.glue_rps; " req/s"),
          {name: "DLF achieved rate"} + ge(per($s.sim_stats.dlf.total - ($s.sim_stats.throttled.dlf // 0); $s.wall_s) | r(2); 0.9 * $s.extra.dlf_rps; " req/s"),
          {name: "items failed by throttling"} + eq($s.results.throttle_failed; 0; "items"),
          {name: "items failed (any cause)"} + eq($failed; 0; "items")]
       else [] end)
    end;

def step_section:
  . as $s | ($s.scenario + "-" + $s.step) as $k
  | "### \(scen_title[$k] // $k)\n\n"
  + (if $s.skipped then "Not measured: \($s.skipped).\n"
     else
     ( [ "| metric | value | target / met? |", "|---|---|---|",
         row("wall time"; "\($s.wall_s | r(1)) s" + (if $s.timed_out then " (**timed out** after \($s.timeout_s) s)" else "" end); null),
         row("daemon CPU (user+sys)"; "\($s.daemon_cpu_s | r(2)) s = \($s.cpu_us_per_partition | r(2) | num) µs/partition"; null),
         row("daemon peak RSS (VmHWM)"; ($s.daemon_peak_rss_kib | mib); null),
         row("daemon RSS after the cycle (VmRSS)"; ($s.daemon_rss_kib | mib) + (if $s.snapshot_bytes then " (snapshot \($s.snapshot_bytes / 1048576 | r(1)) MiB)" else "" end); null),
         row("snapshot"; "\($s.snapshot_bytes | num) bytes for \($s.snapshot_items | num) items = \($s.snapshot_bytes_per_partition | r(1) | num) bytes/partition"; null),
         row("cycle"; if $s.cycle then "outcome \($s.cycle.outcome), seen \($s.cycle.seen), unchanged \($s.cycle.unchanged), created \($s.cycle.created), updated \($s.cycle.updated), deleted \($s.cycle.deleted), failed \($s.cycle.failed), held \($s.cycle.held)" else "no answer" end; null),
         row("Glue requests"; "\($s.sim_stats.glue.total // "–") (\($s | ops("glue")))"; null),
         row("DLF requests"; "\($s.sim_stats.dlf.total // "–") (\($s | ops("dlf"))); partition items written: \($s.sim_stats.dlf.partition_items // "–")"; null),
         row("throttled by the simulator"; "Glue \($s.sim_stats.throttled.glue // 0), DLF \($s.sim_stats.throttled.dlf // 0); daemon retries: Glue \($s.daemon_http.glue.retries // "–"), DLF \($s.daemon_http.dlf.retries // "–")"; null),
         row("result log lines"; ($s.results | to_entries | map(select(.key != "throttle_failed" and .key != "error_samples")) | map("\(.key) \(.value)") | join(", ") | if . == "" then "none" else . end); null),
         row("simulator CPU during the cycle"; "\($s.sim_cpu_s | r(2)) s (\(per($s.sim_cpu_s; $s.wall_s) * 100 | r(0) | num)% of one core; peak RSS \($s.sim_peak_rss_kib | mib))"; null)
       ]
       + (if $s.scenario == "f" then
           [ row("achieved request rate"; "Glue \(per($s.sim_stats.glue.total - ($s.sim_stats.throttled.glue // 0); $s.wall_s) | r(2) | num) req/s (quota \($s.extra.glue_rps)), DLF \(per($s.sim_stats.dlf.total - ($s.sim_stats.throttled.dlf // 0); $s.wall_s) | r(2) | num) req/s (quota \($s.extra.dlf_rps)); latency \($s.extra.latency_ms) ms"; null) ]
         else [] end)
       + (if ($s.results.error_samples // []) | length > 0 then [ row("failed items, first errors"; $s.results.error_samples | map("`\(.)`") | join("; "); null) ] else [] end)
       + (if $s.extra.mutation then [ row("mutation applied"; "added \($s.extra.mutation.added), changed \($s.extra.mutation.changed), dropped \($s.extra.mutation.dropped) (of \($s.extra.mutation.partitions_before))"; null) ] else [] end)
       + [ ($s | targets[] | row("target: " + .name; ""; .text)) ]
       | join("\n") ) + "\n"
       + ( [$s | targets[] | select(.ok == false)] as $m
           | if ($m | length) > 0 then "\n" + ($m | map("- missed: \(.name) — \(.text)\n" + placeholder) | join("\n")) + "\n" else "" end )
     end);

[inputs] as $all
| ($all | map(select(.nproc)) | first) as $m
| ($all | map(select(.command)) | first) as $c
| ($all | map(select(.scenario and .step))) as $steps
| "# Benchmarks\n\n"
+ "Generated by `make bench` (`tests/bench/run.sh [BUILD] [SCENARIO...]`, scenarios `a`–`f`; "
+ "`BENCH_QUICK=1 make bench` or `tests/bench/run.sh build e` runs only the quick one). "
+ "Each run rewrites this file from the raw results in `bench-results/*.json` (the latest run "
+ "of every scenario). The simulator (`build/glue2dlf-sim --plain`) generates the catalog: "
+ "external Parquet tables, 2 partition keys (`dt`, `region`), 12 columns, ParquetHiveSerDe, "
+ "3 partition parameters. The daemon runs with `max_concurrency: 64` on both sides, "
+ "`dlf.batch_size: 100`, the result log to a file and `log.level: info` on stderr; each "
+ "measured cycle is triggered with `glue2dlfctl --json sync --wait` after "
+ "`POST /_sim/stats/reset`. CPU is the delta of utime+stime in `/proc/<pid>/stat` over the "
+ "cycle, peak RSS is `VmHWM` of the daemon after the cycle (RSS after the cycle is `VmRSS` "
+ "once the daemon has handed the cycle'"'"'s free heap pages back), the snapshot size is "
+ "`progress.snapshot_bytes` of `glue2dlfctl --json status`; requests are the simulator'"'"'s "
+ "counts (`/_sim/stats`). Both programs share the machine below, so the simulator'"'"'s own "
+ "CPU is listed for every cycle. Targets are recorded, not asserted.\n\n"
+ "## Machine and command\n\n"
+ (if $m then
   "| | |\n|---|---|\n"
   + "| CPUs (nproc) | \($m.nproc) |\n| CPU model | \($m.cpu) |\n"
   + "| memory | \($m.mem_kib / 1048576 | r(1)) GiB |\n| kernel | \($m.kernel) |\n"
   + "| Debian | \($m.debian) |\n| libcurl / libuv / jansson | \($m.libcurl) / \($m.libuv) / \($m.jansson) |\n"
   + "| commit | \($m.commit)\(if $m.uncommitted_files > 0 then " (+\($m.uncommitted_files) uncommitted files in lib/ daemon/ tests/sim/)" else "" end) |\n"
   + "| date | \($m.date) |\n| command | `\($c.command // "make bench")` |\n"
  else "(no machine record)\n" end)
+ "\n## Summary\n\n| scenario | wall | daemon CPU µs/partition | peak RSS | snapshot B/partition | targets |\n|---|---|---|---|---|---|\n"
+ ( [ order[] as $k | $steps[] | select(.scenario + "-" + .step == $k)
      | "| \(scen_title[$k] | split(" ")[0]) \(.label) | "
        + (if .skipped then "not measured | | | | |"
           else "\(.wall_s | r(1)) s\(if .timed_out then " (timed out)" elif .cycle == null then " (no answer)" else "" end) | \(.cpu_us_per_partition | r(2) | num) | \(.daemon_peak_rss_kib | mib) | \(.snapshot_bytes_per_partition | r(1) | num) | "
             + ([targets[] | if .ok == true then "✓ \(.name)" elif .ok == false then "✗ \(.name)" else "? \(.name)" end] | join(", ")) + " |" end) ]
    | join("\n") ) + "\n"
+ ( [ order[] as $k | select([$steps[] | .scenario + "-" + .step] | index($k) | not)
      | "| \(scen_title[$k] | split(" ")[0]) \(["", "first", "unchanged", "changed"][$k[2:] | tonumber]) | not run yet (`tests/bench/run.sh build \({"a-2": "b", "a-3": "c"}[$k] // $k[0:1])`) | | | | |" ]
    | join("\n") ) + "\n\n"
+ "## Scenarios\n\n"
+ ( [ order[] as $k | $steps[] | select(.scenario + "-" + .step == $k) | step_section ] | join("\n") )
' "${files[@]}"
# Hand-written observations (kept across runs) follow the generated part.
if [ -s "$ROOT/tests/bench/NOTES.md" ]; then echo; cat "$ROOT/tests/bench/NOTES.md"; fi
