#!/usr/bin/env bash
# The simulator's own smoke test (admin API, both signature families, both APIs, faults).
exec bash "$(dirname "$0")/../sim/smoke.sh" "${BUILD:?BUILD must point at the build directory}"
