#!/usr/bin/env bash
# client_list_bench: listing secrets through the client vs a bare curl.
# For 50 and 10,000 secrets in glitchtip/prod on the dev server (opt build),
# interleaved (A,B,B,A,...), RUNS runs each:
#   - `sync --dry_run` (token cache warm; GlitchTip template; fetch + parse +
#     validate + diff, writes nothing): the client's List as a whole process;
#   - one `curl -s` GET of the same list endpoint with the same token.
# Medians and the ratio client/curl at each size. Goal: <= 1.3x at 50.
# (A whole-process figure: it includes the client's process start-up, as
# curl's includes curl's.)
#
# Run on demand (not part of `bazel test`); it reports and always exits 0:
#   bash tests/bench/client_list_bench.sh
#   RUNS=30 SIZES="50 10000" bash tests/bench/client_list_bench.sh
# It builds first: bazel build --config=opt //tools:keygen //tools:sync //tools:devserver
# (binaries copied from `bazel info --config=opt bazel-bin`/tools), starts
# devserver --listen 127.0.0.1:0, stops it on exit, writes only under a
# mktemp -d folder (removed on exit) and never prints values or tokens.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

RUNS=${RUNS:-30}
SIZES=${SIZES:-50 10000}
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 1000 ] || { echo "RUNS must be 1..1000" >&2; exit 64; }
for n in $SIZES; do
  [ "$n" -ge 3 ] && [ "$n" -le 100000 ] || { echo "SIZES must be 3..100000" >&2; exit 64; }
done

EXAMPLE=$BENCH_REPO/deploy/examples/glitchtip
work=$(mktemp -d -t client-list-bench.XXXXXX)
SERVER_PID=  # set by bench_start_devserver
export SERVER_PID
cleanup() { bench_stop_devserver; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_build "$work"
echo "client_list_bench: sync --dry_run (warm token) vs curl -s GET of the list; $RUNS interleaved runs each"
summary=$work/summary
: >"$summary"
for total in $SIZES; do
  bench_stop_devserver
  # The GlitchTip project holds 3 secrets; add total - 3.
  bench_write_seed "$work/seed.textproto" "$work/client-secret" $((total - 3))
  bench_start_devserver "$work/seed.textproto" "$work"
  bench_login "$work/client-secret" "$work/token"
  (umask 077; printf 'Authorization: Bearer %s\n' "$(cat "$work/token")" >"$work/auth.hdr")
  LIST_URL=$(bench_list_url)
  d=$work/n$total
  mkdir -p "$d"
  cp "$EXAMPLE/.env.template" "$d/.env.template"
  (umask 077; cp "$work/client-secret" "$d/client-secret")
  bench_write_config "$d" ".env.template"
  "$SYNC" --config="$d/config.textproto" >/dev/null 2>"$work/err" ||
    { head -n 5 "$work/err" >&2; echo "bench: sync failed" >&2; exit 1; }
  got=$(curl -sf -H @"$work/auth.hdr" "$LIST_URL" | jq '.secrets | length')
  LIST_DIR=$d
  run_client() { "$SYNC" --config="$LIST_DIR/config.textproto" --dry_run; }
  run_curl() { curl -s -H @"$work/auth.hdr" -o /dev/null "$LIST_URL"; }
  echo
  echo "  $got secrets ($(bench_load))"
  bench_interleave "$RUNS" 3 "$work" "curl -s GET list ($got)" run_curl \
    "sync --dry_run ($got)" run_client
  bench_table "$work" "curl -s GET list ($got)" "curl -s GET list ($got)" "sync --dry_run ($got)"
  echo "$got $(bench_median_ms "$work/curl -s GET list ($got).us") $(bench_median_ms "$work/sync --dry_run ($got).us")" >>"$summary"
done
bench_stop_devserver

echo
printf '  %9s %10s %15s %7s %18s\n' secrets "curl ms" "client ms" ratio "client - curl ms"
while read -r n c s; do
  printf '  %9d %10.2f %15.2f %6.2fx %18.2f\n' "$n" "$c" "$s" "$(bench_ratio "$s" "$c")" \
    "$(awk -v s="$s" -v c="$c" 'BEGIN { print s - c }')"
done <"$summary"
first=$(head -n 1 "$summary")
if [ -n "$first" ]; then
  read -r n c s <<<"$first"
  echo
  bench_goal "client/curl at $n secrets" "$(bench_ratio "$s" "$c")" "<=" 1.3
fi
echo
echo "$(bench_load) at the end"
echo "reproduce: RUNS=$RUNS SIZES=\"$SIZES\" bash tests/bench/client_list_bench.sh"
exit 0
