#!/usr/bin/env bash
# The cron path as shipped: the job line of deploy/cron/secretsync-glitchtip.cron
# run the way cron runs it (only the file's PATH=, SHELL, HOME, LOGNAME), through
# the installed wrapper, against the dev server. With no syslog socket every
# line still reaches stderr (which cron mails); with one, the lines go there
# tagged secretsync-sync-glitchtip, without brackets. docker is found through
# the cron file's PATH (in /usr/local/bin). No cron daemon runs here;
# deploy_lib.sh maps /etc, /opt, /var/lib and /usr/local to a scratch root.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"

CRONFILE=$rf/deploy/cron/secretsync-glitchtip.cron
WRAPPER=$rf/deploy/cron/secretsync-sync-cron
EXAMPLE=$rf/deploy/examples/glitchtip
start_devserver "$rf/tests/testdata/deploy-seed.textproto"

# 1. The cron file.
cron_path=$(sed -n 's/^PATH=//p' "$CRONFILE")
check "the cron file sets PATH" [ -n "$cron_path" ]
check "its PATH includes /usr/local/bin (docker, secretsync-sync)" grep -qE '^PATH=(.*:)?/usr/local/bin(:|$)' "$CRONFILE"
check "its job runs the installed wrapper as root with the config and a delay" \
  grep -qE '^[0-9*/,-]+ [0-9*/,-]+ \* \* \* root /usr/local/lib/secretsync/secretsync-sync-cron /etc/secretsync/glitchtip.textproto [0-9]+$' "$CRONFILE"

# 2. Installed as the runbook says (binary, wrapper, config, template, credentials).
install -D -m 755 "$SYNC" "$ROOT/usr/local/bin/secretsync-sync"
install -D -m 755 "$WRAPPER" "$ROOT/usr/local/lib/secretsync/secretsync-sync-cron"
install -d -m 700 "$ROOT/var/lib/secretsync" "$ROOT/etc/secretsync/credentials/glitchtip"
mkdir -p "$ROOT/opt/glitchtip"
map_paths <"$EXAMPLE/secretsync.textproto" |
  sed "s#site_url: \"https://app.infisical.com\"#site_url: \"$URL\"#" >"$ROOT/etc/secretsync/glitchtip.textproto"
cp "$EXAMPLE/.env.template" "$ROOT/etc/secretsync/glitchtip.env.template"
(umask 077
 printf 'deploy-client-id\n' >"$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-id"
 printf 'canary-client-secret-deploy-7d3a\n' >"$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-secret")
install_fake_docker
only_scratch_docker() {  # no docker in the cron PATH (mapped) outside the scratch root
  local dir
  for dir in $(map_paths <<<"$cron_path" | tr ':' ' '); do
    case $dir in "$ROOT"/*) continue ;; esac
    [ ! -e "$dir/docker" ] || return 1
  done
}
check "the only docker in the cron PATH is the scratch /usr/local/bin one" only_scratch_docker
all=$T/all-output.txt
: >"$all"

# 3. No syslog socket: the lines reach stderr, tagged.
run_cron_file "$CRONFILE" SECRETSYNC_SYSLOG_SOCKET="$T/no-such-socket"
cat "$T/cron.out" "$T/cron.err" | tee -a "$all"
env_file=$ROOT/opt/glitchtip/.env
check "the cron job exits 0 (got $cron_rc)" [ "$cron_rc" -eq 0 ]
check ".env is written 0600" [ "$(stat -c %a "$env_file" 2>/dev/null)" = 600 ]
check "the token is cached in /var/lib/secretsync" [ -f "$ROOT/var/lib/secretsync/glitchtip.token" ]
check "without a syslog socket, sync's report reaches stderr" \
  grep -q "^secretsync-sync-glitchtip: sync: updated $env_file" "$T/cron.err"
check "without a syslog socket, sync's log lines reach stderr" \
  grep -q "^secretsync-sync-glitchtip: I sync.written " "$T/cron.err"
check "nothing goes to stdout" [ ! -s "$T/cron.out" ]
check "docker compose was found through the cron file's PATH and ran in /opt/glitchtip" \
  grep -q "^$ROOT/opt/glitchtip|compose up -d --no-deps " "$T/docker.log"

# 4. With a syslog socket: the lines go there, with the tag and sync's level.
# (A short path: TEST_TMPDIR is longer than a socket address may be.)
sockdir=$(mktemp -d /tmp/secretsync-syslog.XXXXXX)
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "ab", 0)
while True:
    out.write(s.recv(65536) + b"\n")
' "$sockdir/syslog.sock" "$T/syslog.txt" &
listener=$!
trap 'kill $listener 2>/dev/null; rm -rf "$sockdir"; kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -S "$sockdir/syslog.sock" ] && break; sleep 0.05; done
set_secret_deploy() {  # set_secret_deploy NAME VALUE, as the deploy identity
  local token body
  token=$(curl -sf -X POST "$URL/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
    -d '{"clientId":"deploy-client-id","clientSecret":"canary-client-secret-deploy-7d3a"}' | jq -r .accessToken)
  body=$(jq -nc --arg v "$2" '{workspaceId:"5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11",environment:"prod",secretPath:"/",secretValue:$v}')
  curl -sf -o /dev/null -X PATCH "$URL/api/v3/secrets/raw/$1" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$body"
}
check "a secret changes in Infisical" set_secret_deploy SECRET_KEY canary-secret-key-deploy-v2-fedcba9876543210
run_cron_file "$CRONFILE" SECRETSYNC_SYSLOG_SOCKET="$sockdir/syslog.sock"
sleep 0.2  # let the listener write the last datagram
cat "$T/cron.out" "$T/cron.err" "$T/syslog.txt" | tee -a "$all"
check "the cron job exits 0 (got $cron_rc)" [ "$cron_rc" -eq 0 ]
check "with a syslog socket, stderr stays empty (cron mails nothing)" [ ! -s "$T/cron.err" ]
check "syslog got the report, tagged secretsync-sync-glitchtip at user.info" \
  grep -q '^<14>.* secretsync-sync-glitchtip: sync: updated .*changed SECRET_KEY' "$T/syslog.txt"
check "syslog got sync's log lines" grep -q 'secretsync-sync-glitchtip: I sync.written ' "$T/syslog.txt"
check "no tag has brackets (journald would read a pid)" bash -c "! grep -q 'secretsync-sync[^ :]*\\[' '$T/syslog.txt'"
check "docker compose ran again for the change" [ "$(grep -c 'compose up -d --no-deps' "$T/docker.log")" -eq 2 ]

# 5. A failure: the code is logged at user.err.
(umask 077; printf 'canary-wrong-secret-deploy\n' >"$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-secret")
rm -f "$ROOT/var/lib/secretsync/glitchtip.token"
: >"$T/syslog.txt"
run_cron_file "$CRONFILE" SECRETSYNC_SYSLOG_SOCKET="$sockdir/syslog.sock"
sleep 0.2
cat "$T/cron.out" "$T/cron.err" "$T/syslog.txt" | tee -a "$all"
check "a wrong client secret: the job exits 77 (got $cron_rc)" [ "$cron_rc" -eq 77 ]
check "the exit code is logged at user.err" grep -q '^<11>.* secretsync-sync-glitchtip: E sync exited 77' "$T/syslog.txt"
run_cron_file "$CRONFILE" SECRETSYNC_SYSLOG_SOCKET="$T/no-such-socket"
cat "$T/cron.out" "$T/cron.err" >>"$all"
check "without a socket the failure reaches stderr" grep -q '^secretsync-sync-glitchtip: E sync exited 77' "$T/cron.err"
(umask 077; printf 'canary-client-secret-deploy-7d3a\n' >"$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-secret")

# 6. cron's default PATH (no PATH= line): a clear message, not a silent failure.
grep -v '^PATH=' "$CRONFILE" >"$T/no-path.cron"
run_cron_file "$T/no-path.cron" SECRETSYNC_SYSLOG_SOCKET="$T/no-such-socket"
check "without PATH= the wrapper cannot find secretsync-sync: exit 127 (got $cron_rc)" [ "$cron_rc" -eq 127 ]
check "and says so on stderr" grep -q 'cannot find secretsync-sync in PATH' "$T/cron.err"

# 7. Usage errors.
"$WRAPPER" >/dev/null 2>&1
check "no config: usage, exit 64" [ $? -eq 64 ]
"$WRAPPER" "$ROOT/etc/secretsync/glitchtip.textproto" soon >/dev/null 2>&1
check "a non-numeric delay: usage, exit 64" [ $? -eq 64 ]

for canary in canary-secret-key-deploy canary+pw canary%2Bpw canary-mail-deploy canary-client-secret-deploy \
  canary-wrong-secret-deploy; do
  check "no output contains $canary" bash -c "! grep -qF -- '$canary' '$all'"
done
finish
