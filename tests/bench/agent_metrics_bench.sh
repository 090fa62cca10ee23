#!/usr/bin/env bash
# The idle agent's cost of --metrics_listen (on demand, not a test): the real
# //tools:agent (opt) over mTLS with one deployment, started ROUNDS times
# without and with --metrics_listen=127.0.0.1:0, interleaved (off,on,on,off,
# ...); each reads /proc/<pid>/status (VmRSS, Threads) after IDLE_SECONDS,
# and the "on" runs again after one scrape of /metrics. Medians.
#
#   bash tests/bench/agent_metrics_bench.sh            # ROUNDS=3, IDLE_SECONDS=5
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"

rounds=${ROUNDS:-3}
idle=${IDLE_SECONDS:-5}
cfg=${BENCH_CONFIG:-opt}
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$BENCH_REPO" && bazel build --config="$cfg" //tools:agent) >"$work/build.log" 2>&1 ||
  { tail -n 30 "$work/build.log" >&2; exit 1; }
cp "$(cd "$BENCH_REPO" && bazel info --config="$cfg" bazel-bin 2>/dev/null)/tools/agent" "$work/"
bash "$BENCH_REPO/tests/agent/make_certs.sh" "$work/pki" >/dev/null
mkdir -p "$work/d"
cp "$BENCH_REPO/deploy/examples/glitchtip/.env.template" "$work/d/"
cp "$BENCH_REPO/deploy/examples/glitchtip/demo.textproto" "$work/d/glitchtip.textproto"
export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo

field() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status"; }

run() {  # run off|on: appends "rss threads [rss_after_scrape threads_after]" to $work/$1
  local extra=()
  [ "$1" = on ] && extra=(--metrics_listen=127.0.0.1:0)
  "$work/agent" --listen=127.0.0.1:0 --tls_cert_file="$work/pki/server.pem" \
    --tls_key_file="$work/pki/server.key" --client_ca_file="$work/pki/ca.pem" \
    --allowed_sans=spiffe://corp/central --deployment_configs="$work/d/glitchtip.textproto" \
    "${extra[@]}" >"$work/out" 2>"$work/log" &
  pid=$!
  sleep "$idle"
  local line
  line="$(field VmRSS) $(field Threads)"
  if [ "$1" = on ]; then
    local port
    port=$(sed -n 's/^agent: metrics on .*(port \([0-9]*\))$/\1/p' "$work/out")
    curl -sf -o /dev/null "http://127.0.0.1:$port/metrics"
    line="$line $(field VmRSS) $(field Threads)"
  fi
  echo "$line" >>"$work/$1"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=""
}

for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then run off; run on; else run on; run off; fi
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "$work/$1" | median; }
printf 'agent idle (%s, %d rounds, %d s): metrics off: VmRSS %.1f MB, %d threads\n' \
  "$cfg" "$rounds" "$idle" "$(echo "$(col off 1) / 1024" | bc -l)" "$(col off 2)"
printf 'agent idle (%s, %d rounds, %d s): metrics on:  VmRSS %.1f MB, %d threads; after one scrape: VmRSS %.1f MB, %d threads\n' \
  "$cfg" "$rounds" "$idle" "$(echo "$(col on 1) / 1024" | bc -l)" "$(col on 2)" \
  "$(echo "$(col on 3) / 1024" | bc -l)" "$(col on 4)"
