#!/usr/bin/env bash
# Follows docs/agent.md "Running it under systemd" as written: its one-time
# setup (the ```sh block) runs in a scratch folder standing for /, on a host
# where the root timer has already synced (.env, .env.lock and the failure
# marker root's, the state that locked the agent out). Then it checks the
# ownership table the section states, that every file the agent's unit and
# the restart units name is where the setup put it, and that a root sync with
# the config's owner: keeps the files the agent's. The agent's user is played
# by nobody:nogroup (useradd is a stub: the test adds no user to the host).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
MAPPED_PREFIXES+=(/etc/tmpfiles.d)

DOC=$rf/docs/agent.md
AGENT_UNIT=$rf/deploy/systemd/secretsync-agent.service
RESTART_UNIT=$rf/deploy/systemd/secretsync-restart@.service
EXAMPLE=$rf/deploy/examples/glitchtip
USER_NAME=nobody
GROUP_NAME=nogroup
start_devserver "$rf/tests/testdata/deploy-seed.textproto"
all=$T/all-output.txt
: >"$all"

# The operator's checkout, with the agent built and the certificates made.
SRC=$T/src
mkdir -p "$SRC/dist"
cp -rL "$rf/deploy" "$rf/docs" "$SRC/"
install -m 755 /bin/true "$SRC/dist/agent"
for f in server.pem server.key ca.pem token; do printf 'test %s\n' "$f" >"$SRC/$f"; done
STUBS=$T/stubs
mkdir -p "$STUBS"
for tool in useradd systemctl systemd-tmpfiles; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$tool" "$T/stubs.log" >"$STUBS/$tool"
done
chmod 755 "$STUBS"/*
: >"$T/stubs.log"
mkdir -p "$ROOT/etc/systemd/system" "$ROOT/etc/tmpfiles.d" "$ROOT/usr/local/share/doc"

# What docs/sync.md and a first root sync left: the config, the credentials,
# and .env, its lock and a failure marker, all root's.
mkdir -p "$ROOT/etc/secretsync" "$ROOT/opt/glitchtip" "$ROOT/var/lib/secretsync"
chmod 700 "$ROOT/var/lib/secretsync"
cfg=$ROOT/etc/secretsync/glitchtip.textproto
map_paths <"$EXAMPLE/secretsync.textproto" |
  sed -e "s#https://app.infisical.com#$URL#" -e "s/^# owner: /owner: /" -e "s/^# group: /group: /" \
    -e "s/\"secretsync-agent\"/\"$USER_NAME\"/" -e "s/^group: \"$USER_NAME\"/group: \"$GROUP_NAME\"/" >"$cfg"
cp "$EXAMPLE/.env.template" "$ROOT/etc/secretsync/glitchtip.env.template"
install -d -m 700 "$ROOT/etc/secretsync/credentials/glitchtip"
(umask 077
 printf 'deploy-client-id\n' >"$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-id"
 printf 'canary-client-secret-deploy-7d3a\n' >"$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-secret")
printf 'services: {}\n' >"$ROOT/opt/glitchtip/docker-compose.yml"
(umask 077; for f in .env .env.lock .env.lock.onchange-failed; do : >"$ROOT/opt/glitchtip/$f"; done)

# 1. The setup block, as written, the agent's user and group played by nobody:nogroup.
awk '/^## Running it under systemd/{s=1} s&&/^## /&&!/Running it under systemd/{s=0}
     s&&/^```sh$/{b++; if (b==1) {p=1; next}} p&&/^```$/{p=0} p' "$DOC" >"$T/setup.sh"
check "the section has a setup block" [ -s "$T/setup.sh" ]
map_paths <"$T/setup.sh" | sed -e "s/secretsync-agent:secretsync-agent/$USER_NAME:$GROUP_NAME/g" \
    -e "s/:secretsync-agent /:$GROUP_NAME /g" -e "s/-g secretsync-agent /-g $GROUP_NAME /g" >"$T/setup.run"
(cd "$SRC" && exec env -i PATH="$STUBS:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$ROOT/root" \
  bash -e -o pipefail "$T/setup.run") >"$T/setup.out" 2>&1
setup_rc=$?
tee -a "$all" <"$T/setup.out"
check "the setup block runs (exit $setup_rc)" [ "$setup_rc" -eq 0 ]
unmapped=$(unmapped_paths "$T/setup.run" | grep -v '^ */run/' || true)
check "the block touches no host path but /run (got: ${unmapped:-none})" [ -z "$unmapped" ]
check "it creates the agent's user" grep -q "^useradd .*secretsync-agent$" "$T/stubs.log"

owner_of() { stat -c '%U:%G %a' "$ROOT$1"; }
# 2. The ownership table.
check "the deployment folder is the agent's, 0750 (got $(owner_of /opt/glitchtip))" \
  [ "$(owner_of /opt/glitchtip)" = "$USER_NAME:$GROUP_NAME 750" ]
for f in .env .env.lock .env.lock.onchange-failed; do
  check "$f the root timer left is now the agent's, 0600 (got $(owner_of /opt/glitchtip/$f))" \
    [ "$(owner_of /opt/glitchtip/$f)" = "$USER_NAME:$GROUP_NAME 600" ]
done
check "the compose file stays root's" [ "$(stat -c %U "$ROOT/opt/glitchtip/docker-compose.yml")" = root ]
check "/etc/secretsync/agent is root:<agent group> 0750" \
  [ "$(owner_of /etc/secretsync/agent)" = "root:$GROUP_NAME 750" ]
# Every file the unit reads in place exists, root's, readable by the group only.
for path in $(sed -n 's/^ExecStart=//p' "$AGENT_UNIT" | tr ' ' '\n' | sed -n 's#^--[a-z_]*=\(/etc/secretsync/agent/.*\)#\1#p'); do
  check "$path (named by the agent's unit) is root:<agent group> 0640" \
    [ "$(owner_of "$path" 2>/dev/null)" = "root:$GROUP_NAME 640" ]
done
for path in /etc/secretsync/credentials/glitchtip/infisical-client-id /etc/secretsync/credentials/glitchtip/infisical-client-secret; do
  check "$path (loaded by the agent's unit) stays root's, 0600" [ "$(owner_of "$path")" = "root:root 600" ]
done
# The restart helper is where its unit and the example config say.
restart_bin=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$RESTART_UNIT")
request_bin=$(sed -n 's/^ *# command: \["\([^"]*\)".*/\1/p' "$EXAMPLE/secretsync.textproto")
check "the restart script is at $restart_bin, 0755" [ "$(owner_of "$restart_bin")" = "root:root 755" ]
check "the requester is at $request_bin (the example's agent command), 0755" [ "$(owner_of "$request_bin")" = "root:root 755" ]
check "the allow-list is root's, 0644" [ "$(owner_of /etc/secretsync/restart/glitchtip.services)" = "root:root 644" ]
check "tmpfiles.d has the request folder" grep -q '^d /run/secretsync/restart/glitchtip ' "$ROOT/etc/tmpfiles.d/secretsync-restart.conf"
for u in secretsync-agent.service secretsync-restart@.path secretsync-restart@.service; do
  check "$u is installed" cmp -s "$rf/deploy/systemd/$u" "$ROOT/etc/systemd/system/$u"
done

# 3. The root timer's next sync, with the config's owner: every file stays the agent's.
env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY="$ROOT/etc/secretsync/credentials/glitchtip" \
  "$SYNC" --config="$cfg" >"$T/sync.out" 2>&1
sync_rc=$?
cat "$T/sync.out" >>"$all"
# 79 is fine here: the on-change runs docker, which this host does not have.
check "a root sync writes .env (exit $sync_rc)" bash -c "[ $sync_rc -eq 0 ] || [ $sync_rc -eq 79 ]"
check "it rendered the secrets" grep -q "^SECRET_KEY=" "$ROOT/opt/glitchtip/.env"
for f in .env .env.lock; do
  check "after the root sync $f is the agent's (got $(owner_of /opt/glitchtip/$f))" \
    [ "$(owner_of /opt/glitchtip/$f | cut -d' ' -f1)" = "$USER_NAME:$GROUP_NAME" ]
done

for canary in canary-secret-key-deploy canary+pw canary-mail-deploy canary-client-secret-deploy; do
  check "no output contains $canary" bash -c "! grep -qF -- '$canary' '$all'"
done
finish
