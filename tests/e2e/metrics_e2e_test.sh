#!/usr/bin/env bash
# --metrics_file end to end: the real sync, rotate, keygen --push and fanout
# against the real dev server write Prometheus text files that promtool
# accepts; counters merge across runs; a failed run keeps the last success;
# a pending rotation shows; an unwritable file is only a warning; no planted
# value ever appears in a metrics file.
source "$(dirname "$0")/lib.sh"

start_devserver "$rf/tests/testdata/e2e-seed.textproto" --enable-faults
work=$T/deploy
mkdir -p "$work" "$T/metrics"
cp "$rf/deploy/examples/glitchtip/.env.template" "$work/"
cat >"$work/glitchtip.textproto" <<CONF
infisical { site_url: "$URL" request_timeout_ms: 1500 }
auth {
  universal_auth {
    client_id { env: "E2E_CLIENT_ID" }
    client_secret { file: "client-secret" }
  }
  token_cache_file: "token.cache"
}
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
metrics_file: "$T/metrics/from-config.prom"
on_change { command: ["/bin/true"] timeout_seconds: 10 }
secrets { name: "SECRET_KEY" rotation { restart_services: ["web"] max_age_days: 30 } }
secrets { name: "POSTGRES_PASSWORD" rotation { restart_services: ["web", "worker"] } }
CONF
printf 'canary-client-secret-e2e-4f2b\n' >"$work/client-secret"
chmod 600 "$work/client-secret"
export E2E_CLIENT_ID=e2e-client-id
prom=$T/metrics/sync.prom

run_sync() {  # run_sync [flags]: sets rc
  "$SYNC" --config="$work/glitchtip.textproto" --wait_lock=5s "$@" >"$T/out" 2>"$T/err"
  rc=$?
}
value() {  # value FILE 'name{labels}': the sample's value ("" when absent)
  grep -F "$2 " "$1" | awk '{print $NF}' | head -n1
}
# prometheus-cpp writes labels sorted by name.
sel='deployment="glitchtip",tool="sync"'
dep='deployment="glitchtip"'
promtool_ok() { promtool check metrics <"$1" >"$T/promtool.out" 2>&1 || { cat "$T/promtool.out"; false; }; }

# 1. A first sync: success, a login (token cache miss), counted requests.
run_sync --metrics_file="$prom"
check "sync exits 0" [ "$rc" -eq 0 ]
check "sync metrics pass promtool check metrics" promtool_ok "$prom"
check "sync metrics file is 0644" [ "$(stat -c %a "$prom")" = 644 ]
check "last exit code is 0" [ "$(value "$prom" "secretsync_last_exit_code{$sel}")" = 0 ]
check "one successful run" [ "$(value "$prom" "secretsync_runs_total{$dep,result=\"success\",tool=\"sync\"}")" = 1 ]
check "secrets changed by the first run" [ "$(value "$prom" "secretsync_last_run_secrets_changed{$sel}")" -gt 0 ]
check "on-change command ran and exited 0" [ "$(value "$prom" "secretsync_on_change_ran{$sel}")$(value "$prom" "secretsync_on_change_exit_code{$sel}")" = 10 ]
check "one token cache miss (a login)" [ "$(value "$prom" "secretsync_token_cache_misses_total{$sel}")" = 1 ]
check "Infisical GETs counted as 2xx" grep -q "^secretsync_infisical_requests_total{.*method=\"GET\",status_class=\"2xx\"" "$prom"
check "no rotation pending for SECRET_KEY" [ "$(value "$prom" "secretsync_rotation_pending{$dep,secret=\"SECRET_KEY\",tool=\"sync\"}")" = 0 ]
check "SECRET_KEY has an age from updatedAt" grep -q "^secretsync_secret_age_seconds{deployment=\"glitchtip\",secret=\"SECRET_KEY\"" "$prom"
check "SECRET_KEY max age is 30 days" [ "$(value "$prom" "secretsync_secret_max_age_seconds{deployment=\"glitchtip\",secret=\"SECRET_KEY\",tool=\"sync\"}")" = 2592000 ]
success1=$(value "$prom" "secretsync_last_success_timestamp_seconds{$sel}")

# 2. A second sync: counters add up (hit from the token cache).
run_sync --metrics_file="$prom"
check "second sync exits 0" [ "$rc" -eq 0 ]
check "runs_total merged across runs" [ "$(value "$prom" "secretsync_runs_total{$dep,result=\"success\",tool=\"sync\"}")" = 2 ]
check "token cache hit counted, miss kept" [ "$(value "$prom" "secretsync_token_cache_hits_total{$sel}")$(value "$prom" "secretsync_token_cache_misses_total{$sel}")" = 11 ]
check "nothing changed in the second run" [ "$(value "$prom" "secretsync_last_run_secrets_changed{$sel}")" = 0 ]
success2=$(value "$prom" "secretsync_last_success_timestamp_seconds{$sel}")

# 3. A failing sync (Infisical answers 403): its exit code; last success kept.
fault '{"mode":"status","status":403,"count":50}'
run_sync --metrics_file="$prom"
clear_faults
check "failing sync exits non-zero" [ "$rc" -ne 0 ]
check "failing sync metrics pass promtool" promtool_ok "$prom"
check "last exit code is the failure's" [ "$(value "$prom" "secretsync_last_exit_code{$sel}")" = "$rc" ]
check "last success timestamp kept from the previous run" [ "$(value "$prom" "secretsync_last_success_timestamp_seconds{$sel}")" = "$success2" ]
check "failure counted, successes kept" [ "$(value "$prom" "secretsync_runs_total{$dep,result=\"failure\",tool=\"sync\"}")$(value "$prom" "secretsync_runs_total{$dep,result=\"success\",tool=\"sync\"}")" = 12 ]
check "4xx requests counted" grep -q 'status_class="4xx"' "$prom"
check "first success timestamp was a Unix time" [ "${success1%%.*}" -gt 1700000000 ]

# 4. A pending rotation (SECRET_KEY__PENDING staged): sync refuses, metric 1.
body=$(jq -nc '{workspaceId:"5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11",environment:"prod",secretPath:"/",secretValue:"canary-pending-e2e-8a1f",type:"shared"}')
curl -sf -o /dev/null -X POST "$URL/api/v3/secrets/raw/SECRET_KEY__PENDING" -H "Authorization: Bearer $(api_token)" \
  -H 'Content-Type: application/json' -d "$body"
run_sync --metrics_file="$prom"
check "sync with a pending rotation exits 80" [ "$rc" -eq 80 ]
check "rotation pending is 1 for SECRET_KEY" [ "$(value "$prom" "secretsync_rotation_pending{$dep,secret=\"SECRET_KEY\",tool=\"sync\"}")" = 1 ]
check "rotation pending is 0 for POSTGRES_PASSWORD" [ "$(value "$prom" "secretsync_rotation_pending{$dep,secret=\"POSTGRES_PASSWORD\",tool=\"sync\"}")" = 0 ]
curl -sf -o /dev/null -X DELETE "$URL/api/v3/secrets/raw/SECRET_KEY__PENDING" -H "Authorization: Bearer $(api_token)" \
  -H 'Content-Type: application/json' -d "$(jq -nc '{workspaceId:"5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11",environment:"prod",secretPath:"/"}')"

# 5. The config's metrics_file is used without the flag; an unwritable one is
#    a warning naming the path and never changes the exit code.
run_sync
check "sync without the flag writes the config's metrics_file" promtool_ok "$T/metrics/from-config.prom"
run_sync --metrics_file="$T/no-such-folder/sync.prom"
check "unwritable metrics file: sync still exits 0" [ "$rc" -eq 0 ]
check "unwritable metrics file: a warning naming the path" grep -q "warning: metrics file $T/no-such-folder/sync.prom not written" "$T/err"
mkdir -p "$T/a-folder.prom"  # (root may write anywhere: a folder in the way fails for all)
run_sync --metrics_file="$T/a-folder.prom"
check "a folder in the way: sync still exits 0, with a warning" bash -c "[ $rc -eq 0 ] && grep -q 'warning: metrics file' '$T/err'"
run_sync --metrics_file="$prom" --dry_run
check "a dry run writes no metrics" [ "$(value "$prom" "secretsync_runs_total{$dep,result=\"success\",tool=\"sync\"}")" = 2 ]

# Planted values never reach a metrics file.
for canary in canary-secret-key-e2e canary+pw canary-mail-e2e canary-client-secret-e2e canary-pending-e2e; do
  check "no metrics file contains $canary" bash -c "! grep -rqF -- '$canary' '$T/metrics'"
done
finish
