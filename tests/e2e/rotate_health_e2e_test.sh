#!/usr/bin/env bash
# rotate's health check and rollback end to end: the real //tools:rotate, the
# dev server (as Infisical) and a real PostgreSQL 15. The "application" is
# restarted by the on-change command (it copies the .env it runs on) and its
# health check logs in to PostgreSQL with that .env; the test makes it refuse
# any .env but the known-good one. Unhealthy -> Infisical, the role and the
# .env back on the previous password (byte for byte), exit 81, --json names
# the check; ROLLBACK_NEVER keeps the new value (79); a SIGKILL after every
# rollback step, then --resume, converges (81); a healthy check is kept (0);
# alternating users switch back to the previous role; no value in any output.
source "$(dirname "$0")/lib.sh"

ROTATE=$rf/tools/rotate
PROJECT=5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11
ROLE=glitchtip_health
INITIAL_PW=canaryInitialPwHealth4e2eR

cat >"$T/seed.textproto" <<SEED
projects {
  id: "$PROJECT" slug: "glitchtip" environments { slug: "prod" }
  secrets { environment: "prod" path: "/" key: "SECRET_KEY" value: "canary-secret-key-health-6a1c" }
  secrets { environment: "prod" path: "/" key: "POSTGRES_PASSWORD" value: "$INITIAL_PW" }
  secrets { environment: "prod" path: "/" key: "POSTGRES_USER" value: "$ROLE" }
}
identities { client_id: "e2e-client-id" client_secret: "canary-client-secret-e2e-4f2b" project_ids: ["$PROJECT"] }
SEED
start_devserver "$T/seed.textproto"
export E2E_CLIENT_ID=e2e-client-id E2E_CLIENT_SECRET=canary-client-secret-e2e-4f2b
source "$(dirname "$0")/rotate_lib.sh"

# --- The deployment and its application. ---
work=$T/deploy
mkdir -p "$work"
cat >"$work/.env.template" <<'TPL'
SECRET_KEY=${SECRET_KEY}
POSTGRES_PASSWORD=${POSTGRES_PASSWORD}
TPL
# The restart: the application reads the .env as it starts. (values.seen
# collects every password it ran with, for the canary checks.)
cat >"$work/on-change.sh" <<SH
#!/bin/bash
cp "$work/.env" "$work/running.env"
env -i bash -c 'set -a; . "$work/running.env"; printf "%s\n" "\$POSTGRES_PASSWORD"' >>"$work/values.seen"
echo "changed=\$SECRETSYNC_CHANGED" >>"$work/on-change.log"
SH
# Healthy when it logs in with the .env it runs on and, while good.env
# exists, that .env is the known-good one.
cat >"$work/app-check.sh" <<SH
#!/bin/bash
[ -e "$work/good.env" ] && ! cmp -s "$work/running.env" "$work/good.env" && exit 1
eval "\$(env -i bash -c 'set -a; . "$work/running.env"; printf "u=%q p=%q" "\${POSTGRES_USER:-$ROLE}" "\$POSTGRES_PASSWORD"')"
[ "\$(PGPASSWORD=\$p psql "host=127.0.0.1 port=$PGPORT user=\$u dbname=glitchtip" -XAtqc 'SELECT 1' 2>/dev/null)" = 1 ]
SH
chmod 755 "$work/on-change.sh" "$work/app-check.sh"
write_config() {  # write_config [extra health_check fields] [extra postgres fields] [extra top-level]
  cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" max_retries: 1 }
auth { universal_auth { client_id { env: "E2E_CLIENT_ID" } client_secret { env: "E2E_CLIENT_SECRET" } } }
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
on_change { command: ["$work/on-change.sh"] }
health_check { command { command: ["$work/app-check.sh"] } attempts: 2 interval_ms: 10 $1 }
secrets { name: "SECRET_KEY" }
secrets { name: "POSTGRES_PASSWORD" generator { kind: BASE64 bytes: 24 }
          rotation { postgres_role: "$ROLE" restart_services: ["web"] } }
postgres { host: "127.0.0.1" port: $PGPORT database: "glitchtip" connect_timeout_seconds: 3 ${2:-} }
${3:-}
CONF
}
write_config ""
out=$T/rotate.out err=$T/rotate.err
rot() { "$ROTATE" --config="$work/config.textproto" --wait_lock=10s "$@" >>"$out" 2>>"$err"; }
last_json() { tail -n1 "$out" | jq -e "$1" >/dev/null; }
env_value() { env -i bash -c "set -a; . '$work/.env'; printf %s \"\$$1\""; }
runs() { wc -l <"$work/on-change.log"; }
no_pending() { ! get_secret POSTGRES_PASSWORD__PENDING >/dev/null 2>&1; }
journal_gone() { [ -z "$(ls -A "$work/.secretsync-rotate" 2>/dev/null)" ]; }
# Back on the known-good state: Infisical = the .env (byte for byte the good
# one, also as the application runs it) = a password that logs in.
on_good() {
  local v
  v=$(get_secret POSTGRES_PASSWORD) || return 1
  [ "$v" = "$1" ] && cmp -s "$work/.env" "$work/good.env" && cmp -s "$work/running.env" "$work/good.env" &&
    logs_in "$v" && no_pending && journal_gone
}

"$SYNC" --config="$work/config.textproto" >/dev/null 2>>"$err"
check "first sync is healthy and runs the application" [ "$(runs)" = 1 ]
cp "$work/.env" "$work/good.env"
: >"$work/on-change.log"

# 1. The application refuses the new .env: everything goes back.
rot --secret POSTGRES_PASSWORD --json; rc=$?
check "unhealthy after the rotation exits 81" [ "$rc" -eq 81 ]
check "Infisical, the role and the .env are back on the previous password" on_good "$INITIAL_PW"
check "the application restarted twice (new, then previous)" [ "$(runs)" = 2 ]
refused() { ! logs_in "$1"; }
check "the rejected password no longer logs in" refused "$(sed -n 2p "$work/values.seen")"
check "--json: outcome rolled_back_unhealthy, exit 81" \
  last_json '.exit_code == 81 and .secrets[0].outcome == "rolled_back_unhealthy"'
check "--json: the health report names the check, why and the attempts" \
  last_json '.health.outcome == "UNHEALTHY_ROLLED_BACK" and (.health.check | test("app-check")) and .health.detail != "" and .health.attempts == 2 and .health.healthy_after_rollback == true'
check "the error says rolled back and names the check" grep -q "rolled back, the application was unhealthy.*app-check" "$err"

# 2. ROLLBACK_NEVER: reported, the new value kept.
write_config "rollback_on_unhealthy: ROLLBACK_NEVER"
rot --secret POSTGRES_PASSWORD --json; rc=$?
check "ROLLBACK_NEVER: unhealthy exits 79" [ "$rc" -eq 79 ]
check "ROLLBACK_NEVER: health UNHEALTHY in --json" last_json '.health.outcome == "UNHEALTHY"'
kept=$(get_secret POSTGRES_PASSWORD)
kept_everywhere() {  # kept_everywhere PREVIOUS: Infisical = .env = a login, not PREVIOUS
  [ "$kept" != "$1" ] && [ "$kept" = "$(env_value POSTGRES_PASSWORD)" ] && logs_in "$kept" &&
    ! logs_in "$1" && no_pending && journal_gone
}
check "ROLLBACK_NEVER: the new password is kept in Infisical, the .env and the role" \
  kept_everywhere "$INITIAL_PW"
write_config ""
cp "$work/.env" "$work/good.env"
good=$kept

# 3. A SIGKILL after every rollback step, then --resume: it finishes the
#    rollback (never the rejected value again) and exits 81.
for step in health_failed rollback_store rollback_db rollback_synced; do
  SECRETSYNC_TEST_FAILPOINT=after:$step rot --secret POSTGRES_PASSWORD; rc=$?
  check "killed after $step (exit $rc)" [ "$rc" -eq 137 ]
  "$SYNC" --config="$work/config.textproto" >/dev/null 2>>"$err"; rc=$?
  check "after $step a plain sync keeps the .env (exit 80)" [ "$rc" -eq 80 ]
  rot --resume --json; rc=$?
  check "after $step --resume exits 81" [ "$rc" -eq 81 ]
  check "after $step: back on the previous password everywhere" on_good "$good"
  check "after $step: --json names the failed check" \
    last_json '.health.outcome == "UNHEALTHY_ROLLED_BACK" and (.health.check | test("app-check"))'
done
rot --resume; rc=$?
check "--resume with nothing pending exits 0" [ "$rc" -eq 0 ]

# 4. A healthy application keeps the new password.
rm "$work/good.env"
rot --secret POSTGRES_PASSWORD --json; rc=$?
check "healthy after the rotation exits 0" [ "$rc" -eq 0 ]
check "healthy: --json says HEALTHY, rotated" last_json '.health.outcome == "HEALTHY" and .secrets[0].outcome == "rotated"'
kept=$(get_secret POSTGRES_PASSWORD) new=$kept
check "healthy: Infisical = .env = a login; the previous one no longer logs in" \
  kept_everywhere "$good"

# 5. Alternating users: the user secret and the password go back to the
#    previous role, whose password never changed.
cat >"$work/.env.template" <<'TPL'
SECRET_KEY=${SECRET_KEY}
POSTGRES_USER=${POSTGRES_USER}
POSTGRES_PASSWORD=${POSTGRES_PASSWORD}
TPL
export E2E_PG_ADMIN=Fixture-Superuser-Pw-1
write_config "" 'admin { user: "postgres" password { env: "E2E_PG_ADMIN" } }' \
  'rotation { strategy: ALTERNATING_USERS user_secret: "POSTGRES_USER" }'
"$SYNC" --config="$work/config.textproto" >/dev/null 2>>"$err"
cp "$work/.env" "$work/good.env"
alt_good() { on_good "$new" && [ "$(get_secret POSTGRES_USER)" = "$ROLE" ] &&
  ! get_secret POSTGRES_USER__PENDING >/dev/null 2>&1; }
rot --secret POSTGRES_PASSWORD --json; rc=$?
check "alternating: unhealthy exits 81" [ "$rc" -eq 81 ]
check "alternating: back on the previous role and password everywhere" alt_good
SECRETSYNC_TEST_FAILPOINT=after:rollback_store rot --secret POSTGRES_PASSWORD; rc=$?
check "alternating: killed after rollback_store (exit $rc)" [ "$rc" -eq 137 ]
rot --resume; rc=$?
check "alternating after rollback_store: --resume exits 81" [ "$rc" -eq 81 ]
check "alternating after rollback_store: back on the previous pair" alt_good

# No value in any output: every password the application ran with, the
# initial one, the client secret.
values=("$INITIAL_PW" canary-client-secret-e2e-4f2b canary-secret-key-health-6a1c)
while IFS= read -r v; do [ -n "$v" ] && values+=("$v"); done <"$work/values.seen"
check "at least 9 distinct passwords were planted" [ "$(sort -u "$work/values.seen" | wc -l)" -ge 9 ]
leaks=0
for v in "${values[@]}"; do
  grep -qF -- "$v" "$out" "$err" "$T/devserver.log" "$T/devserver.out" && { echo "leak: a value in the output"; leaks=1; }
done
check "no value in rotate's stdout, stderr or the dev server's log" [ "$leaks" -eq 0 ]
finish
