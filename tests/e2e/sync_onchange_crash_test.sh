#!/usr/bin/env bash
# A sync killed while its on-change command is pending or running loses no
# restart: the next plain run, with nothing changed in Infisical, runs the
# command again with the earlier names and services and then forgets it. The
# real sync binary against the real dev server, killed with SIGKILL (by the
# test failpoint, then by the test itself while the command runs).
source "$(dirname "$0")/lib.sh"

start_devserver "$rf/tests/testdata/e2e-seed.textproto"
work=$T/deploy
mkdir -p "$work"
cp "$rf/deploy/examples/glitchtip/.env.template" "$work/"
cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" }
auth {
  universal_auth { client_id { env: "E2E_CLIENT_ID" } client_secret { env: "E2E_CLIENT_SECRET" } }
}
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
on_change {
  command: ["/bin/sh", "-c", "if [ -e $work/hang ]; then touch $work/started; while [ -e $work/hang ]; do sleep 0.05; done; exit 1; fi; echo \"\$SECRETSYNC_CHANGED|\$SECRETSYNC_SERVICES\" >> $work/ran.log"]
  timeout_seconds: 60
}
secrets { name: "SECRET_KEY" rotation { restart_services: ["web"] } }
secrets { name: "POSTGRES_PASSWORD" rotation { restart_services: ["web", "worker"] } }
CONF
export E2E_CLIENT_ID=e2e-client-id E2E_CLIENT_SECRET=canary-client-secret-e2e-4f2b
marker=$work/.env.lock.onchange-failed
runs() { [ -e "$work/ran.log" ] && wc -l <"$work/ran.log" || echo 0; }
sync_plain() { "$SYNC" --config="$work/config.textproto" >>"$T/sync.out" 2>>"$T/sync.err"; }

sync_plain
check "first sync runs the command once" [ "$(runs)" -eq 1 ]
check "... and leaves no pending marker" [ ! -e "$marker" ]

# 1. Killed by the failpoint: after the marker is written, before the command.
set_secret SECRET_KEY "canary-onchange-crash-v2-5d1e"
SECRETSYNC_TEST_FAILPOINT=after:on_change_started \
  "$SYNC" --config="$work/config.textproto" >>"$T/sync.out" 2>>"$T/sync.err"; rc=$?
check "failpoint: sync died by SIGKILL (137, got $rc)" [ "$rc" -eq 137 ]
check "failpoint: .env already holds the new value" grep -q "canary-onchange-crash-v2-5d1e" "$work/.env"
check "failpoint: the command did not run" [ "$(runs)" -eq 1 ]
check "failpoint: the pending marker survived the kill" [ -f "$marker" ]
sync_plain; rc=$?
check "failpoint: a plain re-run with nothing changed exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "failpoint: ... runs the command again" [ "$(runs)" -eq 2 ]
check "failpoint: ... with the earlier names and services" [ "$(tail -n1 "$work/ran.log")" = "SECRET_KEY|web" ]
check "failpoint: ... and clears the marker" [ ! -e "$marker" ]
sync_plain
check "failpoint: the run after that runs nothing" [ "$(runs)" -eq 2 ]

# 2. Killed for real while the command runs (docker compose up in production).
touch "$work/hang"
set_secret POSTGRES_PASSWORD "canary-onchange-crash-pw-77aa"
"$SYNC" --config="$work/config.textproto" >>"$T/sync.out" 2>>"$T/sync.err" &
pid=$!
for _ in $(seq 1 600); do [ -e "$work/started" ] && break; sleep 0.05; done
check "running: the command started" [ -e "$work/started" ]
check "running: the marker exists while the command runs" [ -f "$marker" ]
kill -KILL "$pid"; wait "$pid" 2>/dev/null
rm -f "$work/hang"  # the orphaned command ends (without restarting anything)
check "running: the killed run restarted nothing" [ "$(runs)" -eq 2 ]
sync_plain; rc=$?
check "running: a plain re-run exits 0 (got $rc)" [ "$rc" -eq 0 ]
last=$(tail -n1 "$work/ran.log")
echo "the re-run's command saw: $last"
check "running: ... runs the command with the earlier names" grep -q "POSTGRES_PASSWORD" <<<"${last%|*}"
check "running: ... and services" [ "${last#*|}" = "web worker" ]
check "running: ... and clears the marker" [ ! -e "$marker" ]

check "no value in sync's output" bash -c "! grep -q canary '$T/sync.out' '$T/sync.err'"
finish
