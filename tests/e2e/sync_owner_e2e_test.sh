#!/usr/bin/env bash
# Who owns what (docs/sync.md): the deployment folder belongs to the agent's
# user (config `owner: "nobody"`); the root timer syncs first, then the same
# binary run as that unprivileged user syncs a change into the same folder.
# Both succeed, and every file root created there (lock, on-change marker and
# name list, .env, .env.bak) belongs to the folder's owner. Runs as root (CI
# does), switching users with setpriv.
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "FAIL this test switches users: run it as root (CI does)"; exit 1; }
id nobody >/dev/null 2>&1 || { echo "FAIL no user nobody"; exit 1; }
nogroup=$(id -gn nobody)
start_devserver "$rf/tests/testdata/e2e-seed.textproto"

# TEST_TMPDIR and the bazel output tree may not be reachable by nobody: a
# traversable scratch folder with a copy of the binary.
scratch=$(mktemp -d /tmp/secretsync-owner.XXXXXX)
trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; rm -rf "$scratch"' EXIT
chmod 755 "$scratch"
install -m 755 "$SYNC" "$scratch/sync"
work=$scratch/deploy
mkdir -m 755 "$work"
cp "$rf/deploy/examples/glitchtip/.env.template" "$work/"
cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" }
auth {
  universal_auth { client_id { env: "E2E_CLIENT_ID" } client_secret { env: "E2E_CLIENT_SECRET" } }
  token_cache_file: "token.cache"
}
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
owner: "nobody"
backup: true
on_change {
  command: ["/bin/sh", "-c", "echo \"\$SECRETSYNC_CHANGED\" >> ran.log; id -un > ran-as.txt"]
  timeout_seconds: 10
}
secrets { name: "SECRET_KEY" rotation { restart_services: ["web"] } }
CONF
touch "$work/ran.log"  # the command's own file, appended to by both users
chown nobody "$work" "$work/config.textproto" "$work/.env.template" "$work/ran.log"
export E2E_CLIENT_ID=e2e-client-id E2E_CLIENT_SECRET=canary-client-secret-e2e-4f2b
as_root() { (cd "$work" && "$scratch/sync" --config=config.textproto) >"$T/out" 2>"$T/err"; rc=$?; cat "$T/out" "$T/err" >>"$T/all"; }
as_nobody() {
  (cd "$work" && setpriv --reuid=nobody --regid="$nogroup" --clear-groups \
    "$scratch/sync" --config=config.textproto) >"$T/out" 2>"$T/err"; rc=$?
  cat "$T/out" "$T/err" >>"$T/all"
}
owned_by_nobody() { [ "$(stat -c %U "$1")" = nobody ]; }

as_root
check "root's first sync succeeds (rc $rc: $(tail -n1 "$T/err"))" [ "$rc" -eq 0 ]
for f in .env .env.lock .env.lock.changed; do
  check "root's sync gives $f to the folder's owner" owned_by_nobody "$work/$f"
done
check ".env is mode 600" [ "$(stat -c %a "$work/.env")" = 600 ]
# The command's own new files: root's run drops to the configured owner, so
# the owner's later runs can replace them (M-review.sh's on-change does this).
check "root's run executes the on-change command as the configured owner" \
  bash -c "[ \"\$(cat '$work/ran-as.txt')\" = nobody ] && [ \"\$(stat -c %U '$work/ran-as.txt')\" = nobody ]"

# root's rotate leaves its state folder 0700: the owner's sync cannot look
# for a journal in it, and relies on Infisical's <NAME>__PENDING instead.
install -d -m 700 "$work/.secretsync-rotate"
set_secret SECRET_KEY "canary-owner-e2e-v2-0f3c"
as_nobody
check "then the folder owner's sync of a change succeeds (rc $rc: $(tail -n1 "$T/err"))" [ "$rc" -eq 0 ]
check "... writes the new value" grep -q "canary-owner-e2e-v2-0f3c" "$work/.env"
check "... and runs the command" [ "$(tail -n1 "$work/ran.log" 2>/dev/null)" = SECRET_KEY ]
check "... leaving .env its own" owned_by_nobody "$work/.env"

set_secret SECRET_KEY "canary-owner-e2e-v3-9b2d"
as_root
check "root syncs the next change after it (rc $rc: $(tail -n1 "$T/err"))" [ "$rc" -eq 0 ]
for f in .env .env.bak .env.lock; do
  check "... and $f still belongs to the folder's owner" owned_by_nobody "$work/$f"
done

# A lock file left root-only by an older version: root's next run hands it
# over, and the folder owner can lock it from then on (read-only suffices).
chown root:root "$work/.env.lock"; chmod 600 "$work/.env.lock"
as_root
check "root's run hands an old root-only lock file to the owner" owned_by_nobody "$work/.env.lock"
chmod 400 "$work/.env.lock"
set_secret SECRET_KEY "canary-owner-e2e-v4-6a1e"
as_nobody
check "the owner locks a lock file it can only read (rc $rc: $(tail -n1 "$T/err"))" [ "$rc" -eq 0 ]

# An unchanged .env that root took over: the owner replaces it (rename in its
# folder) instead of failing on an fchown it may not do.
chown root:root "$work/.env"; chmod 644 "$work/.env"
as_nobody
check "the owner takes back an unchanged root-owned .env (rc $rc: $(tail -n1 "$T/err"))" [ "$rc" -eq 0 ]
check "... owned by it again" owned_by_nobody "$work/.env"
check "... mode 600" [ "$(stat -c %a "$work/.env")" = 600 ]

# The pending on-change marker is the owner's too (written before the command).
set_secret SECRET_KEY "canary-owner-e2e-v5-2c7b"
SECRETSYNC_TEST_FAILPOINT=after:on_change_started as_root
check "root's run killed during on-change leaves a marker the owner owns" owned_by_nobody "$work/.env.lock.onchange-failed"
as_nobody
check "the owner's next run retries the command and clears it (rc $rc)" \
  bash -c "[ $rc -eq 0 ] && [ ! -e '$work/.env.lock.onchange-failed' ]"

check "no value in any output" bash -c "! grep -q canary '$T/all'"
finish
