# Shared helpers for the end-to-end shell tests (sourced, not run).
# Starts the real dev server on 127.0.0.1:0 and drives it with curl.
set -uo pipefail

rf=${TEST_SRCDIR:?run under bazel test}/secretsync
DEVSERVER=$rf/tools/devserver
SYNC=$rf/tools/sync
KEYGEN=$rf/tools/keygen
T=${TEST_TMPDIR:?}
failures=0
checks=0

check() {  # check "description" command...
  checks=$((checks + 1))
  if "${@:2}"; then
    echo "ok   $1"
  else
    echo "FAIL $1"
    failures=$((failures + 1))
  fi
}

finish() {
  echo "$((checks - failures)) passed, $failures failed"
  [ "$failures" -eq 0 ]
}

start_devserver() {  # start_devserver SEED [extra flags]; sets URL and SERVER_PID
  "$DEVSERVER" --listen 127.0.0.1:0 --seed "$1" "${@:2}" >"$T/devserver.out" 2>"$T/devserver.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    grep -q '^listening on ' "$T/devserver.out" 2>/dev/null && break
    sleep 0.05
  done
  URL=$(sed -n 's/^listening on //p' "$T/devserver.out" | head -n1)
  [ -n "$URL" ] || { echo "dev server did not start"; cat "$T/devserver.log"; exit 1; }
  trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null' EXIT
}

api_token() {  # a fresh access token for the e2e identity
  curl -sf -X POST "$URL/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
    -d '{"clientId":"e2e-client-id","clientSecret":"canary-client-secret-e2e-4f2b"}' | jq -r .accessToken
}

set_secret() {  # set_secret NAME VALUE: update in glitchtip/prod at /
  local body
  body=$(jq -nc --arg v "$2" '{workspaceId:"5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11",environment:"prod",secretPath:"/",secretValue:$v}')
  curl -sf -o /dev/null -X PATCH "$URL/api/v3/secrets/raw/$1" -H "Authorization: Bearer $(api_token)" \
    -H 'Content-Type: application/json' -d "$body"
}

fault() {  # fault JSON: queue a fault on the dev server
  curl -sf -o /dev/null -X POST "$URL/__devserver/faults" -H 'Content-Type: application/json' -d "$1"
}

clear_faults() {
  curl -sf -o /dev/null -X DELETE "$URL/__devserver/faults"
}
