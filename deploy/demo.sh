#!/usr/bin/env bash
# The README demo: installs what is missing, builds, starts the dev server
# seeded with the GlitchTip project, creates the missing secrets with
# `keygen --push`, renders .env with `sync`, shows it with values masked,
# syncs again (nothing to do), then starts two gRPC agents and fans a change
# out to both (deploy/demo_fanout.sh), and stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

bash deploy/setup.sh
echo "== building (the first build takes a few minutes)"
bazel build --config=ci //tools:devserver //tools:keygen //tools:sync //tools:agent //tools:fanout 2>&1 | grep -E '^(ERROR|FAILED)' || true
bin="$repo/bazel-bin/tools"
for b in devserver keygen sync agent fanout; do [ -x "$bin/$b" ] || { echo "demo: build of //tools:$b failed" >&2; exit 70; }; done

work=$(mktemp -d /tmp/secretsync-demo.XXXXXX)
ex="$repo/deploy/examples/glitchtip"
cp "$ex/demo.textproto" "$ex/.env.template" "$work/"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting the dev server (Infisical API on loopback)"
"$bin/devserver" --listen 127.0.0.1:0 --seed "$ex/devserver-seed.textproto" \
  > "$work/devserver.out" 2> "$work/devserver.log" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/devserver.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/devserver.out" | head -n1)
[ -n "$url" ] || { echo "demo: the dev server did not start:" >&2; cat "$work/devserver.log" >&2; exit 75; }
echo "   $url"

export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id
export INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo-client-secret
cd "$work"

echo "== keygen --push: create the spec's missing secrets (names only)"
"$bin/keygen" --config=demo.textproto --site-url="$url" --push

echo "== sync: render .env"
"$bin/sync" --config=demo.textproto --site-url="$url"

echo "== the rendered .env, values masked"
ls -l .env | awk '{print "   " $1 " " $NF}'
sed -E "s/^([A-Za-z_][A-Za-z0-9_]*)=.+$/\1=********/" .env | sed 's/^/   /'

echo "== sync again: nothing changed, nothing written, no command run"
"$bin/sync" --config=demo.textproto --site-url="$url"

echo "== someone changes EMAIL_URL in Infisical; sync names just that variable"
token=$(curl -sf -X POST "$url/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
  -d '{"clientId":"demo-client-id","clientSecret":"demo-client-secret"}' | jq -r .accessToken)
curl -sf -o /dev/null -X PATCH "$url/api/v3/secrets/raw/EMAIL_URL" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d '{"workspaceSlug":"glitchtip","projectSlug":"glitchtip","environment":"prod","secretPath":"/","secretValue":"smtps://apikey:new-demo-key@smtp.example.com:465"}'
"$bin/sync" --config=demo.textproto --site-url="$url" --dry_run
"$bin/sync" --config=demo.textproto --site-url="$url"

bash "$repo/deploy/demo_fanout.sh" "$bin" "$url" "$work"
echo "== done; the agents and the dev server stop now"
