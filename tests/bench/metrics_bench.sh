#!/usr/bin/env bash
# metrics_bench: the cost of --metrics_file on a warm sync (token cached,
# .env up to date: the cron case), with against without the flag,
# interleaved run by run (A,B,B,A,...: bench_lib.sh's bench_interleave; hyperfine
# runs one command's series after the other's, so a load change on the shared
# machine would land on one side only). The metrics file is rewritten (read,
# merge, render, fsync, rename) on every run with the flag.
#                                                 Goal: <= 1 ms median.
#
# Run on demand (not part of `bazel test`); it reports and always exits 0:
#   bash tests/bench/metrics_bench.sh
#   RUNS=100 bash tests/bench/metrics_bench.sh
# It builds first (bazel build --config=opt, as bench_lib.sh's bench_build),
# starts the dev server on 127.0.0.1:0, and writes only under a mktemp -d
# folder, removed on exit. No secret value is printed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

RUNS=${RUNS:-60}
[ "$RUNS" -ge 3 ] && [ "$RUNS" -le 1000 ] || { echo "RUNS must be 3..1000" >&2; exit 64; }
work=$(mktemp -d -t metrics-bench.XXXXXX)
SERVER_PID=
cleanup() { bench_stop_devserver; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_build "$work"
echo "metrics_bench: $(bench_load) at start; binaries from bazel-bin (--config=opt)"
bench_write_seed "$work/seed.textproto" "$work/client-secret" 0
bench_start_devserver "$work/seed.textproto" "$work"
cp "$BENCH_REPO/deploy/examples/glitchtip/.env.template" "$work/.env.template"
cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" request_timeout_ms: 30000 max_retries: 0 }
auth {
  universal_auth {
    client_id { env: "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID" }
    client_secret { file: "client-secret" }
  }
  token_cache_file: "token.cache"
}
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
CONF
sed -n '/^secrets {/,$p' "$BENCH_REPO/deploy/examples/glitchtip/secretsync.textproto" >>"$work/config.textproto"
export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=$BENCH_CLIENT_ID
"$SYNC" --config="$work/config.textproto" --metrics_file="$work/sync.prom" >/dev/null 2>&1 \
  || { echo "metrics_bench: the first sync failed" >&2; exit 0; }

run_plain() { "$SYNC" --config="$work/config.textproto"; }
run_metrics() { "$SYNC" --config="$work/config.textproto" --metrics_file="$work/sync.prom"; }
bench_interleave "$RUNS" 5 "$work" "sync (warm)" run_plain "sync (warm) --metrics_file" run_metrics
bench_table "$work" "sync (warm)" "sync (warm)" "sync (warm) --metrics_file"
base=$(bench_median_ms "$work/sync (warm).us")
with=$(bench_median_ms "$work/sync (warm) --metrics_file.us")
diff=$(awk -v a="$with" -v b="$base" 'BEGIN { printf "%.3f", a - b }')
echo "metrics_bench: $(bench_load) at end"
bench_goal "metrics_bench: median(with) - median(without), ms" "$diff" "<=" 1
