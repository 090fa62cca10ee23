#!/usr/bin/env bash
# keygen_bench: whole-process wall time of
#   keygen --format=hex --bytes=32        (bazel-bin opt build)
# against the command it replaces,
#   openssl rand -hex 32
# interleaved (A,B,B,A,...), RUNS runs each after 3 warm-up runs, medians and
# the ratio keygen/openssl from the same run. Goal: ratio <= 1.0.
# It also prints what the process start costs (shared objects loaded,
# relocations), which is what dominates a 32-byte keygen.
#
# Run on demand (not part of `bazel test`); it reports and always exits 0:
#   bash tests/bench/keygen_bench.sh            # RUNS=30
#   RUNS=100 bash tests/bench/keygen_bench.sh
# It builds first: bazel build --config=opt //tools:keygen //tools:sync //tools:devserver
# and writes only under a mktemp -d folder, removed on exit.
# No secret is printed: both commands' output goes to /dev/null.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

RUNS=${RUNS:-30}
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 10000 ] || { echo "RUNS must be 1..10000" >&2; exit 64; }
work=$(mktemp -d -t keygen-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

bench_build "$work"

run_keygen() { "$KEYGEN" --format=hex --bytes=32; }
run_openssl() { openssl rand -hex 32; }

# Sanity: both print 64 hex digits (checked, not shown).
for f in run_keygen run_openssl; do
  out=$("$f")
  [[ "$out" =~ ^[0-9a-f]{64}$ ]] || echo "bench: $f did not print 64 hex digits" >&2
done

echo "keygen_bench: keygen --format=hex --bytes=32 vs openssl rand -hex 32"
echo "  $(bench_load) before; $RUNS interleaved runs each, 3 warm-up"
bench_interleave "$RUNS" 3 "$work" "openssl rand -hex 32" run_openssl \
  "keygen --format=hex --bytes=32" run_keygen
echo "  $(bench_load) after"
echo
bench_table "$work" "openssl rand -hex 32" "openssl rand -hex 32" "keygen --format=hex --bytes=32"
echo
ratio=$(bench_ratio "$(bench_median_ms "$work/keygen --format=hex --bytes=32.us")" \
  "$(bench_median_ms "$work/openssl rand -hex 32.us")")
bench_goal "keygen/openssl median ratio" "$ratio" "<=" 1.0

# Where the start-up time goes: shared objects and relocations.
echo
echo "start-up cost (dynamic loader):"
printf '  %-10s %8s %14s %22s\n' binary "DSOs" relocations "ld.so startup time"
for which in keygen openssl; do
  if [ "$which" = keygen ]; then cmd=("$KEYGEN" --format=hex --bytes=32); else cmd=(openssl rand -hex 32); fi
  dsos=$(ldd "$(command -v "${cmd[0]}")" | wc -l)
  stats=$(LD_DEBUG=statistics "${cmd[@]}" 2>&1 >/dev/null || true)
  relocs=$(sed -n 's/.*number of relocations: *\([0-9]*\).*/\1/p' <<<"$stats" | head -n1)
  # "total startup time in dynamic loader: 1234567 cycles" (or a time).
  startup=$(sed -n 's/.*total startup time in dynamic loader: *\(.*\)$/\1/p' <<<"$stats" | head -n1)
  printf '  %-10s %8s %14s %22s\n' "$which" "$dsos" "${relocs:-?}" "${startup:-?}"
done

echo
echo "reproduce: RUNS=$RUNS bash tests/bench/keygen_bench.sh"
exit 0
