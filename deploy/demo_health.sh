#!/usr/bin/env bash
# The demo's health-check act (called by deploy/demo.sh after the rotation,
# while its PostgreSQL runs): the model app (tests/modelapp) reads a .env
# rendered by sync, is restarted by the on-change command and checked on
# /_health/. A SECRET_KEY that sync's validator accepts but the app refuses
# is rolled back (exit 81) and the app stays up; the same content is then
# held back; a good key goes through. Names and outcomes only, never values.
# Usage: demo_health.sh BIN URL WORK PGPORT  (demo.sh exported the
# INFISICAL_UNIVERSAL_AUTH_* variables; the role glitchtip_maintainer logs in
# with the POSTGRES_PASSWORD that Infisical holds).
set -euo pipefail
bin=$1 url=$2 work=$3 pgport=$4
repo=$(cd "$(dirname "$0")/.." && pwd)
echo "== verified change: sync checks the app after its restart, rolls back what makes it unhealthy"
app=$work/app
mkdir -p "$app"
app_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_app() { kill -TERM "$(cat "$app/app.pid" 2>/dev/null)" 2>/dev/null || true; }
trap stop_app EXIT
cat >"$app/.env.template" <<TPL
SECRET_KEY=\${SECRET_KEY}
DATABASE_URL=postgres://glitchtip_maintainer:\${POSTGRES_PASSWORD | urlencode}@127.0.0.1:$pgport/glitchtip
TPL
cat >"$app/app.textproto" <<CONF
infisical { site_url: "$url" }
auth { universal_auth { client_id { env: "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID" } client_secret { env: "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET" } } }
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
on_change { command: ["$repo/tests/modelapp/restart_app.sh", "$app/app.pid", "$app/.env", "127.0.0.1:$app_port"] }
health_check { http { url: "http://127.0.0.1:$app_port/_health/" } attempts: 3 interval_ms: 200 }
secrets { name: "SECRET_KEY" validator { kind: MIN_LENGTH min_length: 32 } }
CONF
echo "   the app: model_app.py on 127.0.0.1:$app_port (200 only with a PostgreSQL login and a SECRET_KEY of 32+ characters, no spaces)"
health() { curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$app_port/_health/"; }
run_sync() {
  local out rc
  out=$(cd "$app" && "$bin/sync" --config=app.textproto "$@" 2>&1) && rc=0 || rc=$?
  printf '%s\n' "$out" | sed 's/^/   | /'
  echo "   sync exit $rc; the app answers $(health)"
}
token=$(curl -sf -X POST "$url/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
  -d "{\"clientId\":\"$INFISICAL_UNIVERSAL_AUTH_CLIENT_ID\",\"clientSecret\":\"$INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET\"}" | jq -r .accessToken)
set_key() {
  curl -sf -o /dev/null -X PATCH "$url/api/v3/secrets/raw/SECRET_KEY" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"workspaceSlug\":\"glitchtip\",\"environment\":\"prod\",\"secretPath\":\"/\",\"secretValue\":\"$1\"}"
}
echo "-- first sync: render, start the app, check it"
run_sync
good=$(sha256sum "$app/.env" | cut -c1-12)
echo "-- someone sets a SECRET_KEY with spaces: long enough for sync's validator, refused by the app"
set_key "demo key with spaces $("$bin/keygen" --format=hex --bytes=8)"
run_sync
echo "   .env sha256 $good... before, $(sha256sum "$app/.env" | cut -c1-12)... now (the previous file, byte for byte)"
echo "-- the next run (cron, timer, agent) holds the rejected content back: no restart"
run_sync
echo "-- a good key goes through"
set_key "$("$bin/keygen" --format=hex --bytes=32)"
run_sync
