#!/usr/bin/env bash
# Source checks no compiler makes: SecretValue::Expose() stays in the few
# places that must see secret bytes (as tink does with InsecureSecretKeyAccess),
# libcurl's verbose mode (which prints the Authorization header) is never
# set, and no code prints through printf-style logging of secrets.
# Prints "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

# Who may call Expose(), and why.
allowed=(
  lib/agent/caller_auth.cc            # compares bearer tokens in constant time
  lib/fanout/agent_client.cc          # client key for TLS and the Bearer header
  lib/auth/static_token_provider.cc   # builds the Authorization header
  lib/auth/token_cache.cc             # writes the cached token (0600)
  lib/auth/universal_auth.cc          # login/renew request bodies and header
  lib/base/sha256.cc                  # hashes the output for reports (never shown)
  lib/dotenv/reader.cc                # reads the old .env to diff names
  lib/dotenv/writer.cc                # quotes values into the .env
  lib/fileio/atomic_writer.cc         # writes the bytes to disk
  lib/keygen/keygen_command.cc        # prints generated values (its job)
  lib/infisical/infisical_client.cc   # request bodies and Authorization header
  lib/infisical/infisical_store.cc    # parses a service token's parts
  lib/postgres/libpq_connection.cc    # hands the login password to libpq (parameter array)
  lib/postgres/libpq_role_applier.cc  # libpq computes the SCRAM verifier from it
  lib/postgres/scram_verifier.cc      # PBKDF2 input of the SCRAM verifier
  lib/rotate/journal.cc               # serializes the old/new values it must keep (0600)
  lib/spec/validators.cc              # checks values against the spec
  lib/template/template.cc            # renders values and applies filters
  lib/testing/fake_secret_store.cc    # test double
  lib/webhook/signature.cc            # HMAC-SHA256 key of the webhook signature
)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

callers=$(grep -rl --include='*.cc' --include='*.h' '\.Expose()' lib tools | grep -v '_test\.cc$' | sort)
unexpected=$(comm -23 <(echo "$callers") <(printf '%s\n' "${allowed[@]}" | sort))
if [ -z "$unexpected" ]; then
  pass "Expose() is called only from the allowed files"
else
  fail "Expose() called from files not on the list in tests/lint/check_sources.sh: $unexpected"
fi

if grep -rnE --include='*.cc' --include='*.h' 'setopt\([^,]+, *CURLOPT_(VERBOSE|DEBUGFUNCTION)' lib tools; then
  fail "libcurl verbose/debug output is enabled somewhere (it prints the Authorization header)"
else
  pass "libcurl verbose/debug output is never enabled"
fi

if grep -rnE --include='*.cc' 'std::(cout|cerr)|printf\(' lib | grep -vE '_test\.cc:|lib/testing/' \
    | grep -iE 'secret_?value|password|token\b|client_secret' | grep -viE 'name|redact'; then
  fail "a line may print a secret value"
else
  pass "no output statement names a secret value"
fi

if grep -rn --include='BUILD.bazel' -E 'http_archive|git_repository|"-l[a-z]' . ; then
  fail "a BUILD file downloads or links a library by hand"
else
  pass "BUILD files use only @system//: libraries"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
