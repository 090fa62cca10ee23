#!/usr/bin/env bash
# sync's health check and rollback end to end (docs/sync.md, "Health check"):
# the real //tools:sync, the dev server (as Infisical), a real PostgreSQL 15
# and the model app (tests/modelapp) restarted by the on-change command and
# checked over HTTP. A bad SECRET_KEY is rolled back byte for byte (exit 81)
# and held back (no restart) until --force or a new good value; no value in
# any output.
source "$(dirname "$0")/lib.sh"

PROJECT=5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11
ROLE=glitchtip_synchealth
INITIAL_PW=canaryInitialPwSyncHealth7b3d
GOOD_KEY=canary-good-secret-key-sync-health-01-aaaa
GOOD_KEY2=canary-good-secret-key-sync-health-02-bbbb
BAD_KEY=canaryBadKey9x  # under 32 characters: the app answers 500

cat >"$T/seed.textproto" <<SEED
projects {
  id: "$PROJECT" slug: "glitchtip" environments { slug: "prod" }
  secrets { environment: "prod" path: "/" key: "SECRET_KEY" value: "$GOOD_KEY" }
  secrets { environment: "prod" path: "/" key: "POSTGRES_PASSWORD" value: "$INITIAL_PW" }
}
identities { client_id: "e2e-client-id" client_secret: "canary-client-secret-e2e-4f2b" project_ids: ["$PROJECT"] }
SEED
start_devserver "$T/seed.textproto"
export E2E_CLIENT_ID=e2e-client-id E2E_CLIENT_SECRET=canary-client-secret-e2e-4f2b
source "$(dirname "$0")/rotate_lib.sh"

# --- The deployment: the model app on a free port, restarted by a wrapper
# that counts its runs and keeps the app's stderr. ---
work=$T/deploy
mkdir -p "$work"
APP_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
APP_LOG=$T/app.log
: >"$APP_LOG"
cat >"$work/.env.template" <<TPL
SECRET_KEY=\${SECRET_KEY}
DATABASE_URL=postgresql://$ROLE:\${POSTGRES_PASSWORD}@127.0.0.1:$PGPORT/glitchtip
TPL
cat >"$work/on-change.sh" <<SH
#!/bin/bash
echo "changed=\$SECRETSYNC_CHANGED" >>"$work/runs.log"
exec "$rf/tests/modelapp/restart_app.sh" "$work/app.pid" "$work/.env" "127.0.0.1:$APP_PORT" 2>>"$APP_LOG"
SH
chmod 755 "$work/on-change.sh"
cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" max_retries: 1 }
auth { universal_auth { client_id { env: "E2E_CLIENT_ID" } client_secret { env: "E2E_CLIENT_SECRET" } } }
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
on_change { command: ["$work/on-change.sh"] }
health_check { http { url: "http://127.0.0.1:$APP_PORT/_health/" } timeout_ms: 3000 attempts: 3 interval_ms: 200 }
CONF
trap 'kill -TERM "$(cat "$work/app.pid" 2>/dev/null)" 2>/dev/null; kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; pg_stop; rm -rf "$pgdir"' EXIT

out=$T/sync.out err=$T/sync.err
sy() { "$SYNC" --config="$work/config.textproto" --json "$@" >>"$out" 2>>"$err"; }
last_json() { tail -n1 "$out" | jq -e "$1" >/dev/null; }
runs() { wc -l <"$work/runs.log" 2>/dev/null || echo 0; }
app_status() { curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$APP_PORT/_health/"; }
healthy() { [ "$(app_status)" = 200 ]; }
rejected_600() { [ -f "$work/.env.rejected" ] && [ "$(stat -c %a "$work/.env.rejected")" = 600 ]; }

# 1. A good first sync: applied, the app starts and is healthy.
sy; rc=$?
check "first sync exits 0 (exit $rc)" [ "$rc" -eq 0 ]
check "first sync: the app answers 200" healthy
check "first sync: --json health HEALTHY" last_json '.health.outcome == "HEALTHY"'
check "first sync ran the on-change command once" [ "$(runs)" -eq 1 ]
cp -p "$work/.env" "$work/good.env"

# 2. A bad SECRET_KEY: applied, unhealthy, rolled back byte for byte (81).
set_secret SECRET_KEY "$BAD_KEY"
sy; rc=$?
check "bad SECRET_KEY: sync exits 81 (exit $rc)" [ "$rc" -eq 81 ]
check "bad SECRET_KEY: the .env is byte for byte the previous one" cmp -s "$work/.env" "$work/good.env"
check "bad SECRET_KEY: the app answers 200 again" healthy
check "bad SECRET_KEY: --json UNHEALTHY_ROLLED_BACK, healthy after the rollback" \
  last_json '.health.outcome == "UNHEALTHY_ROLLED_BACK" and .health.healthy_after_rollback == true and (.health.check | test("_health"))'
check "bad SECRET_KEY: on-change ran for the change and the rollback" [ "$(runs)" -eq 3 ]
check "bad SECRET_KEY: .env.rejected exists, mode 600" rejected_600

# 3. Unchanged secrets: held back, nothing written or run.
before=$(runs)
sy; rc=$?
check "unchanged: sync exits 81 (exit $rc)" [ "$rc" -eq 81 ]
check "unchanged: --json HELD_BACK" last_json '.health.outcome == "HELD_BACK"'
check "unchanged: the on-change command did not run" [ "$(runs)" -eq "$before" ]
check "unchanged: the .env is unchanged" cmp -s "$work/.env" "$work/good.env"
check "unchanged: the app still answers 200" healthy

# 4. --force: applied and rolled back again.
sy --force; rc=$?
check "--force: sync exits 81 (exit $rc)" [ "$rc" -eq 81 ]
check "--force: --json UNHEALTHY_ROLLED_BACK" last_json '.health.outcome == "UNHEALTHY_ROLLED_BACK"'
check "--force: on-change ran for the change and the rollback" [ "$(runs)" -eq $((before + 2)) ]
check "--force: the .env is restored" cmp -s "$work/.env" "$work/good.env"
check "--force: the app answers 200" healthy
check "--force: .env.rejected still there, mode 600" rejected_600

# 5. A new good SECRET_KEY: applied, healthy, the record removed.
set_secret SECRET_KEY "$GOOD_KEY2"
sy; rc=$?
check "new good SECRET_KEY: sync exits 0 (exit $rc)" [ "$rc" -eq 0 ]
check "new good SECRET_KEY: --json HEALTHY" last_json '.health.outcome == "HEALTHY"'
check "new good SECRET_KEY: the app answers 200" healthy
env_changed() { ! cmp -s "$work/.env" "$work/good.env"; }
check "new good SECRET_KEY: the .env changed" env_changed
check "new good SECRET_KEY: .env.rejected is gone" [ ! -e "$work/.env.rejected" ]

# 6. No planted value in any output or log.
leaks=0
for v in "$BAD_KEY" "$GOOD_KEY" "$GOOD_KEY2" "$INITIAL_PW" canary-client-secret-e2e-4f2b; do
  grep -qF -- "$v" "$out" "$err" "$T/devserver.log" "$T/devserver.out" "$APP_LOG" 2>/dev/null &&
    { echo "leak: a planted value in an output"; leaks=1; }
done
check "no planted value in sync's stdout/stderr, the dev server's or the app's log" [ "$leaks" -eq 0 ]
finish
