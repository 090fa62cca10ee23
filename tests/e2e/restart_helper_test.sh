#!/usr/bin/env bash
# The restart helper (deploy/restart): the root side, secretsync-restart, run
# with a fake docker on PATH against valid and hostile request files, and what
# docker was called with; then the requester as sync's on-change command (the
# real sync binary against the dev server), whose request the root side turns
# into exactly one `docker compose ... up -d --no-deps` of the changed services.
source "$(dirname "$0")/lib.sh"

RESTART=$rf/deploy/restart/secretsync-restart
REQUEST=$rf/deploy/restart/secretsync-restart-request
export SECRETSYNC_RESTART_DIR=$T/run/restart
export SECRETSYNC_RESTART_ALLOW_DIR=$T/etc/restart
export SECRETSYNC_PROJECT_ROOT=$T/opt
req=$SECRETSYNC_RESTART_DIR/glitchtip
mkdir -p "$req" "$SECRETSYNC_RESTART_ALLOW_DIR" "$T/opt/glitchtip" "$T/bin"
install -m 644 "$rf/deploy/restart/glitchtip.services" "$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services"

# A fake docker that records its arguments, one call a line.
cat >"$T/bin/docker" <<EOF
#!/bin/sh
echo "\$*" >>"$T/docker.log"
exit \${FAKE_DOCKER_RC:-0}
EOF
chmod 755 "$T/bin/docker"
export PATH="$T/bin:$PATH"

all=$T/all-output.txt
: >"$all"
# run_restart: runs the root side; sets rc; its stderr goes to $T/restart.err.
run_restart() {
  : >"$T/docker.log"
  if [ $# -eq 0 ]; then set -- glitchtip; fi
  "$RESTART" "$@" >"$T/restart.out" 2>"$T/restart.err"
  rc=$?
  cat "$T/restart.out" "$T/restart.err" >>"$all"
}
calls() { wc -l <"$T/docker.log"; }
no_requests_left() { [ -z "$(find "$req" -mindepth 1 -name '*.req' -print -quit)" ]; }
printf 'services: {}\n' >"$T/opt/glitchtip/docker-compose.yml"
compose="compose --project-directory $T/opt/glitchtip --file $T/opt/glitchtip/docker-compose.yml up -d --no-deps --"

# 1. A valid request: one call, exactly those services, the request removed.
printf 'web worker\n' >"$req/1.req"
run_restart
check "a valid request exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "docker compose recreates exactly web and worker" [ "$(cat "$T/docker.log")" = "$compose web worker" ]
check "the request is removed" no_requests_left
check "the journal line names the services" grep -q "I restart.restarted deployment=glitchtip services=web,worker" "$T/restart.err"

# 2. Two requests: one call with both sets, each name once.
printf 'web\n' >"$req/1.req"
printf 'migrate\nweb\n' >"$req/2.req"
run_restart
check "two requests make one call" [ "$(calls)" -eq 1 ]
check "with each name once" [ "$(cat "$T/docker.log")" = "$compose web migrate" ]

# 3. An empty request (no service named by the spec): every allowed service.
: >"$req/1.req"
run_restart
check "an empty request recreates the allow-list's services" [ "$(cat "$T/docker.log")" = "$compose web worker migrate" ]

# 4. Hostile requests: refused, removed, docker never called, content never logged.
hostile() {  # hostile LABEL: the request $req/h.req is in place
  run_restart
  check "$1: docker is not called" [ ! -s "$T/docker.log" ]
  check "$1: exit 65 (got $rc)" [ "$rc" -eq 65 ]
  check "$1: the request is removed" no_requests_left
  check "$1: the refusal is logged" grep -q "W restart.refused deployment=glitchtip request=h.req reason=" "$T/restart.err"
}
printf 'web; rm -rf /\n' >"$req/h.req"
hostile "shell text"
printf '%s\n' '$(touch canary-pwned)' >"$req/h.req"
hostile "command substitution"
printf -- '--help\n' >"$req/h.req"
hostile "a flag"
printf -- 'web -f /tmp/evil.yml\n' >"$req/h.req"
hostile "a flag after a valid name"
printf 'postgres\n' >"$req/h.req"
hostile "a service not in the allow-list"
printf 'web\0worker\n' >"$req/h.req"
hostile "a NUL byte"
printf 'web\n' >"$T/outside.txt"
ln -s "$T/outside.txt" "$req/h.req"
hostile "a symbolic link to a valid request"
check "the link's target is untouched" [ "$(cat "$T/outside.txt")" = web ]
ln -s /etc/shadow "$req/h.req"
hostile "a symbolic link to /etc/shadow"
mkfifo "$req/h.req"
hostile "a FIFO (no hang)"
mkdir "$req/h.req"
hostile "a folder"
yes web | head -c 5000 >"$req/h.req"
hostile "an oversized file of valid names"
check "nothing ran a planted command" bash -c "[ ! -e canary-pwned ] && [ ! -e '$T/canary-pwned' ]"

# 5. A hostile request beside a valid one: the valid one still runs, alone.
printf 'web\n' >"$req/1.req"
printf 'worker;reboot\n' >"$req/h.req"
run_restart
check "a valid request beside a hostile one runs alone" [ "$(cat "$T/docker.log")" = "$compose web" ]
check "and the run reports the refusal (exit 65, got $rc)" [ "$rc" -eq 65 ]

# 6. The requester's temporary files are not requests.
printf 'web\n' >"$req/.request.abc123.tmp"
run_restart
check "a temporary file is not read" [ ! -s "$T/docker.log" ]
check "a temporary file is left alone" [ -f "$req/.request.abc123.tmp" ]
rm -f "$req/.request.abc123.tmp"

# 7. docker compose fails: exit 79.
printf 'web\n' >"$req/1.req"
FAKE_DOCKER_RC=1 run_restart
check "a failed docker compose exits 79 (got $rc)" [ "$rc" -eq 79 ]

# 8. The allow-list and the deployment name are root's to trust.
printf 'web\n' >"$req/1.req"
chmod 666 "$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services"
run_restart
check "an allow-list writable by others: exit 78 (got $rc)" [ "$rc" -eq 78 ]
check "and docker is not called" [ ! -s "$T/docker.log" ]
chmod 644 "$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services"
cp "$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services" "$T/allow.saved"
printf 'web worker\n' >>"$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services"
run_restart
check "an allow-list line with two names: exit 78 (got $rc)" [ "$rc" -eq 78 ]
rm "$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services"
ln -s "$T/allow.saved" "$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services"
run_restart
check "an allow-list that is a link: exit 78 (got $rc)" [ "$rc" -eq 78 ]
rm "$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services"
mv "$T/allow.saved" "$SECRETSYNC_RESTART_ALLOW_DIR/glitchtip.services"
mv "$T/opt/glitchtip/docker-compose.yml" "$T/compose.saved"
run_restart
check "a project without a compose file: exit 78 (got $rc)" [ "$rc" -eq 78 ]
mv "$T/compose.saved" "$T/opt/glitchtip/docker-compose.yml"
printf 'services: {}\n' >"$T/opt/glitchtip/compose.yaml"
run_restart
check "compose.yaml comes first, as compose looks for it" grep -q -- "--file $T/opt/glitchtip/compose.yaml up" "$T/docker.log"
rm "$T/opt/glitchtip/compose.yaml"
printf 'web\n' >"$req/1.req"
for name in ../glitchtip 'glitchtip x' '' -h; do
  run_restart "$name"
  check "deployment name '$name': exit 64 (got $rc)" [ "$rc" -eq 64 ]
done
check "the pending valid request survived the refused runs" [ -f "$req/1.req" ]
rm -f "$req/1.req"

# 9. The requester: names from SECRETSYNC_SERVICES, written whole, then read back.
SECRETSYNC_SERVICES='web worker' "$REQUEST" glitchtip 2>>"$all"
check "the requester exits 0" [ $? -eq 0 ]
check "it leaves exactly one *.req and no temporary file" \
  [ "$(find "$req" -mindepth 1 | wc -l)" -eq 1 -a "$(find "$req" -name '*.req' | wc -l)" -eq 1 ]
run_restart
check "the root side restarts what was requested" [ "$(cat "$T/docker.log")" = "$compose web worker" ]
SECRETSYNC_SERVICES='web *' "$REQUEST" glitchtip 2>>"$all"
check "a glob in the names is not expanded" grep -qx '\*' "$req"/*.req
run_restart
check "and the root side refuses it" [ ! -s "$T/docker.log" ]
"$REQUEST" '../x' 2>>"$all"
check "the requester refuses a bad deployment name (64)" [ $? -eq 64 ]
"$REQUEST" other 2>>"$all"
check "the requester exits 73 when it cannot write the folder" [ $? -eq 73 ]

# 10. As sync's on-change command (the agent's config): the real sync renders
# .env and queues the request; the root side recreates the changed services.
# (sync passes its own SECRETSYNC_* variables only: env sets the test folder.)
start_devserver "$rf/tests/testdata/deploy-seed.textproto"
cfg=$T/etc/glitchtip.textproto
sed -e "s#https://app.infisical.com#$URL#" -e "s#/opt/glitchtip#$T/opt/glitchtip#g" \
  -e "s#/var/lib/secretsync#$T/state#" \
  -e "s#^  command: .*#  command: [\"/usr/bin/env\", \"SECRETSYNC_RESTART_DIR=$SECRETSYNC_RESTART_DIR\", \"$REQUEST\", \"glitchtip\"]#" \
  "$rf/deploy/examples/glitchtip/secretsync.textproto" >"$cfg"
cp "$rf/deploy/examples/glitchtip/.env.template" "$T/etc/glitchtip.env.template"
install -d -m 700 "$T/creds" "$T/state"
(umask 077
 printf 'deploy-client-id\n' >"$T/creds/infisical-client-id"
 printf 'canary-client-secret-deploy-7d3a\n' >"$T/creds/infisical-client-secret")
CREDENTIALS_DIRECTORY=$T/creds "$SYNC" --config="$cfg" >>"$all" 2>&1
sync_rc=$?
[ "$sync_rc" -eq 0 ] || tail -5 "$all"
check "sync with the requester as on-change exits 0 (got $sync_rc)" [ "$sync_rc" -eq 0 ]
check "sync wrote .env" [ -s "$T/opt/glitchtip/.env" ]
run_restart
check "one call" [ "$(calls)" -eq 1 ]
services=$(sed -n "s#^$compose ##p" "$T/docker.log" | tr ' ' '\n' | sort | paste -sd' ')
check "it recreates the services of the changed secrets, not postgres (got: $services)" \
  [ "$services" = "migrate web worker" ]
check "no request is left" no_requests_left

for canary in canary-secret-key-deploy canary+pw canary-mail-deploy canary-client-secret-deploy; do
  check "no output contains $canary" bash -c "! grep -qF -- '$canary' '$all'"
done
finish
