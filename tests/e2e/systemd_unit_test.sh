#!/usr/bin/env bash
# The systemd unit and timer as shipped: systemd-analyze verify accepts them,
# and the unit's ExecStart= (with %i = glitchtip), run the way systemd runs it
# (an empty environment, the two LoadCredential= files in $CREDENTIALS_DIRECTORY,
# StateDirectory=, UMask=) on the example config, syncs against the dev server:
# .env written 0600, token cached in /var/lib/secretsync, docker compose called
# with --no-deps. No systemd runs here: deploy_lib.sh emulates what it gives
# the process, with /etc, /opt, /var/lib and /usr/local mapped to a scratch root.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"

UNIT=$rf/deploy/systemd/secretsync-sync@.service
TIMER=$rf/deploy/systemd/secretsync-sync@.timer
EXAMPLE=$rf/deploy/examples/glitchtip
start_devserver "$rf/tests/testdata/deploy-seed.textproto" --enable-faults

# 1. The unit files themselves.
mkdir -p "$T/units"
map_paths <"$UNIT" >"$T/units/secretsync-sync@.service"
cp "$TIMER" "$T/units/"
install -D -m 755 "$SYNC" "$ROOT/usr/local/bin/secretsync-sync"
systemd-analyze verify --man=no "$T/units/secretsync-sync@.service" "$T/units/secretsync-sync@.timer" \
  >"$T/verify.out" 2>&1
verify_rc=$?
cat "$T/verify.out"
check "systemd-analyze verify accepts the unit and the timer" [ "$verify_rc" -eq 0 ]
check "systemd-analyze verify prints no warning" [ ! -s "$T/verify.out" ]
oncalendar=$(sed -n 's/^OnCalendar=//p' "$TIMER")
check "the timer has OnCalendar= (Persistent=true needs it)" [ -n "$oncalendar" ]
check "systemd accepts the OnCalendar= expression" systemd-analyze calendar "$oncalendar"
check "the timer starts the service of the same instance" bash -c "! grep -q '^Unit=' '$TIMER'"
check "exit 75 (temporary) counts as success" unit_success "$UNIT" 75
check "exit 79 (on-change failed) does not" bash -c "! grep -q '^SuccessExitStatus=.*79' '$UNIT'"
check "Documentation= names the runbook the runbook installs" \
  grep -qx 'Documentation=file:///usr/local/share/doc/secretsync/sync.md' "$UNIT"
check "the state folder is a StateDirectory= of mode 0700" \
  bash -c "grep -qx 'StateDirectory=secretsync' '$UNIT' && grep -qx 'StateDirectoryMode=0700' '$UNIT'"
# Every credential the example config reads from systemd is loaded by the unit.
config_creds=$(grep -o 'systemd_credential: "[^"]*"' "$EXAMPLE/secretsync.textproto" | cut -d'"' -f2 | sort)
unit_creds=$(unit_values "$UNIT" LoadCredential | cut -d: -f1 | sort)
check "the example config reads the client id and secret as systemd credentials" \
  [ "$(echo "$config_creds" | paste -sd" ")" = "infisical-client-id infisical-client-secret" ]
check "the unit loads exactly the credentials the config reads" [ "$config_creds" = "$unit_creds" ]

# 1b. The agent's unit and the restart helper's units (docs/agent.md).
AGENT_UNIT=$rf/deploy/systemd/secretsync-agent.service
RESTART_PATH=$rf/deploy/systemd/secretsync-restart@.path
RESTART_UNIT=$rf/deploy/systemd/secretsync-restart@.service
TMPFILES=$rf/deploy/restart/secretsync-restart.tmpfiles
for u in "$AGENT_UNIT" "$RESTART_PATH" "$RESTART_UNIT"; do map_paths <"$u" >"$T/units/${u##*/}"; done
install -D -m 755 /bin/true "$ROOT/usr/local/bin/secretsync-agent"
install -D -m 755 /bin/true "$ROOT/usr/local/lib/secretsync/secretsync-restart"
systemd-analyze verify --man=no "$T/units/secretsync-agent.service" "$T/units/secretsync-restart@.path" \
  "$T/units/secretsync-restart@.service" >"$T/verify-agent.out" 2>&1
verify_rc=$?
cat "$T/verify-agent.out"
check "systemd-analyze verify accepts the agent unit and the restart path and service" [ "$verify_rc" -eq 0 ]
check "systemd-analyze verify prints no warning for them" [ ! -s "$T/verify-agent.out" ]
# 1c. The hub's unit (docs/hub.md): verified, hardened, nothing writable.
HUB_UNIT=$rf/deploy/systemd/secretsync-hub.service
map_paths <"$HUB_UNIT" >"$T/units/secretsync-hub.service"
install -D -m 755 /bin/true "$ROOT/usr/local/bin/secretsync-hub"
systemd-analyze verify --man=no "$T/units/secretsync-hub.service" >"$T/verify-hub.out" 2>&1
verify_rc=$?
cat "$T/verify-hub.out"
check "systemd-analyze verify accepts the hub unit" [ "$verify_rc" -eq 0 ]
check "systemd-analyze verify prints no warning for it" [ ! -s "$T/verify-hub.out" ]
for setting in "NoNewPrivileges=yes" "ProtectSystem=strict" "CapabilityBoundingSet=" \
  "PrivateTmp=yes" "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" "User=secretsync-hub"; do
  check "the hub unit sets $setting" grep -qx "$setting" "$HUB_UNIT"
done
check "the hub unit has no writable path" bash -c "! grep -qE '^(ReadWritePaths|StateDirectory)=' '$HUB_UNIT'"
agent_exec=$(unit_values "$AGENT_UNIT" ExecStart)
agent_flag() { printf '%s\n' "$agent_exec" | tr ' ' '\n' | sed -n "s/^--$1=//p"; }
check "the agent loads the Infisical credentials from the files the sync unit loads" \
  [ "$(unit_values "$AGENT_UNIT" LoadCredential | sort)" = "$(unit_values "$UNIT" LoadCredential | sort)" ]
for flag in tls_cert_file tls_key_file client_ca_file token_file allowed_sans_file; do
  check "--$flag is read in place from /etc/secretsync/agent/ (a reload re-reads it)" \
    bash -c "[[ '$(agent_flag $flag)' == /etc/secretsync/agent/?* ]]"
done
check "the agent copies nothing from /etc/secretsync/agent/ with LoadCredential= (stale after a reload)" \
  bash -c "! grep -qE '^LoadCredential[A-Za-z]*=[^:]*:/etc/secretsync/agent/' '$AGENT_UNIT'"
check "the agent's ExecStart= reads nothing from \$CREDENTIALS_DIRECTORY" \
  bash -c "! grep -q 'CREDENTIALS_DIRECTORY' <<<'$agent_exec'"
check "systemctl reload sends SIGHUP" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$AGENT_UNIT"
check "the agent serves the example deployment's config" \
  [ "$(agent_flag deployment_configs)" = /etc/secretsync/glitchtip.textproto ]
# The config both the timer and the agent read names one token cache and one
# output: in the agent's namespace those must be writable, and its own.
cache_dir=$(dirname "$(sed -n 's/^ *token_cache_file: "\(.*\)"/\1/p' "$EXAMPLE/secretsync.textproto")")
output_dir=$(dirname "$(sed -n 's/^output_path: "\(.*\)"/\1/p' "$EXAMPLE/secretsync.textproto")")
agent_state=/var/lib/$(unit_values "$AGENT_UNIT" StateDirectory)
check "the agent has its own state folder, 0700" \
  bash -c "[ '$agent_state' != /var/lib/ ] && [ '$agent_state' != /var/lib/secretsync ] && [ '$(unit_values "$AGENT_UNIT" StateDirectoryMode)' = 0700 ]"
check "the config's token cache folder ($cache_dir) is the agent's state folder in its namespace" \
  bash -c "[ '$cache_dir' = '$agent_state' ] || grep -qx 'BindPaths=$agent_state:$cache_dir' '$AGENT_UNIT'"
agent_rw=$(unit_values "$AGENT_UNIT" ReadWritePaths | tr ' ' '\n')
check "the agent may write the config's output folder ($output_dir)" grep -qx -- "$output_dir" <<<"$agent_rw"
# The restart request folder: one path in the agent's unit, the path unit,
# the root service and tmpfiles.d, and the tmpfiles line gives the agent's group.
request_dir=$(unit_values "$RESTART_PATH" PathExistsGlob)
check "the path unit watches *.req in /run/secretsync/restart/<deployment>" \
  [ "$request_dir" = "/run/secretsync/restart/$INSTANCE/*.req" ]
request_dir=${request_dir%/*.req}
check "the agent may write the request folder" grep -qx -- "$request_dir" <<<"$agent_rw"
check "the root service may remove requests, and write nothing else" \
  [ "$(unit_values "$RESTART_UNIT" ReadWritePaths)" = "$request_dir" ]
check "tmpfiles.d makes the request folder root:<agent group> 0770" \
  grep -qx "d $request_dir 0770 root $(unit_values "$AGENT_UNIT" Group) -" "$TMPFILES"
check "the root service runs the restart script for its instance" \
  [ "$(unit_values "$RESTART_UNIT" ExecStart)" = "/usr/local/lib/secretsync/secretsync-restart $INSTANCE" ]
check "the sync unit may drop a request too (same config), when the folder exists" \
  grep -qx -- "-$request_dir" <(unit_values "$UNIT" ReadWritePaths | tr ' ' '\n')
for u in "$AGENT_UNIT" "$RESTART_UNIT"; do
  check "${u##*/} keeps no capability it does not need" \
    bash -c "grep -qE '^CapabilityBoundingSet=(CAP_DAC_READ_SEARCH)?\$' '$u' && grep -qx 'NoNewPrivileges=yes' '$u' && grep -qx 'ProtectSystem=strict' '$u'"
done

# 2. What the runbook lays out: config, template, credentials, deployment folder.
mkdir -p "$ROOT/etc/secretsync" "$ROOT/opt/glitchtip"
map_paths <"$EXAMPLE/secretsync.textproto" |
  sed "s#site_url: \"https://app.infisical.com\"#site_url: \"$URL\"#" >"$ROOT/etc/secretsync/glitchtip.textproto"
check "the config points at the dev server" grep -q "site_url: \"$URL\"" "$ROOT/etc/secretsync/glitchtip.textproto"
cp "$EXAMPLE/.env.template" "$ROOT/etc/secretsync/glitchtip.env.template"
install -d -m 700 "$ROOT/etc/secretsync/credentials/glitchtip"
(umask 077
 printf 'deploy-client-id\n' >"$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-id"
 printf 'canary-client-secret-deploy-7d3a\n' >"$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-secret")
install_fake_docker
all=$T/all-output.txt
: >"$all"

# 3. The timer fires: first sync.
snapshot_root "$T/before"
run_unit "$UNIT" glitchtip
cat "$T/unit.out" "$T/unit.err" | tee -a "$all"
snapshot_root "$T/after"
env_file=$ROOT/opt/glitchtip/.env
check "the unit's ExecStart= exits 0" [ "$unit_rc" -eq 0 ]
check ".env is written" [ -f "$env_file" ]
check ".env is mode 600" [ "$(stat -c %a "$env_file")" = 600 ]
check ".env holds the rendered password" grep -qx "POSTGRES_PASSWORD='canary+pw/deploy=0123456789abcdef'" "$env_file"
check "StateDirectory= made /var/lib/secretsync 0700" [ "$(stat -c %a "$ROOT/var/lib/secretsync")" = 700 ]
check "the token is cached in the state folder, 0600" [ "$(stat -c %a "$ROOT/var/lib/secretsync/glitchtip.token")" = 600 ]
check "docker compose ran once in /opt/glitchtip" [ "$(grep -c "^$ROOT/opt/glitchtip|compose up -d --no-deps " "$T/docker.log")" -eq 1 ]
services=$(sed -n 's/.*--no-deps //p' "$T/docker.log" | tr ' ' '\n' | sort | paste -sd' ')
check "docker compose restarts web, worker and migrate, not postgres (got: $services)" [ "$services" = "migrate web worker" ]
outside=$(writes_outside "$T/before" "$T/after" opt/glitchtip var/lib/secretsync)
check "writes stay in ReadWritePaths= and StateDirectory= (outside: ${outside:-none})" [ -z "$outside" ]

# 4. Next firing: nothing changed, nothing restarted.
run_unit "$UNIT" glitchtip
cat "$T/unit.out" "$T/unit.err" >>"$all"
check "an unchanged run exits 0" [ "$unit_rc" -eq 0 ]
check "an unchanged run says up to date" grep -q "is up to date" "$T/unit.out"
check "an unchanged run restarts nothing" [ "$(wc -l <"$T/docker.log")" -eq 1 ]

# 5. Infisical down: 75, which the unit counts as success; .env untouched.
cp "$env_file" "$T/good.env"
rm -f "$ROOT/var/lib/secretsync/glitchtip.token"
fault '{"mode":"status","status":503,"count":100}'
run_unit "$UNIT" glitchtip
cat "$T/unit.out" "$T/unit.err" >>"$all"
clear_faults
check "Infisical unavailable: exit 75 (got $unit_rc)" [ "$unit_rc" -eq 75 ]
check "systemd counts that exit as success" unit_success "$UNIT" "$unit_rc"
check "the journal line names the code" grep -q "sync.failed code=75" "$T/unit.err"
check ".env is unchanged" cmp -s "$T/good.env" "$env_file"

# 6. A missing credential file: systemd itself fails the unit (as
# LoadCredential= does), never a half-configured run.
mv "$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-id" "$T/id.saved"
run_unit "$UNIT" glitchtip
check "a missing client id file fails the unit" [ "$unit_rc" -ne 0 ]
mv "$T/id.saved" "$ROOT/etc/secretsync/credentials/glitchtip/infisical-client-id"

for canary in canary-secret-key-deploy canary+pw canary%2Bpw canary-mail-deploy canary-client-secret-deploy; do
  check "no output contains $canary" bash -c "! grep -qF -- '$canary' '$all'"
done
finish
