#!/usr/bin/env bash
# Regression tests for the defects an attack and a first-time operator found
# (the defects issue, items a-g, i-l): the real sync and keygen binaries
# against the real dev server, on real files, as the user running the test
# (root in CI). Each block names its item.
source "$(dirname "$0")/lib.sh"

start_devserver "$rf/tests/testdata/e2e-seed.textproto" --enable-faults
work=$T/deploy
mkdir -p "$work"
cp "$rf/deploy/examples/glitchtip/.env.template" "$work/"
write_config() {  # write_config [extra text-format fields]
  cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" request_timeout_ms: 1500 max_retries: 1 }
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
on_change {
  command: ["/bin/sh", "-c", "env > $work/onchange.env; ls /proc/self/fd > $work/onchange.fds; cat \"\$SECRETSYNC_CHANGED_FILE\" > $work/onchange.names; [ ! -e $work/fail-command ]"]
  timeout_seconds: 10
}
secrets { name: "SECRET_KEY" rotation { restart_services: ["web"] } }
secrets { name: "POSTGRES_PASSWORD" rotation { restart_services: ["web", "worker"] } }
secrets { name: "EMAIL_URL" validator { kind: SMTP_URL } }
$1
CONF
}
write_config ""
printf 'canary-client-secret-e2e-4f2b\n' >"$work/client-secret"
chmod 600 "$work/client-secret"
export E2E_CLIENT_ID=e2e-client-id
export INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=canary-inherited-secret-3c9e
all=$T/all-output.txt
: >"$all"

run_sync() {  # run_sync [flags]: sets rc; appends stdout+stderr to $all
  timeout 20 "$SYNC" --config="$work/config.textproto" --wait_lock=5s "$@" >"$T/out" 2>"$T/err"
  rc=$?
  cat "$T/out" "$T/err" >>"$all"
}

run_sync
check "setup: first sync exits 0" [ "$rc" -eq 0 ]
cp "$work/.env" "$T/good.env"

# i. The on-change command gets an allowlisted environment and no inherited descriptors.
check "i: the command does not inherit the Infisical client secret" \
  bash -c "! grep -q INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET '$work/onchange.env'"
check "i: the command does not inherit other variables (E2E_CLIENT_ID)" \
  bash -c "! grep -q E2E_CLIENT_ID '$work/onchange.env'"
check "i: the command keeps PATH" grep -q '^PATH=' "$work/onchange.env"
check "i: the command gets SECRETSYNC_SERVICES" grep -qx 'SECRETSYNC_SERVICES=web worker' "$work/onchange.env"
check "i: the command has only fds 0-2 (plus ls's own)" \
  [ "$(grep -cvE '^[012]$' "$work/onchange.fds")" -le 1 ]
check "i: SECRETSYNC_CHANGED_FILE lists the names" grep -qx 'POSTGRES_PASSWORD' "$work/onchange.names"

# f. Mode and owner are enforced on an unchanged file, and kept when not configured.
chmod 644 "$work/.env"
chown nobody "$work/.env"
run_sync
check "f: an unchanged .env at 0644 exits 0" [ "$rc" -eq 0 ]
check "f: ... is brought back to 0600" [ "$(stat -c %a "$work/.env")" = 600 ]
check "f: ... and says so" grep -q "restored the mode and owner" "$T/out"
check "f: an unconfigured owner is kept (nobody)" [ "$(stat -c %U "$work/.env")" = nobody ]
write_config 'owner: "root" file_mode: "0640" group: "nogroup"'
run_sync
check "f: a configured owner and group are restored" [ "$(stat -c %U:%G:%a "$work/.env")" = root:nogroup:640 ]
write_config 'file_mode: "0640"'
chown nobody:nogroup "$work/.env"
set_secret SECRET_KEY "canary-secret-key-e2e-v2-6e0f"
run_sync
check "f: after a change, an unconfigured owner and group are kept" \
  [ "$(stat -c %U:%G:%a "$work/.env")" = nobody:nogroup:640 ]
chown root:root "$work/.env"
write_config ""
run_sync
cp "$work/.env" "$T/good.env"

# g. The output may not be the template, the config, a credential file or the token cache.
cp "$work/.env.template" "$T/template.before"
for target in .env.template config.textproto client-secret token.cache; do
  cp "$work/$target" "$T/target.before"
  run_sync --output="$work/$target"
  check "g: --output=$target exits 78 (got $rc)" [ "$rc" -eq 78 ]
  check "g: --output=$target leaves it unchanged" cmp -s "$T/target.before" "$work/$target"
done
ln "$work/.env.template" "$work/hardlink.env"
run_sync --output="$work/hardlink.env"
check "g: an output hard-linked to the template exits 78 (got $rc)" [ "$rc" -eq 78 ]
check "g: ... and the template is unchanged" cmp -s "$T/template.before" "$work/.env.template"
rm -f "$work/hardlink.env"

# c. Bytes of an old .env never reach the output, the log or the command.
printf 'K=-----BEGIN KEY-----\nMIIEpAIBCANARYzq81Oi+cAnK\nMIIEpAIBCANARYzq81Oj=\n' >"$work/.env"
chmod 600 "$work/.env"
run_sync --dry-run
cp "$T/out" "$T/c.out"; cat "$T/err" >>"$T/c.out"
run_sync --json
cat "$T/out" "$T/err" >>"$T/c.out"
check "c: dry run and --json say how many lines were unparsable" grep -q '"unparsable_lines":2' "$T/c.out"
check "c: no byte of the old file appears in the output" bash -c "! grep -q CANARYzq81 '$T/c.out'"
check "c: nor in the on-change command's environment or names" \
  bash -c "! grep -q CANARYzq81 '$work/onchange.env' '$work/onchange.names'"

# j. A failed on-change command is remembered and retried until it succeeds.
touch "$work/fail-command"
set_secret SECRET_KEY "canary-secret-key-e2e-v3-1a2b"
run_sync
check "j: a failing command exits 79 (got $rc)" [ "$rc" -eq 79 ]
check "j: ... naming the services to restart by hand" grep -q "restart them by hand" "$T/err"
check "j: ... and the failure is remembered beside the lock" [ -f "$work/.env.lock.onchange-failed" ]
run_sync
check "j: the next run retries it and still fails (79, got $rc)" [ "$rc" -eq 79 ]
rm -f "$work/fail-command"
run_sync
check "j: once it succeeds the run exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "j: ... says it retried" grep -q "(retried)" "$T/out"
check "j: ... with the names of the earlier change" grep -qx 'SECRET_KEY' "$work/onchange.names"
check "j: ... and forgets the failure" [ ! -e "$work/.env.lock.onchange-failed" ]
run_sync
check "j: a later unchanged run runs no command" bash -c "! grep -q '(retried)' '$T/out'"
cp "$work/.env" "$T/good.env"

# d. Symbolic links planted in the deployment folder are not followed.
echo "ROOT_ONLY=canary-root-only-9f8e" >"$T/root-only"
chmod 600 "$T/root-only"
mv "$work/.env.template" "$T/template.real"
ln -s "$T/root-only" "$work/.env.template"
run_sync
check "d: a symlinked template is refused (66, got $rc)" [ "$rc" -eq 66 ]
check "d: ... saying it is a symbolic link" grep -q "symbolic link" "$T/err"
check "d: ... and .env is unchanged" cmp -s "$T/good.env" "$work/.env"
rm "$work/.env.template"; mv "$T/template.real" "$work/.env.template"
mv "$work/.env" "$T/env.real"
ln -s "$T/root-only" "$work/.env"
write_config 'backup: true'
run_sync
check "d: a symlinked .env is refused (73, got $rc)" [ "$rc" -eq 73 ]
check "d: ... its target is untouched" grep -qx "ROOT_ONLY=canary-root-only-9f8e" "$T/root-only"
check "d: ... and nothing of it reaches .env.bak" [ ! -e "$work/.env.bak" ]
rm "$work/.env"; mv "$T/env.real" "$work/.env"
# ... unless the config allows links, and then only to a file of the link's owner.
mv "$work/.env.template" "$T/template.real"
ln -s "$T/template.real" "$work/.env.template"
write_config 'follow_symlinks: true'
run_sync
check "d: with follow_symlinks, a link to a file of the same owner is followed (got $rc)" [ "$rc" -eq 0 ]
chown nobody "$T/template.real"
run_sync
check "d: with follow_symlinks, a link to another user's file is refused (77, got $rc)" [ "$rc" -eq 77 ]
check "d: ... saying why" grep -q "file of another user" "$T/err"
chown root "$T/template.real"
rm "$work/.env.template"; mv "$T/template.real" "$work/.env.template"
write_config ""

# e. A FIFO never hangs sync.
rm "$work/.env"; mkfifo "$work/.env"
run_sync
check "e: a FIFO as .env fails at once (73, got $rc)" [ "$rc" -eq 73 ]
rm "$work/.env"; cp "$T/good.env" "$work/.env"; chmod 600 "$work/.env"
mv "$work/.env.template" "$T/template.real"; mkfifo "$work/.env.template"
run_sync
check "e: a FIFO as the template fails at once (66, got $rc)" [ "$rc" -eq 66 ]
rm "$work/.env.template"; mv "$T/template.real" "$work/.env.template"

# p. --dry-run writes nothing, not even the token cache (it may read it).
rm -f "$work/token.cache"
run_sync --dry-run
check "p: a dry run without a token cache creates none" [ ! -e "$work/token.cache" ]
run_sync
check "p: a real run writes the token cache" [ -f "$work/token.cache" ]
cache_sum=$(sha256sum "$work/token.cache")
run_sync --dry-run
check "p: a dry run leaves the token cache as it was" [ "$(sha256sum "$work/token.cache")" = "$cache_sum" ]
check "p: ... and uses it (no new login)" grep -q 'auth.token_cache_hit' "$T/err"

# l. --check runs every offline check of a real run.
run_sync --check
check "l: --check passes a good config" [ "$rc" -eq 0 ]
run_sync --check --site-url=http://infisical.example.com
check "l: --check refuses plain http to a non-loopback host (78, got $rc)" [ "$rc" -eq 78 ]
sed -i '/^infisical/d' "$work/config.textproto"
run_sync --check
check "l: --check refuses a config without site_url (78, got $rc)" [ "$rc" -eq 78 ]
write_config ""
sed -i '/^auth {/,/^}/d' "$work/config.textproto"
run_sync --check
check "l: --check refuses a config without auth (78, got $rc)" [ "$rc" -eq 78 ]
write_config ""

# k. Every row of the exit-code table.
"$SYNC" >/dev/null 2>&1; check "k: missing --config exits 64" [ $? -eq 64 ]
"$SYNC" --no-such-flag >/dev/null 2>&1; check "k: an unknown flag exits 64" [ $? -eq 64 ]
"$SYNC" --config=x --wait-lock=soon >/dev/null 2>&1; check "k: a bad flag value exits 64" [ $? -eq 64 ]
"$SYNC" --help >/dev/null 2>&1; check "k: --help exits 0" [ $? -eq 0 ]
"$SYNC" --config=x extra >/dev/null 2>&1; check "k: a positional argument exits 64" [ $? -eq 64 ]
"$SYNC" --config="$work/none.textproto" >/dev/null 2>&1; check "k: a missing config exits 66" [ $? -eq 66 ]
echo 'bogus {' >"$T/bad.textproto"
"$SYNC" --config="$T/bad.textproto" >/dev/null 2>&1; check "k: a malformed config exits 78" [ $? -eq 78 ]
mkdir -p "$work/as-folder"
run_sync --output="$work/as-folder"
check "k: an output that is a folder exits 73 (got $rc)" [ "$rc" -eq 73 ]
run_sync --output="$work/client-secret/under-a-file/.env"
check "k: an output folder that cannot exist exits 73 (got $rc)" [ "$rc" -eq 73 ]
cp "$work/.env.template" "$T/template.bak"
echo 'EXTRA=${NOT_IN_INFISICAL}' >>"$work/.env.template"
run_sync
check "k: a missing secret exits 66 (got $rc)" [ "$rc" -eq 66 ]
cp "$T/template.bak" "$work/.env.template"
head -c 1100000 /dev/zero | tr '\0' '#' >"$work/big.template"
run_sync --template-path="$work/big.template"
check "k: a template over 1 MiB exits 65 (got $rc)" [ "$rc" -eq 65 ]
set_secret EMAIL_URL "smtp://apikey:SG.canary/x@smtp.sendgrid.net:587"
run_sync
check "k: an invalid secret exits 65 (got $rc)" [ "$rc" -eq 65 ]

# b. The seed's own EMAIL_URL examples are accepted, with a warning.
set_secret EMAIL_URL "smtp://user@gmail.com:app-password@smtp.gmail.com:587"
run_sync
check "b: the Gmail form is accepted (got $rc)" [ "$rc" -eq 0 ]
check "b: ... and written byte for byte" grep -qx "EMAIL_URL='smtp://user@gmail.com:app-password@smtp.gmail.com:587'" "$work/.env"
check "b: ... with a warning naming the secret and %40" grep -q "secret=EMAIL_URL.*%40" "$T/err"
set_secret EMAIL_URL "smtp://postmaster@domain:password@smtp.mailgun.org:587"
run_sync
check "b: the Mailgun form is accepted (got $rc)" [ "$rc" -eq 0 ]

# a. keygen --push never creates a secret that an import supplies.
cat >"$T/imports-seed.textproto" <<'SEED'
projects { id: "p1" slug: "glitchtip" name: "G" environments { slug: "prod" name: "P" } folders: "prod:/shared"
  secrets { environment: "prod" path: "/" key: "EMAIL_URL" value: "smtp://a:b@h.example.com:587" }
  secrets { environment: "prod" path: "/shared" key: "SECRET_KEY" value: "canary-imported-key-0123456789abcdef" }
  secrets { environment: "prod" path: "/shared" key: "POSTGRES_PASSWORD" value: "canary-imported-pg-0123456789" }
  imports { environment: "prod" path: "/" from_environment: "prod" from_path: "/shared" } }
identities { client_id: "e2e-client-id" client_secret: "canary-client-secret-e2e-4f2b" project_ids: "p1" }
SEED
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_devserver "$T/imports-seed.textproto"
write_config 'include_imports: true secrets { name: "NEW_KEY" generator { kind: HEX } }'
rm -f "$work/token.cache"
(cd "$work" && "$KEYGEN" --config=config.textproto --push) >"$T/kg.out" 2>&1
cat "$T/kg.out" >>"$all"
check "a: keygen --push does not create imported secrets" bash -c "! grep -qE '^created (SECRET_KEY|POSTGRES_PASSWORD)' '$T/kg.out'"
check "a: ... and creates the one that is really missing" grep -qx 'created NEW_KEY' "$T/kg.out"

for canary in canary-secret-key-e2e canary-inherited-secret canary-root-only canary-imported \
              app-password canary-client-secret canary-mail-e2e; do
  check "no output carries $canary" bash -c "! grep -q '$canary' '$all'"
done
finish
