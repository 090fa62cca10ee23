#!/usr/bin/env bash
# rotate end to end: the real //tools:rotate against the real dev server (as
# Infisical) and a real PostgreSQL 15 on 127.0.0.1 (scram-sha-256,
# log_statement = all). PostgreSQL password over libpq and over the exec route
# (psql reading stdin), SECRET_KEY, EMAIL_URL from stdin, --due, a SIGKILL at
# every step boundary followed by --resume, a crash healed by --due, a crash
# between an alternating pair's two stores (sync keeps the .env, exit 80),
# PostgreSQL down, Infisical down, a wrong current password; no value in any
# output or the server log.
source "$(dirname "$0")/lib.sh"

ROTATE=$rf/tools/rotate
PROJECT=5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11
ROLE=glitchtip_maintainer
INITIAL_PW=canaryInitialPw0e2e7Q

# --- Infisical: the dev server, SECRET_KEY old enough to be due. ---
cat >"$T/seed.textproto" <<SEED
projects {
  id: "$PROJECT" slug: "glitchtip" environments { slug: "prod" }
  secrets { environment: "prod" path: "/" key: "EMAIL_URL" value: "smtp://apikey:canary-mail-rot-1@smtp.example.com:587" }
  secrets { environment: "prod" path: "/" key: "SECRET_KEY" value: "canary-secret-key-rot-0d9a" updated_at: "2020-01-01T00:00:00Z" }
  secrets { environment: "prod" path: "/" key: "POSTGRES_PASSWORD" value: "$INITIAL_PW" }
  secrets { environment: "prod" path: "/" key: "POSTGRES_USER" value: "$ROLE" }
}
identities { client_id: "e2e-client-id" client_secret: "canary-client-secret-e2e-4f2b" project_ids: ["$PROJECT"] }
SEED
start_devserver "$T/seed.textproto"
export E2E_CLIENT_ID=e2e-client-id E2E_CLIENT_SECRET=canary-client-secret-e2e-4f2b

source "$(dirname "$0")/rotate_lib.sh"

# --- The deployment. ---
work=$T/deploy
mkdir -p "$work"
cat >"$work/.env.template" <<'TPL'
SECRET_KEY=${SECRET_KEY}
EMAIL_URL=${EMAIL_URL}
POSTGRES_PASSWORD=${POSTGRES_PASSWORD}
TPL
cat >"$work/on-change.sh" <<'SH'
#!/bin/sh
echo "services=$SECRETSYNC_SERVICES changed=$SECRETSYNC_CHANGED args=$*" >>"$(dirname "$0")/on-change.log"
SH
chmod 755 "$work/on-change.sh"
write_config() {  # write_config [extra postgres fields] [extra top-level fields]
  cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" max_retries: 1 }
auth { universal_auth { client_id { env: "E2E_CLIENT_ID" } client_secret { env: "E2E_CLIENT_SECRET" } } }
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
on_change { command: ["$work/on-change.sh", "up", "--no-deps"] }
secrets { name: "SECRET_KEY" generator { kind: DJANGO } rotation { restart_services: ["web", "worker"] max_age_days: 30 } }
secrets { name: "EMAIL_URL" validator { kind: SMTP_URL } rotation { restart_services: ["worker"] max_age_days: 1 } }
secrets { name: "POSTGRES_PASSWORD" generator { kind: BASE64 bytes: 24 }
          rotation { postgres_role: "$ROLE" restart_services: ["web", "worker"] max_age_days: 30 } }
postgres { host: "127.0.0.1" port: $PGPORT database: "glitchtip" connect_timeout_seconds: 3 $1 }
${2:-}
CONF
}
write_config ""
out=$T/rotate.out err=$T/rotate.err
rot() { "$ROTATE" --config="$work/config.textproto" --wait_lock=10s "$@" >>"$out" 2>>"$err"; }
env_value() {  # env_value NAME [FILE]: the value in the .env (or FILE), unquoted
  env -i bash -c "set -a; . '${2:-$work/.env}'; printf %s \"\$$1\""
}
no_pending() { ! get_secret POSTGRES_PASSWORD__PENDING >/dev/null 2>&1; }
stored_value_logs_in() {  # stored_value_logs_in CURRENT [PENDING]
  logs_in "$1" || { [ -n "${2:-}" ] && logs_in "$2"; }
}
seen=("$INITIAL_PW")  # every password value, for the canary checks
consistent() {  # the database, Infisical and the .env agree; nothing pending
  local v e
  v=$(get_secret POSTGRES_PASSWORD) || return 1
  e=$(env_value POSTGRES_PASSWORD)
  seen+=("$v")
  [ "$v" = "$e" ] && logs_in "$v" && no_pending && [ -z "$(ls -A "$work/.secretsync-rotate" 2>/dev/null)" ]
}

rot --secret SECRET_KEY --dry-run
check "dry run changes nothing" [ ! -e "$work/.env" ]
"$SYNC" --config="$work/config.textproto" >/dev/null 2>>"$err"
check "first sync renders the initial password" [ "$(env_value POSTGRES_PASSWORD)" = "$INITIAL_PW" ]
: >"$work/on-change.log"

# --due rotates exactly SECRET_KEY (the only one past its max age).
key0=$(get_secret SECRET_KEY) mail0=$(get_secret EMAIL_URL)
rot --due --json; rc=$?
check "--due exits 0" [ "$rc" -eq 0 ]
check "--due rotated SECRET_KEY" [ "$(get_secret SECRET_KEY)" != "$key0" ]
check "--due left EMAIL_URL and POSTGRES_PASSWORD" \
  [ "$(get_secret EMAIL_URL)" = "$mail0" -a "$(get_secret POSTGRES_PASSWORD)" = "$INITIAL_PW" ]
check "--due report names SECRET_KEY only" bash -c \
  "tail -n1 '$out' | jq -e '[.secrets[].name] == [\"SECRET_KEY\"]' >/dev/null"
check "SECRET_KEY: .env holds Infisical's new value" [ "$(env_value SECRET_KEY)" = "$(get_secret SECRET_KEY)" ]
check "on-change ran once for SECRET_KEY with web worker" bash -c \
  "[ \$(wc -l <'$work/on-change.log') = 1 ] && grep -qx 'services=web worker changed=SECRET_KEY args=up --no-deps' '$work/on-change.log'"

# EMAIL_URL from stdin: validated, stored, synced; a bad one changes nothing.
: >"$work/on-change.log"
printf 'smtp://apikey:canary-mail-rot-2@smtp.example.com:587\n' | rot --secret EMAIL_URL --value-file -
check "EMAIL_URL from stdin exits 0" [ $? -eq 0 ]
check "EMAIL_URL in Infisical and .env" bash -c \
  "[ \"\$(env -i bash -c 'set -a; . $work/.env; printf %s \"\$EMAIL_URL\"')\" = 'smtp://apikey:canary-mail-rot-2@smtp.example.com:587' ]"
check "on-change ran once for EMAIL_URL with worker" grep -qx 'services=worker changed=EMAIL_URL args=up --no-deps' "$work/on-change.log"
printf 'not a url canary-mail-rot-bad' | rot --secret EMAIL_URL --value-file -; rc=$?
check "invalid EMAIL_URL exits 65" [ "$rc" -eq 65 ]
check "invalid EMAIL_URL left Infisical as it was" [ "$(get_secret EMAIL_URL)" = 'smtp://apikey:canary-mail-rot-2@smtp.example.com:587' ]
rot --secret EMAIL_URL; rc=$?
check "EMAIL_URL without --value-file is a usage error" [ "$rc" -eq 64 ]

# The PostgreSQL password over libpq, logged in as the role itself.
: >"$work/on-change.log"
rot --secret POSTGRES_PASSWORD; rc=$?
check "POSTGRES_PASSWORD rotation exits 0" [ "$rc" -eq 0 ]
check "new password logs in; Infisical = .env; nothing pending" consistent
check "the old password no longer logs in" bash -c "! PGPASSWORD='$INITIAL_PW' psql 'host=127.0.0.1 port=$PGPORT user=$ROLE dbname=glitchtip' -XAtqc 'SELECT 1' >/dev/null 2>&1"
check "on-change ran once with web worker" bash -c \
  "[ \$(wc -l <'$work/on-change.log') = 1 ] && grep -qx 'services=web worker changed=POSTGRES_PASSWORD args=up --no-deps' '$work/on-change.log'"

# A SIGKILL at every step boundary, then --resume.
for step in journal pending alter_role verify promote sync delete_pending; do
  before=$(get_secret POSTGRES_PASSWORD)
  SECRETSYNC_TEST_FAILPOINT=after:$step rot --secret POSTGRES_PASSWORD; rc=$?
  check "killed after $step (exit $rc)" [ "$rc" -eq 137 ]
  pend=$(get_secret POSTGRES_PASSWORD__PENDING 2>/dev/null) && seen+=("$pend")
  case $step in
    journal) check "after journal nothing is pending in Infisical yet" [ -z "$pend" ] ;;
    pending|alter_role|verify|promote|sync) check "after $step the pending secret is stored" [ -n "$pend" ] ;;
  esac
  cur=$(get_secret POSTGRES_PASSWORD); seen+=("$cur")
  check "after $step a stored value logs in" stored_value_logs_in "$cur" "$pend"
  rot --secret POSTGRES_PASSWORD; rc=$?
  check "after $step a new rotation is refused with 80" [ "$rc" -eq 80 ]
  rot --resume; rc=$?
  check "after $step --resume exits 0" [ "$rc" -eq 0 ]
  check "after $step: database = Infisical = .env" consistent
  case $step in
    journal|pending|alter_role) ;;  # either way is right: the probe decides
    *) check "after $step the rotation was finished" [ "$(get_secret POSTGRES_PASSWORD)" != "$before" ] ;;
  esac
done
rot --resume; rc=$?
check "--resume with nothing pending exits 0" [ "$rc" -eq 0 ]

# An unattended crash heals unattended: the timer's --due settles the pending
# rotation first (as --resume), then goes on.
SECRETSYNC_TEST_FAILPOINT=after:alter_role rot --secret POSTGRES_PASSWORD; rc=$?
check "killed after alter_role before --due (exit $rc)" [ "$rc" -eq 137 ]
rot --due --json; rc=$?
check "--due after a crash exits 0 (not 80)" [ "$rc" -eq 0 ]
check "--due settled the pending rotation (rolled forward)" bash -c \
  "tail -n1 '$out' | jq -e '[.secrets[] | select(.name == \"POSTGRES_PASSWORD\") | .outcome] == [\"rolled_forward\"]' >/dev/null"
check "--due after a crash: database = Infisical = .env" consistent

# Failures change nothing: PostgreSQL down, Infisical down, wrong password.
cur=$(get_secret POSTGRES_PASSWORD)
cp "$work/.env" "$T/env.before"
pg_stop
rot --secret POSTGRES_PASSWORD; rc=$?
pg_start
check "PostgreSQL down exits 75" [ "$rc" -eq 75 ]
check "PostgreSQL down: error names the role" grep -q "does not log in as postgres role $ROLE" "$err"
check "PostgreSQL down: nothing changed" bash -c "[ \"\$(cat '$T/env.before')\" = \"\$(cat '$work/.env')\" ]"
check "PostgreSQL down: Infisical unchanged" [ "$(get_secret POSTGRES_PASSWORD)" = "$cur" ]
check "PostgreSQL down: consistent" consistent
"$ROTATE" --config="$work/config.textproto" --site_url=http://127.0.0.1:9 --secret POSTGRES_PASSWORD >>"$out" 2>>"$err"; rc=$?
check "Infisical down exits 75" [ "$rc" -eq 75 ]
check "Infisical down: the database password is unchanged" logs_in "$cur"
set_secret POSTGRES_PASSWORD canaryWrongCurrentPw9
rot --secret POSTGRES_PASSWORD; rc=$?
check "wrong current password exits 77" [ "$rc" -eq 77 ]
check "wrong current password: database unchanged" logs_in "$cur"
check "wrong current password: nothing pending" no_pending
check "wrong current password: Infisical unchanged" [ "$(get_secret POSTGRES_PASSWORD)" = canaryWrongCurrentPw9 ]
set_secret POSTGRES_PASSWORD "$cur"

# The exec route: psql on the Unix socket as the superuser, SQL on stdin,
# through a wrapper that records its argv, environment names and stdin.
cat >"$work/psql-recorder.sh" <<SH
#!/bin/bash
echo "argv: \$*" >>"$work/exec.argv"
env | cut -d= -f1 | sort | tr '\n' ' ' >>"$work/exec.argv"; echo >>"$work/exec.argv"
tee -a "$work/exec.stdin" | exec "\$@"
SH
chmod 755 "$work/psql-recorder.sh"
write_config "exec_command: [\"$work/psql-recorder.sh\", \"/usr/bin/psql\", \"-h\", \"$pgdir\", \"-p\", \"$PGPORT\", \"-U\", \"postgres\", \"-d\", \"glitchtip\", \"-X\", \"-q\", \"-v\", \"ON_ERROR_STOP=1\"]"
rot --secret POSTGRES_PASSWORD; rc=$?
check "exec route exits 0" [ "$rc" -eq 0 ]
check "exec route: database = Infisical = .env" consistent
check "exec route: the SQL on stdin carries a SCRAM verifier" grep -q "PASSWORD 'SCRAM-SHA-256\\\$4096:" "$work/exec.stdin"
check "exec route: the command got no Infisical credential" bash -c "! grep -q E2E_CLIENT '$work/exec.argv'"
check "exec route: the command got PATH" grep -qw PATH "$work/exec.argv"
check "exec route: the old password no longer logs in" bash -c "! PGPASSWORD='$cur' psql 'host=127.0.0.1 port=$PGPORT user=$ROLE dbname=glitchtip' -XAtqc 'SELECT 1' >/dev/null 2>&1"

# The exec route with the container down: `docker compose exec` prints
# docker's message and exits 1 before psql runs. Retry later (75), not a bug (70).
cat >"$work/container-down.sh" <<'SH'
#!/bin/bash
cat >/dev/null
echo 'service "postgres" is not running' >&2
exit 1
SH
chmod 755 "$work/container-down.sh"
down_before=$(get_secret POSTGRES_PASSWORD)
write_config "exec_command: [\"$work/container-down.sh\", \"exec\", \"-T\", \"postgres\", \"psql\"]"
rot --secret POSTGRES_PASSWORD; rc=$?
check "exec route, container down: exits 75" [ "$rc" -eq 75 ]
check "exec route, container down: Infisical unchanged" [ "$(get_secret POSTGRES_PASSWORD)" = "$down_before" ]
check "exec route, container down: nothing pending" no_pending
check "exec route, container down: the password still logs in" logs_in "$down_before"

# --- Alternating users: the idle role gets the new password, then the user
# and password secrets switch together; the .env logs in all along. ---
ALT=${ROLE}_b
cat >"$work/.env.template" <<'TPL'
SECRET_KEY=${SECRET_KEY}
EMAIL_URL=${EMAIL_URL}
POSTGRES_USER=${POSTGRES_USER}
POSTGRES_PASSWORD=${POSTGRES_PASSWORD}
TPL
export E2E_PG_ADMIN=Fixture-Superuser-Pw-1
write_config 'admin { user: "postgres" password { env: "E2E_PG_ADMIN" } }' \
  'rotation { strategy: ALTERNATING_USERS user_secret: "POSTGRES_USER" }'
"$SYNC" --config="$work/config.textproto" >/dev/null 2>>"$err"
check "alternating: the .env names the configured role" [ "$(env_value POSTGRES_USER)" = "$ROLE" ]
logs_in_as() {  # logs_in_as ROLE PASSWORD
  [ "$(PGPASSWORD=$2 psql "host=127.0.0.1 port=$PGPORT user=$1 dbname=glitchtip" -XAtqc 'SELECT 1' 2>/dev/null)" = 1 ]
}
pair_consistent() {  # Infisical = .env, the pair logs in, nothing pending
  local u v
  u=$(get_secret POSTGRES_USER) && v=$(get_secret POSTGRES_PASSWORD) || return 1
  seen+=("$v")
  [ "$u" = "$(env_value POSTGRES_USER)" ] && [ "$v" = "$(env_value POSTGRES_PASSWORD)" ] &&
    logs_in_as "$u" "$v" && no_pending && ! get_secret POSTGRES_USER__PENDING >/dev/null 2>&1 &&
    [ -z "$(ls -A "$work/.secretsync-rotate" 2>/dev/null)" ]
}
# A probe logging in with whatever the .env holds, every 10 ms, all along.
rm -f "$T/probe.stop"
( ok=0 bad=0
  while [ ! -e "$T/probe.stop" ]; do
    # One snapshot of the .env: user and password from the same file, as a
    # service starting at that instant would read them.
    cp "$work/.env" "$T/probe.env"
    if logs_in_as "$(env_value POSTGRES_USER "$T/probe.env")" "$(env_value POSTGRES_PASSWORD "$T/probe.env")"; then
      ok=$((ok + 1))
    else
      bad=$((bad + 1))
    fi
    sleep 0.01
  done
  echo "$ok $bad" >"$T/probe.result" ) &
PROBE_PID=$!
for round in 1 2; do
  u0=$(get_secret POSTGRES_USER) p0=$(get_secret POSTGRES_PASSWORD)
  rot --secret POSTGRES_PASSWORD; rc=$?
  check "alternating round $round exits 0" [ "$rc" -eq 0 ]
  check "alternating round $round: Infisical = .env, the new pair logs in" pair_consistent
  check "alternating round $round: the user switched" [ "$(get_secret POSTGRES_USER)" != "$u0" ]
  check "alternating round $round: the previous pair still logs in (unchanged)" logs_in_as "$u0" "$p0"
done
check "alternating: $ALT is a member of $ROLE" bash -c "[ \"\$(psql -h '$pgdir' -p $PGPORT -U postgres -d postgres -XAtqc \"SELECT pg_has_role('$ALT', '$ROLE', 'MEMBER')\")\" = t ]"
for step in journal pending alter_role verify promote sync delete_pending; do
  u0=$(get_secret POSTGRES_USER) p0=$(get_secret POSTGRES_PASSWORD)
  SECRETSYNC_TEST_FAILPOINT=after:$step rot --secret POSTGRES_PASSWORD; rc=$?
  check "alternating: killed after $step (exit $rc)" [ "$rc" -eq 137 ]
  pend=$(get_secret POSTGRES_PASSWORD__PENDING 2>/dev/null) && seen+=("$pend")
  check "alternating after $step: the previous pair still logs in" logs_in_as "$u0" "$p0"
  rot --secret POSTGRES_PASSWORD; rc=$?
  check "alternating after $step: a new rotation is refused with 80" [ "$rc" -eq 80 ]
  rot --resume; rc=$?
  check "alternating after $step: --resume exits 0" [ "$rc" -eq 0 ]
  check "alternating after $step: a consistent pair" pair_consistent
  case $step in
    journal|pending) check "alternating after $step: rolled back" [ "$(get_secret POSTGRES_USER)" = "$u0" ] ;;
    *) check "alternating after $step: rolled forward" [ "$(get_secret POSTGRES_USER)" != "$u0" ] ;;
  esac
done
# A crash between storing the password and the user: Infisical pairs the old
# role with the new password; a plain sync keeps the .env until --resume.
cp "$work/.env" "$T/env.pair"
u0=$(get_secret POSTGRES_USER)
SECRETSYNC_TEST_FAILPOINT=after:promote_password rot --secret POSTGRES_PASSWORD; rc=$?
check "alternating: killed after promote_password (exit $rc)" [ "$rc" -eq 137 ]
check "alternating after promote_password: Infisical holds the half-switched pair" \
  [ "$(get_secret POSTGRES_USER)" = "$u0" ]
"$SYNC" --config="$work/config.textproto" >/dev/null 2>"$T/sync80.err"; rc=$?
cat "$T/sync80.err" >>"$err"
check "sync during a half-stored pair exits 80" [ "$rc" -eq 80 ]
check "sync during a half-stored pair names the secret and rotate --resume" \
  grep -q "rotation of POSTGRES_[A-Z]* is pending.*existing .env is kept; run rotate --resume" "$T/sync80.err"
check "sync during a half-stored pair leaves the .env byte-identical" cmp -s "$T/env.pair" "$work/.env"
rot --resume; rc=$?
check "alternating after promote_password: --resume exits 0" [ "$rc" -eq 0 ]
check "alternating after promote_password: Infisical = .env, the new pair logs in" pair_consistent
check "alternating after promote_password: rolled forward" [ "$(get_secret POSTGRES_USER)" != "$u0" ]
"$SYNC" --config="$work/config.textproto" >/dev/null 2>>"$err"; rc=$?
check "sync after the resume exits 0" [ "$rc" -eq 0 ]

# The same over the exec route (psql as the superuser on the socket).
write_config "exec_command: [\"/usr/bin/psql\", \"-h\", \"$pgdir\", \"-p\", \"$PGPORT\", \"-U\", \"postgres\", \"-d\", \"glitchtip\", \"-X\", \"-q\", \"-v\", \"ON_ERROR_STOP=1\"]" \
  'rotation { strategy: ALTERNATING_USERS user_secret: "POSTGRES_USER" }'
for round in 1 2; do
  u0=$(get_secret POSTGRES_USER) p0=$(get_secret POSTGRES_PASSWORD)
  rot --secret POSTGRES_PASSWORD; rc=$?
  check "alternating exec round $round exits 0" [ "$rc" -eq 0 ]
  check "alternating exec round $round: Infisical = .env, the new pair logs in" pair_consistent
  check "alternating exec round $round: the user switched" [ "$(get_secret POSTGRES_USER)" != "$u0" ]
  check "alternating exec round $round: the previous pair still logs in" logs_in_as "$u0" "$p0"
done
touch "$T/probe.stop"; wait "$PROBE_PID"
read -r probe_ok probe_bad <"$T/probe.result"
check "alternating: no login with the .env failed ($probe_ok ok, $probe_bad failed)" \
  [ "$probe_bad" -eq 0 -a "$probe_ok" -gt 0 ]

# Canaries: no value in rotate's output, the on-change log or the server log.
leaks=0
for v in "${seen[@]}" Fixture-Superuser-Pw-1 canaryWrongCurrentPw9 canary-mail-rot-2 canary-secret-key-rot-0d9a; do
  [ -n "$v" ] || continue
  for f in "$out" "$err" "$work/on-change.log" "$pgdir/server.log" "$work/exec.argv" "$work/exec.stdin"; do
    if grep -qF -- "$v" "$f"; then echo "value leaked into $(basename "$f")"; leaks=$((leaks + 1)); fi
  done
done
check "no value in any output, argv, pipe or the PostgreSQL log (${#seen[@]} passwords)" [ "$leaks" -eq 0 ]
check "the server log saw the ALTER ROLEs (verifiers only)" grep -q 'ALTER ROLE.*SCRAM-SHA-256' "$pgdir/server.log"
echo "--- rotate stdout (tail) ---"; tail -n 12 "$out"; echo "--- rotate stderr (names only) ---"; sort -u "$err" | head -n 30
finish
