#!/usr/bin/env bash
# keygen --push against the real dev server: creates the spec's missing
# secrets, keeps existing ones untouched, prints names only, is idempotent.
source "$(dirname "$0")/lib.sh"

start_devserver "$rf/tests/testdata/push-seed.textproto"
cp "$rf/deploy/examples/glitchtip/secretsync.textproto" "$T/config.textproto"
# The example config reads both credentials from $CREDENTIALS_DIRECTORY.
export CREDENTIALS_DIRECTORY=$T/credentials
mkdir -m 700 "$CREDENTIALS_DIRECTORY"
(umask 077
 printf 'e2e-client-id\n' >"$CREDENTIALS_DIRECTORY/infisical-client-id"
 printf 'canary-client-secret-e2e-4f2b\n' >"$CREDENTIALS_DIRECTORY/infisical-client-secret")
# The example config caches the token under /var/lib; point it at the test folder.
sed -i "s|token_cache_file: .*|token_cache_file: \"$T/token.cache\"|" "$T/config.textproto"
all=$T/all-output.txt

secret() {  # secret NAME FIELD: a field of the stored secret (via the API)
  curl -sf "$URL/api/v3/secrets/raw/$1?workspaceSlug=glitchtip&environment=prod&secretPath=/" \
    -H "Authorization: Bearer $(api_token)" | jq -r ".secret.$2"
}

"$KEYGEN" --config="$T/config.textproto" --site_url="$URL" --push --dry_run >"$T/out" 2>"$T/err"
rc=$?; cat "$T/out" "$T/err" >>"$all"
check "dry run exits 0" [ "$rc" -eq 0 ]
check "dry run names POSTGRES_PASSWORD only" [ "$(cat "$T/out")" = "would create POSTGRES_PASSWORD" ]
check "dry run creates nothing" [ "$(secret POSTGRES_PASSWORD secretKey)" = "" ]

"$KEYGEN" --config="$T/config.textproto" --site_url="$URL" --push >"$T/out" 2>"$T/err"
rc=$?; cat "$T/out" "$T/err" >>"$all"
check "push exits 0" [ "$rc" -eq 0 ]
check "push prints the created name only" [ "$(cat "$T/out")" = "created POSTGRES_PASSWORD" ]
created=$(secret POSTGRES_PASSWORD secretValue)
is_32_bytes_base64() { [ "${#created}" -eq 44 ] && [ "$(printf %s "$created" | base64 -d | wc -c)" -eq 32 ]; }
check "created value is 32 random bytes in base64" is_32_bytes_base64
check "existing SECRET_KEY is untouched" [ "$(secret SECRET_KEY secretValue)" = "canary-existing-secret-key-push" ]
check "existing SECRET_KEY keeps version 1" [ "$(secret SECRET_KEY version)" = "1" ]
check "the manual EMAIL_URL is left alone" [ "$(secret EMAIL_URL version)" = "1" ]
check "created value is not in any output" bash -c "! grep -qF -- '$created' '$all'"

"$KEYGEN" --config="$T/config.textproto" --site_url="$URL" --push >"$T/out" 2>"$T/err"
rc=$?; cat "$T/out" "$T/err" >>"$all"
check "second push exits 0" [ "$rc" -eq 0 ]
check "second push creates nothing" [ ! -s "$T/out" ]
check "second push keeps the created value" [ "$(secret POSTGRES_PASSWORD secretValue)" = "$created" ]

rm -f "$T/token.cache"
printf 'wrong\n' >"$CREDENTIALS_DIRECTORY/infisical-client-secret"
"$KEYGEN" --config="$T/config.textproto" --site_url="$URL" --push >"$T/out" 2>"$T/err"
rc=$?; cat "$T/out" "$T/err" >>"$all"
check "wrong client secret exits 77" [ "$rc" -eq 77 ]

for canary in canary-existing-secret-key-push canary-mail-push canary-client-secret-e2e; do
  check "no output contains $canary" bash -c "! grep -qF -- '$canary' '$all'"
done
finish
