#!/usr/bin/env bash
# The agent with the real sync core: two agent processes over mTLS on
# 127.0.0.1, each serving its own deployment folder, the real fanout binary,
# the real dev server. A changed secret reaches both .env files through one
# fan-out; a refused caller changes nothing; no value crosses the wire.
source "$(dirname "$0")/lib.sh"
AGENT=$rf/tools/agent
FANOUT=$rf/tools/fanout

start_devserver "$rf/tests/testdata/e2e-seed.textproto"
bash "$rf/tests/agent/make_certs.sh" "$T/pki" >/dev/null
pki=$T/pki
printf 'canary-client-secret-e2e-4f2b\n' >"$T/client-secret"
chmod 600 "$T/client-secret"
export E2E_CLIENT_ID=e2e-client-id

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
}
trap stop_all EXIT

hosts=()
for n in 1 2; do
  dir=$T/host$n
  mkdir -p "$dir"
  cp "$rf/deploy/examples/glitchtip/.env.template" "$dir/"
  cat >"$dir/glitchtip.textproto" <<CONF
infisical { site_url: "$URL" }
auth { universal_auth { client_id { env: "E2E_CLIENT_ID" } client_secret { file: "$T/client-secret" } } }
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
on_change { command: ["/bin/sh", "-c", "echo \"\$SECRETSYNC_CHANGED\" >> $dir/command.log"] timeout_seconds: 10 }
secrets { name: "SECRET_KEY" rotation { restart_services: ["web"] } }
CONF
  "$AGENT" --listen=127.0.0.1:0 --tls-cert-file="$pki/server.pem" --tls-key-file="$pki/server.key" \
    --client-ca-file="$pki/ca.pem" --allowed-sans=spiffe://corp/central \
    --deployment-configs="$dir/glitchtip.textproto" >"$dir/agent.out" 2>"$dir/agent.log" &
  pids+=($!)
  for _ in $(seq 1 200); do grep -q 'port [0-9]' "$dir/agent.out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$dir/agent.out" | head -n1)
  check "agent $n starts and reports its port" [ -n "$port" ]
  hosts+=("127.0.0.1:$port")
done
host_list=$(IFS=,; echo "${hosts[*]}")

fanout() {  # fanout CERT [flags]: sets rc, output in $T/fanout.out
  "$FANOUT" --hosts="$host_list" --ca-file="$pki/ca.pem" --tls-cert-file="$pki/$1.pem" \
    --tls-key-file="$pki/$1.key" --deadline=30s "${@:2}" >"$T/fanout.out" 2>"$T/fanout.err"
  rc=$?
  cat "$T/fanout.out" "$T/fanout.err" >>"$T/all"
}

fanout client
check "first fan-out exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "first fan-out wrote host 1's .env with mode 600" [ "$(stat -c %a "$T/host1/.env")" = 600 ]
check "first fan-out wrote host 2's .env" grep -q "^SECRET_KEY='canary-secret-key-e2e-0d9a'" "$T/host2/.env"
check "the table has one ok row per host" [ "$(grep -c ' ok ' "$T/fanout.out")" -eq 2 ]

set_secret SECRET_KEY "canary-secret-key-e2e-fanout-77aa"
cp "$T/host1/.env" "$T/before1.env"
fanout intruder
check "a caller whose SAN is not allowed is refused (exit 77, got $rc)" [ "$rc" -eq 77 ]
check "... and nothing changed on disk" cmp -s "$T/before1.env" "$T/host1/.env"
fanout stranger
check "a certificate from another CA is refused (got $rc)" [ "$rc" -ne 0 ]
check "... and nothing changed on disk" cmp -s "$T/before1.env" "$T/host1/.env"

fanout client --json
check "fan-out after the change exits 0 (got $rc)" [ "$rc" -eq 0 ]
for n in 1 2; do
  check "host $n's .env holds the new secret" \
    grep -q "^SECRET_KEY='canary-secret-key-e2e-fanout-77aa'" "$T/host$n/.env"
  check "host $n's on-change command got SECRET_KEY" [ "$(tail -n1 "$T/host$n/command.log")" = SECRET_KEY ]
done
check "the JSON report names SECRET_KEY as changed" grep -q 'SECRET_KEY' "$T/fanout.out"

cat "$T"/host*/agent.log "$T"/host*/agent.out >>"$T/all"
for canary in canary-secret-key-e2e canary-client-secret-e2e canary+pw/e2e canary-mail-e2e; do
  check "no reply or agent log carries $canary" bash -c "! grep -qF '$canary' '$T/all'"
done
finish
