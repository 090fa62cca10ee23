#!/usr/bin/env bash
# Hub benchmark (on demand, not a test): time from the dev server's PATCH
# reply to the last .env rename on N agent processes on loopback, over
# CHANGES changes (p50, p99), and the hub's idle RSS.
#
#   bash tests/bench/hub_bench.sh                 # N=100 agents, 20 changes
#   AGENTS=20 CHANGES=10 bash tests/bench/hub_bench.sh
#
# The delivery is signed and sent right after the PATCH reply (as Infisical
# sends it, tests/hub/send_deliveries.py); the hub debounces it (500 ms by
# default: DEBOUNCE_MS), then fans out to every agent (real agents, real syncs
# against the dev server, plaintext on loopback). The end time is the newest
# .env mtime once every .env holds the new value. Goals: p50 <= 1 s, p99 <= 2 s;
# idle RSS <= 20 MB.
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"

agents=${AGENTS:-100}
changes=${CHANGES:-20}
debounce=${DEBOUNCE_MS:-500}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cfg=${BENCH_CONFIG:-opt}
(cd "$BENCH_REPO" && bazel build --config="$cfg" //tools:agent //tools:devserver //tools:hub //tools:keygen) \
  >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
bin=$(cd "$BENCH_REPO" && bazel info --config="$cfg" bazel-bin 2>/dev/null)
cp "$bin/tools/agent" "$bin/tools/devserver" "$bin/tools/hub" "$bin/tools/keygen" "$work/"
ex=$BENCH_REPO/deploy/examples/glitchtip
project=5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11

"$work/devserver" --listen 127.0.0.1:0 --seed "$ex/devserver-seed.textproto" \
  >"$work/devserver.out" 2>"$work/devserver.log" &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/devserver.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$work/devserver.out")
export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id
export INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo-client-secret
(cd "$work" && cp "$ex/demo.textproto" "$ex/.env.template" . &&
  "$work/keygen" --config=demo.textproto --site-url="$url" --push >/dev/null 2>&1)
token=$(curl -sf -X POST "$url/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
  -d '{"clientId":"demo-client-id","clientSecret":"demo-client-secret"}' | jq -r .accessToken)

echo "hub bench: $(bench_load)"
export GRPC_VERBOSITY=NONE
hosts=""
for i in $(seq 1 "$agents"); do
  mkdir -p "$work/d$i"
  cp "$ex/.env.template" "$work/d$i/"
  sed "s#http://127.0.0.1:8787#$url#" "$ex/demo.textproto" >"$work/d$i/glitchtip.textproto"
  "$work/agent" --listen=127.0.0.1:0 --insecure_loopback_plaintext --rate_per_minute=100000 \
    --rate_burst=1000 --deployment_configs="$work/d$i/glitchtip.textproto" \
    >"$work/agent$i.out" 2>"$work/agent$i.err" &
  pids+=($!)
  for _ in $(seq 1 200); do grep -q "(port " "$work/agent$i.out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/agent$i.out")
  [ -n "$port" ] || { echo "bench: agent $i did not start" >&2; exit 1; }
  hosts="$hosts hosts: \"127.0.0.1:$port\""
done

(umask 077; openssl rand -hex 32 >"$work/webhook-key")
cat >"$work/hub.textproto" <<CONF
listen { address: "127.0.0.1:0" plaintext_loopback: true }
webhook_key_file: "$work/webhook-key"
agents { insecure_loopback_plaintext: true }
limits { debounce_ms: $debounce }
routes { name: "bench" project_id: "$project" environment: "prod" $hosts parallel: ${PARALLEL:-16} deadline_seconds: 120 }
CONF
"$work/hub" --config="$work/hub.textproto" >"$work/hub.out" 2>"$work/hub.log" &
hub_pid=$!
pids+=($hub_pid)
for _ in $(seq 1 200); do grep -q '^listening on ' "$work/hub.out" 2>/dev/null && break; sleep 0.05; done
hub_url=$(sed -n 's/^listening on //p' "$work/hub.out")
sleep 2
idle_rss=$(awk '/VmRSS/ {print $2}' /proc/$hub_pid/status)

all_hold() { [ "$(ls "$work"/d*/.env 2>/dev/null | wc -l)" -eq "$agents" ] && [ -z "$(grep -L "^SECRET_KEY='$1'" "$work"/d*/.env)" ]; }
times=()
for c in $(seq 1 "$changes"); do
  value=$("$work/keygen")
  curl -sf -o /dev/null -X PATCH "$url/api/v3/secrets/raw/SECRET_KEY" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"workspaceSlug\":\"glitchtip\",\"environment\":\"prod\",\"secretPath\":\"/\",\"secretValue\":\"$value\"}"
  t0=$(bench_now_us)
  /usr/bin/python3 "$BENCH_REPO/tests/hub/send_deliveries.py" "$hub_url/webhook" "$work/webhook-key" \
    "$project" prod / >/dev/null
  for _ in $(seq 1 600); do all_hold "$value" && break; sleep 0.02; done
  all_hold "$value" || { echo "change $c: not live on every host after 12 s" >&2; exit 1; }
  last=$(stat -c %.6Y "$work"/d*/.env | sort -n | tail -n1)
  ms=$(awk -v a="$last" -v b="$t0" 'BEGIN { printf "%d", (a * 1000000 - b) / 1000 }')
  echo "change $c: live on $agents hosts in $ms ms"
  times+=("$ms")
  sleep 0.3
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
p50=$(sed -n "$(( (changes + 1) / 2 ))p" <<<"$sorted")
p99=$(sed -n "$(( (changes * 99 + 99) / 100 ))p" <<<"$sorted")
echo "PATCH reply -> last .env rename on $agents agents over $changes changes (debounce $debounce ms): p50 $p50 ms, p99 $p99 ms (goal p50 <= 1000, p99 <= 2000)"
echo "hub idle RSS: $idle_rss kB (goal <= 20480); after the run: $(awk '/VmRSS/ {print $2}' /proc/$hub_pid/status) kB"
