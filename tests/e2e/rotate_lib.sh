# Shared by the rotate e2e tests (sourced after lib.sh and start_devserver,
# with PROJECT, ROLE and INITIAL_PW set): get_secret, and a throwaway
# PostgreSQL 15 on 127.0.0.1 (scram-sha-256, log_statement = all) with ROLE
# (password INITIAL_PW) owning database glitchtip; pg_start, pg_stop,
# su_sql, logs_in. The EXIT trap stops it and the dev server.
PGBIN=/usr/lib/postgresql/15/bin

get_secret() {  # get_secret NAME: its value on stdout; fails when missing
  curl -sf "$URL/api/v3/secrets/raw/$1?workspaceId=$PROJECT&environment=prod&secretPath=/" \
    -H "Authorization: Bearer $(api_token)" | jq -er .secret.secretValue
}

# --- PostgreSQL: a throwaway server, as the postgres user when root. ---
as_pg() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --clear-groups env -C / "$@"
  else "$@"; fi
}
pgdir=$(mktemp -d /tmp/ss-rot-XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
as_pg bash -c "echo Fixture-Superuser-Pw-1 >'$pgdir/pw'"
as_pg "$PGBIN/initdb" --no-sync -D "$pgdir/data" -U postgres --pwfile "$pgdir/pw" \
  --auth-host=scram-sha-256 --auth-local=trust >/dev/null || { echo "initdb failed"; exit 1; }
PGPORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg bash -c "cat >>'$pgdir/data/postgresql.conf'" <<CONF
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pgdir'
password_encryption = 'scram-sha-256'
log_statement = 'all'
fsync = off
CONF
pg_start() { as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -s -w start; }
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast -s -w stop; }
pg_start || { echo "pg_ctl start failed"; cat "$pgdir/server.log"; exit 1; }
trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; pg_stop; rm -rf "$pgdir"' EXIT
su_sql() { psql -h "$pgdir" -p "$PGPORT" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 "$@"; }
# Created with log_statement off, so the initial password is not logged either.
su_sql >/dev/null <<SQL
SET log_statement = 'none';
CREATE ROLE $ROLE LOGIN PASSWORD '$INITIAL_PW';
CREATE DATABASE glitchtip OWNER $ROLE;
SQL
logs_in() {  # logs_in PASSWORD: a fresh TCP login as the role runs SELECT 1
  [ "$(PGPASSWORD=$1 psql "host=127.0.0.1 port=$PGPORT user=$ROLE dbname=glitchtip" -XAtqc 'SELECT 1' 2>/dev/null)" = 1 ]
}
