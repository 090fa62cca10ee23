#!/usr/bin/env bash
# Agent benchmark (on demand, not a test): fan-out to N agents on 127.0.0.1,
# and one idle agent's RSS and wakeups per second.
#
#   bash tests/bench/agent_bench.sh            # N=100, idle 60 s
#   AGENTS=50 IDLE_SECONDS=30 bash tests/bench/agent_bench.sh
#
# Each agent is the real //tools:agent with its own deployment folder, and
# every round first changes SECRET_KEY in the dev server, so each of the N
# agents does a real sync (login, list, render, atomic write, on-change) per
# round. FAKE=1 runs //tests/agent:fake_agent instead (the agent command over
# a FakeSyncService whose syncs take ~0 ms): the gRPC and fan-out cost alone.
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"

agents=${AGENTS:-100}
idle_seconds=${IDLE_SECONDS:-60}
rounds=${ROUNDS:-5}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$BENCH_REPO" && bazel build --config="${BENCH_CONFIG:-opt}" //tests/agent:fake_agent //tools:fanout //tools:agent \
  //tools:devserver //tools:keygen) >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
bin=$(cd "$BENCH_REPO" && bazel info --config="${BENCH_CONFIG:-opt}" bazel-bin 2>/dev/null)
cp "$bin/tests/agent/fake_agent" "$bin/tools/fanout" "$bin/tools/agent" "$bin/tools/devserver" \
  "$bin/tools/keygen" "$work/"
FANOUT=$work/fanout
ex=$BENCH_REPO/deploy/examples/glitchtip
change_secret() { :; }
if [ "${FAKE:-0}" = 1 ]; then
  AGENT=$work/fake_agent
else
  AGENT=$work/agent
  "$work/devserver" --listen 127.0.0.1:0 --seed "$ex/devserver-seed.textproto" \
    >"$work/devserver.out" 2>"$work/devserver.log" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '^listening on ' "$work/devserver.out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$work/devserver.out")
  export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id
  export INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo-client-secret
  (cd "$work" && cp "$ex/demo.textproto" "$ex/.env.template" . && \
    "$work/keygen" --config=demo.textproto --site-url="$url" --push >/dev/null 2>&1)
  for i in $(seq 1 "$agents"); do
    mkdir -p "$work/d$i"
    cp "$ex/.env.template" "$work/d$i/"
    sed "s#http://127.0.0.1:8787#$url#" "$ex/demo.textproto" >"$work/d$i/glitchtip.textproto"
  done
  AGENT_ARGS="--deployment_configs=$work/d{i}/glitchtip.textproto"
  change_secret() {
    local token
    token=$(curl -sf -X POST "$url/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
      -d '{"clientId":"demo-client-id","clientSecret":"demo-client-secret"}' | jq -r .accessToken)
    curl -sf -o /dev/null -X PATCH "$url/api/v3/secrets/raw/SECRET_KEY" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' \
      -d "{\"workspaceSlug\":\"glitchtip\",\"environment\":\"prod\",\"secretPath\":\"/\",\"secretValue\":\"$("$work/keygen")\"}"
  }
fi
bash "$BENCH_REPO/tests/agent/make_certs.sh" "$work/pki"
pki=$work/pki
export GRPC_VERBOSITY=NONE

start_agent() {  # $1: index; prints host:port
  local out=$work/agent$1.out args=${AGENT_ARGS:-}
  "$AGENT" --listen=127.0.0.1:0 --tls_cert_file="$pki/server.pem" --tls_key_file="$pki/server.key" \
    --client_ca_file="$pki/ca.pem" --allowed_sans=spiffe://corp/central \
    --rate_per_minute=100000 --rate_burst=1000 ${args//\{i\}/$1} >"$out" 2>"$work/agent$1.err" &
  pids+=($!)
  for _ in $(seq 1 200); do
    if grep -q "(port " "$out" 2>/dev/null; then
      sed -n 's/.*(port \([0-9]*\)).*/127.0.0.1:\1/p' "$out"
      return
    fi
    sleep 0.05
  done
  echo "bench: agent $1 did not start: $(cat "$work/agent$1.err")" >&2
  exit 1
}

echo "agent bench: $(bench_load)"
: >"$work/hosts"
for i in $(seq 1 "$agents"); do start_agent "$i" >>"$work/hosts"; done

times=()
for r in $(seq 1 "$rounds"); do
  change_secret
  t0=$(bench_now_us)
  rc=0
  "$FANOUT" --hosts_file="$work/hosts" --ca_file="$pki/ca.pem" --tls_cert_file="$pki/client.pem" \
    --tls_key_file="$pki/client.key" --parallel="${PARALLEL:-16}" --json >"$work/fanout.json" \
    2>"$work/fanout.err" || rc=$?
  t1=$(bench_now_us)
  ok=$(grep -c '"result": "ok"' "$work/fanout.json" || true)
  echo "round $r: fan-out to $agents agents: $(( (t1 - t0) / 1000 )) ms, $ok ok, exit $rc"
  times+=($(( (t1 - t0) / 1000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")
written=$(grep -c '"SECRET_KEY"' "$work/fanout.json" || true)
echo "fan-out to $agents agents (--parallel=${PARALLEL:-16}, $([ "${FAKE:-0}" = 1 ] && echo fake || echo real) syncs, last round $written hosts changed SECRET_KEY): median $median ms of $rounds rounds"

# Idle: the first agent, after the fan-out, left alone.
pid=$(pgrep -f "^$AGENT " | head -n1)
switches() {
  local sum=0 f v n
  for f in /proc/"$pid"/task/*/status; do
    v=$(awk '/^voluntary_ctxt_switches/ {print $2}' "$f")
    n=$(awk '/^nonvoluntary_ctxt_switches/ {print $2}' "$f")
    sum=$((sum + v + n))
  done
  echo "$sum"
}
for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kill "$p" 2>/dev/null || true; done
sleep 2
s0=$(switches)
sleep "$idle_seconds"
s1=$(switches)
rss=$(awk '/^VmRSS/ {print $2}' /proc/"$pid"/status)
anon=$(awk '/^RssAnon/ {print $2}' /proc/"$pid"/status)
pss=$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup)
threads=$(ls /proc/"$pid"/task | wc -l)
awk -v a="$s0" -v b="$s1" -v t="$idle_seconds" -v r="$rss" -v an="$anon" -v p="$pss" -v th="$threads" \
  'BEGIN { printf "idle agent: VmRSS %.1f MB (anonymous %.1f MB, PSS %.1f MB), %d threads, %.2f wakeups/s over %d s\n", r/1024, an/1024, p/1024, th, (b-a)/t, t }'
# Issue N's goals for the idle agent.
bench_goal "idle agent PSS MB" "$(awk -v p="$pss" 'BEGIN { printf "%.1f", p / 1024 }')" "<=" 12
bench_goal "idle agent threads" "$threads" "<=" 8
