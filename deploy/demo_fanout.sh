#!/usr/bin/env bash
# The demo's last act (called by deploy/demo.sh): two agents on loopback, each
# with its own deployment folder, over mTLS with certificates made here by the
# openssl CLI; a secret changes in the dev server; one fan-out brings both
# hosts up to date and prints the per-host table. Names only, never values.
# Usage: demo_fanout.sh BIN_DIR DEVSERVER_URL WORK_DIR
set -euo pipefail
bin=$1 url=$2 work=$3
ex="$(cd "$(dirname "$0")" && pwd)/examples/glitchtip"
pki="$work/pki"
mkdir -p "$pki"

echo "== agents: a CA, a server and a client certificate (openssl)"
(
  cd "$pki"
  ossl() { openssl "$@" 2>/dev/null; }
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=demo CA" \
    -keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign
  leaf() {  # name cn extensions
    ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
      -keyout "$1.key" -out "$1.csr"
    ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
      -extfile <(printf '%b' "$3") -out "$1.pem"
  }
  leaf server agent 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
  leaf central central 'subjectAltName=DNS:central.example.org\nextendedKeyUsage=clientAuth\n'
  chmod 600 ./*.key
)

agent_pids=()
stop_agents() { for p in "${agent_pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done; }
trap stop_agents EXIT
hosts=""
for host in web1 web2; do
  dir="$work/$host"
  mkdir -p "$dir"
  cp "$ex/.env.template" "$dir/"
  sed "s#http://127.0.0.1:8787#$url#" "$ex/demo.textproto" > "$dir/glitchtip.textproto"
  "$bin/agent" --listen=127.0.0.1:0 --tls-cert-file="$pki/server.pem" --tls-key-file="$pki/server.key" \
    --client-ca-file="$pki/ca.pem" --allowed-sans=central.example.org \
    --deployment-configs="$dir/glitchtip.textproto" > "$dir/agent.out" 2> "$dir/agent.log" &
  agent_pids+=($!)
  for _ in $(seq 1 100); do grep -q '(port [0-9]' "$dir/agent.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$dir/agent.out" | head -n1)
  [ -n "$port" ] || { echo "demo: agent $host did not start:" >&2; cat "$dir/agent.log" >&2; exit 75; }
  echo "   agent $host on 127.0.0.1:$port serving $dir (mTLS, only central.example.org may call)"
  hosts="${hosts:+$hosts,}127.0.0.1:$port"
done

fanout() {
  "$bin/fanout" --hosts="$hosts" --ca-file="$pki/ca.pem" --tls-cert-file="$pki/central.pem" \
    --tls-key-file="$pki/central.key" --deadline=30s "$@"
}

echo "== fanout: first sync on both hosts"
fanout

echo "== someone changes SECRET_KEY in Infisical; one fan-out updates every host now"
token=$(curl -sf -X POST "$url/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
  -d '{"clientId":"demo-client-id","clientSecret":"demo-client-secret"}' | jq -r .accessToken)
curl -sf -o /dev/null -X PATCH "$url/api/v3/secrets/raw/SECRET_KEY" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d "{\"workspaceSlug\":\"glitchtip\",\"environment\":\"prod\",\"secretPath\":\"/\",\"secretValue\":\"$("$bin/keygen" --format=hex --bytes=32)\"}"
fanout
