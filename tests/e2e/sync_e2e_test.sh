#!/usr/bin/env bash
# sync end to end: real binaries, the real dev server over a real socket, real
# files. First sync (under umask 000), no-op rerun, a changed secret, and every
# failure mode leaving the existing .env byte-identical with its exit code.
source "$(dirname "$0")/lib.sh"

start_devserver "$rf/tests/testdata/e2e-seed.textproto" --enable-faults
work=$T/deploy
mkdir -p "$work"
cp "$rf/deploy/examples/glitchtip/.env.template" "$work/"
cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" request_timeout_ms: 1500 max_retries: 2 }
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
on_change { command: ["/bin/sh", "-c", "echo \"\$SECRETSYNC_CHANGED|\$SECRETSYNC_SERVICES\" >> $work/command.log"] timeout_seconds: 10 }
secrets { name: "SECRET_KEY" rotation { restart_services: ["web"] } }
secrets { name: "POSTGRES_PASSWORD" rotation { restart_services: ["web", "worker"] } }
secrets { name: "EMAIL_URL" validator { kind: SMTP_URL } }
CONF
printf 'canary-client-secret-e2e-4f2b\n' >"$work/client-secret"
chmod 600 "$work/client-secret"
export E2E_CLIENT_ID=e2e-client-id
all_output=$T/all-output.txt
: >"$all_output"

run_sync() {  # run_sync [flags]: sets rc; appends stdout+stderr to all_output
  "$SYNC" --config="$work/config.textproto" --wait_lock=5s "$@" >"$T/out" 2>"$T/err"
  rc=$?
  cat "$T/out" "$T/err" >>"$all_output"
}

# 1. First sync under umask 000: .env is created 0600, the command runs.
(umask 000; run_sync; exit $rc)
rc=$?
check "first sync exits 0" [ "$rc" -eq 0 ]
check "first sync creates .env with mode 600" [ "$(stat -c %a "$work/.env")" = 600 ]
check ".env holds the rendered password, single-quoted" grep -qx "POSTGRES_PASSWORD='canary+pw/e2e=5b'" "$work/.env"
check "DATABASE_URL holds the urlencoded password" grep -q "glitchtip_maintainer:canary%2Bpw%2Fe2e%3D5b@postgres" "$work/.env"
check "comments of the template are kept" grep -qx "# PostgreSQL: a base64 password holds + / =, which must be encoded in a URL." "$work/.env"
check "on-change command ran once" [ "$(wc -l <"$work/command.log")" -eq 1 ]
check "token cache is 0600" [ "$(stat -c %a "$work/token.cache")" = 600 ]

# 2. Second sync: nothing changed, nothing written, no command.
inode=$(stat -c %i "$work/.env")
mtime=$(stat -c %Y.%y "$work/.env")
run_sync
check "unchanged sync exits 0" [ "$rc" -eq 0 ]
check "unchanged sync says up to date" grep -q "is up to date" "$T/out"
check "unchanged sync does not replace the file" [ "$(stat -c %i "$work/.env")" = "$inode" ]
check "unchanged sync does not touch the file" [ "$(stat -c %Y.%y "$work/.env")" = "$mtime" ]
check "unchanged sync runs no command" [ "$(wc -l <"$work/command.log")" -eq 1 ]

# 3. A changed secret rewrites only that line and names it to the command.
cp "$work/.env" "$T/before.env"
set_secret SECRET_KEY "canary-secret-key-e2e-v2-6e0f"
run_sync
check "changed sync exits 0" [ "$rc" -eq 0 ]
check "changed sync names SECRET_KEY only" grep -q "added -; changed SECRET_KEY; removed -" "$T/out"
check "only the SECRET_KEY line differs" [ "$(diff "$T/before.env" "$work/.env" | grep -c '^[<>]')" -eq 2 ]
check "command got SECRETSYNC_CHANGED=SECRET_KEY and its service" [ "$(tail -n1 "$work/command.log")" = "SECRET_KEY|web" ]

# 4. Failures leave .env byte-identical and exit with their documented code.
cp "$work/.env" "$T/good.env"
expect_fail() {  # expect_fail NAME CODE [sync flags]
  local name=$1 code=$2
  shift 2
  run_sync "$@"
  check "$name: exit $code (got $rc)" [ "$rc" -eq "$code" ]
  check "$name: .env byte-identical" cmp -s "$T/good.env" "$work/.env"
  check "$name: says the file was left unchanged" grep -q "was left unchanged" "$T/err"
  clear_faults
}

cp "$work/.env.template" "$T/template.bak"
echo 'EXTRA=${NOT_IN_INFISICAL}' >>"$work/.env.template"
expect_fail "missing secret" 66
check "missing secret is named" grep -q "NOT_IN_INFISICAL" "$T/err"
cp "$T/template.bak" "$work/.env.template"

echo 'BROKEN=${SECRET_KEY | rot13}' >>"$work/.env.template"
expect_fail "bad template" 65
check "bad template error has file:line:col" grep -qE '\.env\.template:[0-9]+:[0-9]+' "$T/err"
cp "$T/template.bak" "$work/.env.template"

set_secret EMAIL_URL "smtp://apikey:SG.canary-app-password-e2e/x@smtp.sendgrid.net:587"
expect_fail "invalid EMAIL_URL" 65
check "invalid EMAIL_URL is named" grep -q "EMAIL_URL" "$T/err"
set_secret EMAIL_URL "smtp://apikey:canary-mail-e2e-71c4@smtp.example.com:587"

rm -f "$work/token.cache"
E2E_CLIENT_ID=outsider-client-id expect_fail "403 (no access to the project)" 77
printf 'wrong-secret\n' >"$work/client-secret"
expect_fail "401 (wrong client secret)" 77
printf 'canary-client-secret-e2e-4f2b\n' >"$work/client-secret"

fault '{"mode":"status","status":503,"count":50}'
expect_fail "5xx storm" 75
fault '{"mode":"status","status":429,"retryAfter":1,"count":50}'
expect_fail "429 storm" 75
fault '{"mode":"delay","delayMs":4000,"count":50,"pathPrefix":"/api/v3/secrets"}'
expect_fail "timeout" 75
fault '{"mode":"malformed_json","count":50,"pathPrefix":"/api/v3/secrets"}'
expect_fail "malformed reply" 65
fault '{"mode":"truncated_json","count":50,"pathPrefix":"/api/v3/secrets"}'
expect_fail "truncated reply" 65
fault '{"mode":"close_mid_body","count":50,"pathPrefix":"/api/v3/secrets"}'
expect_fail "connection closed mid-body" 75

chmod 644 "$work/client-secret"
rm -f "$work/token.cache"
expect_fail "group-readable credential file" 78
check "refusal names the file" grep -q "client-secret" "$T/err"
chmod 600 "$work/client-secret"

# A run holding the lock (cron, the agent, a person) makes sync wait, then give up with 75.
flock "$work/.env.lock" sleep 5 &
holder=$!
sleep 0.3
expect_fail "lock held by another run" 75 --wait-lock=1s
check "lock message names the lock file" grep -q ".env.lock" "$T/err"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# 5. After all that, a normal sync still works and changes nothing.
run_sync
check "recovery sync exits 0" [ "$rc" -eq 0 ]
check "recovery sync finds the file up to date" grep -q "is up to date" "$T/out"

# 6. Dry run and JSON report: names only.
set_secret POSTGRES_PASSWORD "canary-new-pw-e2e-2c8d"
run_sync --dry_run
check "dry run exits 0" [ "$rc" -eq 0 ]
check "dry run names the variables" grep -q "would change: added -; changed DATABASE_URL,POSTGRES_PASSWORD" "$T/out"
check "dry run writes nothing" cmp -s "$T/good.env" "$work/.env"
run_sync --json
check "json sync exits 0" [ "$rc" -eq 0 ]
check "json report lists changed names" grep -q '"changed":\["DATABASE_URL","POSTGRES_PASSWORD"\]' "$T/out"
check "json report lists services" grep -q '"services":\["web","worker"\]' "$T/out"

# 7. Canaries: no planted value in anything the tools printed or logged.
for canary in canary-secret-key-e2e canary+pw canary%2Bpw canary-mail-e2e canary-app-password-e2e \
  canary-client-secret-e2e canary-outsider-secret canary-new-pw-e2e; do
  check "no output contains $canary" bash -c "! grep -qF -- '$canary' '$all_output'"
done
token=$(api_token)
check "no output contains an access token" bash -c "! grep -qF -- '${token:0:24}' '$all_output'"

finish
