#!/usr/bin/env bash
# The README demo: installs what is missing, builds, starts the dev server
# seeded with the GlitchTip project, creates the missing secrets with
# `keygen --push`, renders .env with `sync`, shows it with values masked,
# syncs again (nothing to do), rotates POSTGRES_PASSWORD against a throwaway
# PostgreSQL on loopback, shows a bad SECRET_KEY rolled back by the health
# check while the model app stays up (deploy/demo_health.sh), then starts two gRPC agents and fans a change out
# to both (deploy/demo_fanout.sh), and stops everything; last, a hub act
# (deploy/demo_hub.sh): a PATCH is live on 2 agents through a webhook.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

bash deploy/setup.sh
echo "== building (the first build takes a few minutes)"
bazel build --config=ci //tools:devserver //tools:keygen //tools:sync //tools:agent //tools:fanout //tools:rotate //tools:hub 2>&1 | grep -E '^(ERROR|FAILED)' || true
bin="$repo/bazel-bin/tools"
for b in devserver keygen sync agent fanout rotate; do [ -x "$bin/$b" ] || { echo "demo: build of //tools:$b failed" >&2; exit 70; }; done

work=$(mktemp -d /tmp/secretsync-demo.XXXXXX)
ex="$repo/deploy/examples/glitchtip"
cp "$ex/demo.textproto" "$ex/.env.template" "$work/"
server_pid=""
pgdir=""
PGBIN=/usr/lib/postgresql/15/bin
as_pg() {  # PostgreSQL refuses to run as root
  if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --clear-groups env -C / "$@"; else "$@"; fi
}
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pgdir" ]; then as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast -s -w stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; fi
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

echo "== rotate POSTGRES_PASSWORD: a throwaway PostgreSQL 15 on loopback, role glitchtip_maintainer"
echo "   with the password Infisical holds (the seed's manual procedure, in one command)"
pgdir=$(mktemp -d /tmp/secretsync-demo-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
as_pg sh -c "head -c 18 /dev/urandom | base64 >'$pgdir/pw'"
as_pg "$PGBIN/initdb" --no-sync -D "$pgdir/data" -U postgres --pwfile "$pgdir/pw" \
  --auth-host=scram-sha-256 --auth-local=trust >/dev/null
pgport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\npassword_encryption = 'scram-sha-256'\n" \
  "$pgport" "$pgdir" | as_pg sh -c "cat >>'$pgdir/data/postgresql.conf'"
as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -s -w start
old_pw=$(curl -sf "$url/api/v3/secrets/raw/POSTGRES_PASSWORD?workspaceSlug=glitchtip&projectSlug=glitchtip&environment=prod&secretPath=/" \
  -H "Authorization: Bearer $token" | jq -r .secret.secretValue)
# The password goes on psql's stdin (not argv) and log_statement is off for
# this session, so it is not logged either.
psql -h "$pgdir" -p "$pgport" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 >/dev/null <<SQL
\\set pw '$old_pw'
SET log_statement = 'none';
CREATE ROLE glitchtip_maintainer LOGIN PASSWORD :'pw';
CREATE DATABASE glitchtip OWNER glitchtip_maintainer;
SQL
printf 'postgres { host: "127.0.0.1" port: %s database: "glitchtip" }\n' "$pgport" >>demo.textproto
logs_in() { [ "$(PGPASSWORD=$1 psql "host=127.0.0.1 port=$pgport user=glitchtip_maintainer dbname=glitchtip" -XAtqc 'SELECT 1' 2>/dev/null)" = 1 ]; }
outcome() { if logs_in "$1"; then echo "logs in"; else echo "refused"; fi; }
env_pw() { env -i sh -c 'set -a; . ./.env; printf %s "$POSTGRES_PASSWORD"'; }
before=$(sha256sum .env | cut -c1-12)
echo "   before: the .env password $(outcome "$(env_pw)")"
"$bin/rotate" --config=demo.textproto --site-url="$url" --secret=POSTGRES_PASSWORD
echo "   after:  the new .env password $(outcome "$(env_pw)"); the old one is $(outcome "$old_pw")"
echo "   .env sha256 ${before}... -> $(sha256sum .env | cut -c1-12)... (names and outcomes only, never values)"
old_pw=""
bash "$repo/deploy/demo_health.sh" "$bin" "$url" "$work" "$pgport"
bash "$repo/deploy/demo_fanout.sh" "$bin" "$url" "$work"

# Push on change (issue 16): the hub act, separate so other acts stay apart.
demo_hub() {
  [ -x "$bin/hub" ] || { echo "demo: build of //tools:hub failed" >&2; exit 70; }
  bash "$repo/deploy/demo_hub.sh" "$bin" "$url" "$work"
}
demo_hub
echo "== done; the agents, the hub, PostgreSQL and the dev server stop now"
