#!/usr/bin/env bash
# A re-send is a new request (issue 17, point 5). When a kept-alive connection dies after
# the request went out and before any answer came back, curl would re-send the very same
# bytes on a fresh connection — with the same x-acs-signature-nonce, which DLF refuses as
# SignatureNonceUsed (the simulator, like DLF, remembers every nonce it has checked, also of
# a request whose connection it then dropped). The engine refuses curl's re-send and sends
# the request again itself, signed anew.
source "$(dirname "$0")/lib.sh"

for sig in acs3 roa; do
  start_sim "sim-$sig" --seed 7 --databases 6 --tables-per-db 2 --partitions-per-table 3 || exit 1
  CFG_DLF_SIG=$sig write_config "$T/g2d.yaml"
  # The first request of each write below goes out, usually, on a connection the DLF
  # snapshot listing left open; the simulator closes it without answering (after checking
  # the signature and the nonce). Whether curl then re-sends by itself depends on timing:
  # tests/unit/test_http.c has the deterministic case; this is the end-to-end one.
  for op in CreateDatabase CreateTable BatchCreatePartitions; do
    sim_post faults "{\"side\":\"dlf\",\"action\":\"$op\",\"kind\":\"reset\",\"count\":1}"
  done
  rm -f "$T/results.jsonl"
  g2dd --config "$T/g2d.yaml" --once >"$T/once-$sig.log" 2>&1
  check_eq "$sig: --once over dropped connections exits 0" 0 $?
  check_eq "$sig: every fault was used" 0 "$(sim_get faults | jq '.Faults | length')"
  check_eq "$sig: DLF refused no request (no nonce was sent twice)" 0 \
    "$(sim_get stats | jq -r '.rejected.dlf // 0')"
  check "$sig: no SignatureNonceUsed anywhere" bash -c \
    "! grep -q SignatureNonceUsed '$T/once-$sig.log' '$T/results.jsonl'"
  check_eq "$sig: every database arrived" "$(glue_names)" "$(dlf_names)"
  check_eq "$sig: every item succeeded" 0 \
    "$(jq -s '[.[] | select(.isSuccess == false)] | length' "$T/results.jsonl")"
  kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null
done
finish
