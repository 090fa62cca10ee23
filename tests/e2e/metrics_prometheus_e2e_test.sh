#!/usr/bin/env bash
# Metrics end to end with the real components on 127.0.0.1: Debian's
# prometheus-node-exporter reads sync's --metrics_file through its textfile
# collector, a real agent serves /metrics, Debian's prometheus scrapes both
# every second; a sync that succeeds, one that fails and a fan-out through
# the agent show up in Prometheus's query API. No planted value reaches a
# metrics page, the textfile or Prometheus.
source "$(dirname "$0")/lib.sh"
AGENT=$rf/tools/agent
FANOUT=$rf/tools/fanout
PROMETHEUS=/usr/bin/prometheus
NODE_EXPORTER=/usr/bin/prometheus-node-exporter

start_devserver "$rf/tests/testdata/e2e-seed.textproto"
bash "$rf/tests/agent/make_certs.sh" "$T/pki" >/dev/null
pki=$T/pki
printf 'canary-client-secret-e2e-4f2b\n' >"$T/client-secret"
chmod 600 "$T/client-secret"
export E2E_CLIENT_ID=e2e-client-id
all=$T/all-output.txt
: >"$all"

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
}
trap stop_all EXIT

free_port() {  # a port nothing listens on now (prometheus and node_exporter take no :0)
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {  # wait_http URL: up to 20 s until it answers 200
  for _ in $(seq 1 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  return 1
}

deployment() {  # deployment DIR: the GlitchTip example's config and template in DIR
  mkdir -p "$1"
  cp "$rf/deploy/examples/glitchtip/.env.template" "$1/"
  cat >"$1/glitchtip.textproto" <<CONF
infisical { site_url: "$URL" }
auth { universal_auth { client_id { env: "E2E_CLIENT_ID" } client_secret { file: "$T/client-secret" } } }
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
secrets { name: "SECRET_KEY" }
CONF
}

# The agent's host and its /metrics on loopback.
deployment "$T/agenthost"
"$AGENT" --listen=127.0.0.1:0 --metrics-listen=127.0.0.1:0 --tls-cert-file="$pki/server.pem" \
  --tls-key-file="$pki/server.key" --client-ca-file="$pki/ca.pem" \
  --allowed-sans=spiffe://corp/central --deployment-configs="$T/agenthost/glitchtip.textproto" \
  >"$T/agent.out" 2>"$T/agent.log" &
pids+=($!)
for _ in $(seq 1 200); do grep -q 'metrics on' "$T/agent.out" 2>/dev/null && break; sleep 0.05; done
agent_port=$(sed -n 's/^agent: listening on .*(port \([0-9]*\))$/\1/p' "$T/agent.out")
metrics_port=$(sed -n 's/^agent: metrics on .*(port \([0-9]*\))$/\1/p' "$T/agent.out")
check "the agent reports its gRPC and metrics ports" [ -n "$agent_port" ] && [ -n "$metrics_port" ]

# node_exporter with only the textfile collector, on a folder of our own.
textdir=$T/textfile
mkdir -p "$textdir"
ne_port=$(free_port)
"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$ne_port" --collector.disable-defaults \
  --collector.textfile --collector.textfile.directory="$textdir" >"$T/node_exporter.log" 2>&1 &
pids+=($!)
check "node_exporter serves /metrics" wait_http "http://127.0.0.1:$ne_port/metrics"

# Prometheus scraping both every second, with its own temporary storage.
prom_port=$(free_port)
cat >"$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:$ne_port"]}]
  - job_name: secretsync-agent
    static_configs: [{targets: ["127.0.0.1:$metrics_port"]}]
YML
"$PROMETHEUS" --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$T/prometheus.log" 2>&1 &
pids+=($!)
check "prometheus is ready" wait_http "http://127.0.0.1:$prom_port/-/ready"
PROM=http://127.0.0.1:$prom_port

query() {  # query PROMQL: the first sample's value, or empty
  curl -sf --get "$PROM/api/v1/query" --data-urlencode "query=$1" | tee -a "$all" |
    jq -r '.data.result[0].value[1] // empty'
}

await() {  # await PROMQL VALUE: until Prometheus returns VALUE (30 s at most)
  local got=""
  for _ in $(seq 1 150); do
    got=$(query "$1")
    [ "$got" = "$2" ] && return 0
    sleep 0.2
  done
  echo "  $1 = '${got}', want '$2'"
  return 1
}

await_any() {  # await_any PROMQL: until the query (a comparison) returns a sample (30 s at most)
  for _ in $(seq 1 150); do
    [ -n "$(query "$1")" ] && return 0
    sleep 0.2
  done
  echo "  $1: no sample"
  return 1
}

check "prometheus sees the agent up" await 'up{job="secretsync-agent"}' 1
check "prometheus sees node_exporter up" await 'up{job="node"}' 1

# A sync through the agent (the real fanout client over mTLS).
"$FANOUT" --hosts="127.0.0.1:$agent_port" --ca-file="$pki/ca.pem" --tls-cert-file="$pki/client.pem" \
  --tls-key-file="$pki/client.key" --deadline=30s >"$T/fanout.out" 2>&1
rc=$?
cat "$T/fanout.out" >>"$all"
check "the fan-out through the agent exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "prometheus counts the agent's ok sync call" \
  await 'secretsync_agent_sync_calls_total{caller="spiffe://corp/central",outcome="ok"}' 1
check "... and its last success for the deployment, within the last 10 minutes" \
  await_any 'time() - secretsync_agent_last_success_timestamp_seconds{deployment="glitchtip"} < 600'
check "... and the server certificate's expiry (between 1 and 2 days)" \
  await_any 'secretsync_agent_certificate_expiry_seconds{cert="server"} > 86400 <= 172800' 

# sync --metrics_file into the collector's folder: first a success...
deployment "$T/cli"
sync_run() {
  "$SYNC" --config="$T/cli/glitchtip.textproto" --metrics_file="$textdir/secretsync.prom" \
    >"$T/sync.out" 2>"$T/sync.err"
  rc=$?
  cat "$T/sync.out" "$T/sync.err" >>"$all"
}
sync_run
check "a sync with --metrics_file exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "its metrics file passes promtool check metrics" \
  sh -c "promtool check metrics < '$textdir/secretsync.prom'"
check "prometheus gets last exit code 0 through node_exporter" \
  await 'secretsync_last_exit_code{deployment="glitchtip",tool="sync"}' 0

# ... then a failure: the template names a secret Infisical does not have.
echo 'MISSING=${NOT_IN_INFISICAL}' >>"$T/cli/.env.template"
sync_run
check "the sync with a missing secret fails with 65 or 66 (got $rc)" [ "$rc" -eq 65 -o "$rc" -eq 66 ]
failed=$rc
check "prometheus gets last exit code $failed" \
  await 'secretsync_last_exit_code{deployment="glitchtip",tool="sync"}' "$failed"
check "... and one success and one failure in secretsync_runs_total" \
  await 'sum(secretsync_runs_total{deployment="glitchtip",tool="sync"})' 2
check "the agent's sync count is still 1" \
  await 'sum(secretsync_agent_sync_calls_total)' 1

curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$T/agent-metrics.txt"
check "the agent's /metrics passes promtool check metrics" \
  sh -c "promtool check metrics < '$T/agent-metrics.txt'"
curl -sf "http://127.0.0.1:$ne_port/metrics" >"$T/node-exporter-metrics.txt"
cat "$T/agent-metrics.txt" "$textdir/secretsync.prom" "$T/node-exporter-metrics.txt" \
  "$T/agent.log" >>"$all"
curl -sf --get "$PROM/api/v1/series" --data-urlencode 'match[]={__name__=~"secretsync_.*"}' >>"$all"
for canary in canary-secret-key-e2e-0d9a canary-mail-e2e-71c4 canary-client-secret-e2e-4f2b; do
  check "planted value $canary appears in no metrics, page or reply" \
    sh -c "! grep -q -- '$canary' '$all'"
done
finish
