#!/usr/bin/env bash
# The demo's hub act (called at the end of deploy/demo.sh): two agents on
# loopback and a hub with a route to both; a PATCH to a secret, then the
# dev server's webhook (as Infisical's) calls the hub, and the change is live
# on both hosts without any fanout call. Usage: demo_hub.sh BIN URL WORK
# (WORK holds demo.textproto and .env.template, and demo.sh exported the
# INFISICAL_UNIVERSAL_AUTH_* variables).
set -euo pipefail
bin=$1 url=$2 work=$3
project=5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11
echo "== push on change: dev server -> webhook -> hub -> 2 agents"
pids=()
stop_all() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done; }
trap stop_all EXIT
hosts=""
for host in a b; do
  dir=$work/hub-$host
  mkdir -p "$dir"
  cp "$work/.env.template" "$dir/"
  sed "s#http://127.0.0.1:8787#$url#" "$work/demo.textproto" >"$dir/glitchtip.textproto"
  "$bin/agent" --listen=127.0.0.1:0 --insecure_loopback_plaintext \
    --deployment-configs="$dir/glitchtip.textproto" >"$dir/agent.out" 2>"$dir/agent.log" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '(port [0-9]' "$dir/agent.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$dir/agent.out" | head -n1)
  [ -n "$port" ] || { echo "demo: agent $host did not start" >&2; exit 75; }
  hosts="$hosts hosts: \"127.0.0.1:$port\""
done
(umask 077; openssl rand -hex 32 >"$work/webhook-key")
cat >"$work/hub.textproto" <<CONF
listen { address: "127.0.0.1:0" plaintext_loopback: true }
webhook_key_file: "$work/webhook-key"
agents { insecure_loopback_plaintext: true }
routes { name: "glitchtip" project_id: "$project" project_slug: "glitchtip" environment: "prod" $hosts }
CONF
"$bin/hub" --config="$work/hub.textproto" >"$work/hub.out" 2>"$work/hub.log" &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/hub.out" 2>/dev/null && break; sleep 0.1; done
hub_url=$(sed -n 's/^listening on //p' "$work/hub.out")
[ -n "$hub_url" ] || { echo "demo: the hub did not start" >&2; cat "$work/hub.log" >&2; exit 75; }
echo "   hub on $hub_url, route glitchtip/prod/** -> 2 agents"
token=$(curl -sf -X POST "$url/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
  -d "{\"clientId\":\"$INFISICAL_UNIVERSAL_AUTH_CLIENT_ID\",\"clientSecret\":\"$INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET\"}" | jq -r .accessToken)
# The dev server's webhook, as one creates it in Infisical (UI or API).
curl -sf -o /dev/null -X POST "$url/api/v1/webhooks" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d "{\"type\":\"general\",\"workspaceId\":\"$project\",\"environment\":\"prod\",\"webhookUrl\":\"$hub_url/webhook\",\"webhookSecretKey\":\"$(cat "$work/webhook-key")\",\"secretPath\":\"/**\"}"
echo "   dev server webhook -> $hub_url/webhook (signed with the hub's key)"
value=$("$bin/keygen" --format=hex --bytes=32)
curl -sf -o /dev/null -X PATCH "$url/api/v3/secrets/raw/SECRET_KEY" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d "{\"workspaceSlug\":\"glitchtip\",\"environment\":\"prod\",\"secretPath\":\"/\",\"secretValue\":\"$value\"}"
t0=${EPOCHREALTIME/./}
live() { for h in a b; do grep -q "^SECRET_KEY='$value'" "$work/hub-$h/.env" 2>/dev/null || return 1; done; }
for _ in $(seq 1 300); do live && break; sleep 0.02; done
live || { echo "demo: the change did not reach both hosts" >&2; exit 75; }
last=$(stat -c %.6Y "$work"/hub-a/.env "$work"/hub-b/.env | sort -n | tail -n1)
echo "   PATCH SECRET_KEY -> live on 2 hosts in $(awk -v a="$last" -v b="$t0" 'BEGIN { printf "%d", (a * 1000000 - b) / 1000 }') ms (no fanout call)"
grep -E 'hub\.(delivery|fanout\.done)' "$work/hub.log" | sed 's/^/   /'
