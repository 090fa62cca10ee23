#!/usr/bin/env bash
# The hub's webhook listener over TLS, with the real //tools:hub: HTTPS only
# (plain HTTP on its port gets no reply), a signed delivery over HTTPS is
# accepted and a bad one refused; SIGHUP serves a renewed certificate and key,
# a half-renewed pair (new certificate, old key) is refused and the served
# certificate stays; the listener certificate's expiry in /metrics follows
# the files; a route whose only host is down counts a failed fan-out.
source "$(dirname "$0")/lib.sh"
HUB=$rf/tools/hub
PROJECT=5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11
KEY=canary-webhook-key-tls-5e7a

# A CA and two server certificates for 127.0.0.1: 30 and 90 days.
pki=$T/pki
mkdir -p "$pki" "$T/live"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/ca.key" \
  -out "$pki/ca.pem" -subj /CN=hub-test-ca -days 365 2>/dev/null
leaf() {  # leaf NAME DAYS
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/$1.key" \
    -out "$pki/$1.csr" -subj /CN=127.0.0.1 2>/dev/null
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
    -days "$2" -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n') \
    -out "$pki/$1.pem" 2>/dev/null
}
leaf first 30
leaf renewed 90
cp "$pki/first.pem" "$T/live/cert.pem"
cp "$pki/first.key" "$T/live/key.pem"
chmod 600 "$T/live/key.pem"
printf '%s\n' "$KEY" >"$T/webhook-key"
chmod 600 "$T/webhook-key"

cat >"$T/hub.textproto" <<CONF
listen { address: "127.0.0.1:0" tls_cert_file: "$T/live/cert.pem" tls_key_file: "$T/live/key.pem" }
webhook_key_file: "$T/webhook-key"
agents { insecure_loopback_plaintext: true }
limits { debounce_ms: 100 retry_initial_ms: 100 retry_budget_seconds: 1 }
routes { name: "down" project_id: "$PROJECT" environment: "prod" hosts: "127.0.0.1:9" deadline_seconds: 5 }
CONF
"$HUB" --config="$T/hub.textproto" --metrics_listen=127.0.0.1:0 >"$T/hub.out" 2>"$T/hub.log" &
HUB_PID=$!
trap 'kill -TERM $HUB_PID 2>/dev/null; wait $HUB_PID 2>/dev/null' EXIT
for _ in $(seq 1 200); do grep -q '^metrics on ' "$T/hub.out" 2>/dev/null && break; sleep 0.05; done
HUB_URL=$(sed -n 's/^listening on //p' "$T/hub.out" | head -n1)
METRICS_URL=$(sed -n 's/^metrics on //p' "$T/hub.out" | head -n1)
check "the hub listens on https ($HUB_URL)" grep -q '^https://127.0.0.1:[0-9]' <<<"$HUB_URL"
[ -n "$HUB_URL" ] || { cat "$T/hub.out" "$T/hub.log"; finish; exit 1; }
port=${HUB_URL##*:}

# Every thread must block the stop signals (only the main thread's sigwait
# takes them); a thread started before the mask would die of a SIGTERM.
all_threads_block() {
  local f mask
  for f in /proc/$HUB_PID/task/*/status; do
    # The main thread sits in sigwait, which shows the awaited signals clear.
    [ "$f" = "/proc/$HUB_PID/task/$HUB_PID/status" ] && continue
    mask=$(awk '/^SigBlk:/ {print $2}' "$f")
    # SIGHUP 1, SIGINT 2, SIGTERM 15: bits 0, 1 and 14.
    (( (16#$mask & 0x4003) == 0x4003 )) || return 1
  done
}
check "every hub thread (metrics exposer, listener pool) blocks SIGHUP/SIGINT/SIGTERM" all_threads_block

served() {  # the SHA-256 fingerprint of the certificate the hub serves now
  openssl s_client -connect "127.0.0.1:$port" -servername localhost </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do "${@:2}" && return 0; sleep 0.1; done
  "${@:2}"
}
is_served() { [ "$(served)" = "$(fingerprint "$1")" ]; }
expiry_days() {
  curl -sf "$METRICS_URL" | awk '$1 == "secretsync_hub_certificate_expiry_seconds{cert=\"listener\"}" { printf "%d", $2 / 86400 }'
}

check "GET /healthz over TLS, verified against the CA, answers 200" \
  curl -sf --cacert "$pki/ca.pem" -o /dev/null "$HUB_URL/healthz"
check "plain HTTP on the TLS port gets no HTTP reply" \
  bash -c "! curl -s -m 5 -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$port/healthz' | grep -q '^[1-5]'"
check "the first certificate is served" is_served "$pki/first.pem"
check "its expiry in /metrics is 29 days and some (got $(expiry_days))" [ "$(expiry_days)" = 29 ]

deliver() {  # deliver SIGNATURE-MODE: prints the HTTP status
  local ts body sig
  ts=$(($(date +%s%N) / 1000000))
  body="{\"event\":\"secrets.modified\",\"project\":{\"workspaceId\":\"$PROJECT\",\"environment\":\"prod\",\"secretPath\":\"/\"},\"timestamp\":$ts}"
  sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$KEY" | sed 's/^.*= //')
  [ "$1" = bad ] && sig=$(printf '%s' "$sig" | tr '0-9a-f' '1-9a-f0')
  curl -s --cacert "$pki/ca.pem" -o /dev/null -w '%{http_code}' -X POST "$HUB_URL/webhook" \
    -H 'Content-Type: application/json' -H "x-infisical-signature: t=$ts;$sig" --data-binary "$body"
}
got=$(deliver good)
check "a signed delivery over HTTPS gets 202 (got $got)" [ "$got" = 202 ]
got=$(deliver bad)
check "a bad signature over HTTPS gets 401 (got $got)" [ "$got" = 401 ]
metric() { curl -sf "$METRICS_URL" | awk -v k="$1" '$1 == k { print $2 }'; }
failed_fanout_counted() { [ "$(metric 'secretsync_hub_fanouts_total{result="failed",route="down"}')" -ge 1 ] 2>/dev/null; }
check "the route's host is down: a failed fan-out is counted" wait_for 15 failed_fanout_counted

# Renewal: new certificate and key in place, then SIGHUP.
cp "$pki/renewed.pem" "$T/live/cert.pem"
cp "$pki/renewed.key" "$T/live/key.pem"
kill -HUP $HUB_PID
check "after SIGHUP the renewed certificate is served" wait_for 10 is_served "$pki/renewed.pem"
expiry_is() { [ "$(expiry_days)" = "$1" ]; }
check "... and the expiry in /metrics is 89 days and some" wait_for 5 expiry_is 89
check "a delivery still gets 202 after the reload" [ "$(deliver good)" = 202 ]

# A half renewal (the first certificate with the renewed key): refused.
cp "$pki/first.pem" "$T/live/cert.pem"
kill -HUP $HUB_PID
reload_refused() { grep 'hub.reload tls=' "$T/hub.log" | grep -qv 'tls=ok'; }
check "a mismatched pair is refused and logged" wait_for 10 reload_refused
sleep 0.5
check "... and the renewed certificate is still served" is_served "$pki/renewed.pem"
check "the hub still answers" curl -sf --cacert "$pki/ca.pem" -o /dev/null "$HUB_URL/healthz"

check "no output or log carries the webhook key" bash -c "! grep -qF '$KEY' '$T/hub.out' '$T/hub.log'"
finish
