#!/usr/bin/env bash
# Crash safety: sync killed with SIGKILL at random moments, 200 times, while
# the secret flips between two values. The .env is always exactly the old or
# the new content with mode 600, and the next completed run leaves no temp file.
source "$(dirname "$0")/lib.sh"

runs=${CRASH_RUNS:-200}
start_devserver "$rf/tests/testdata/e2e-seed.textproto"
work=$T/deploy
mkdir -p "$work"
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
backup: true
CONF
export E2E_CLIENT_ID=e2e-client-id E2E_CLIENT_SECRET=canary-client-secret-e2e-4f2b
sync_once() { "$SYNC" --config="$work/config.textproto" --wait_lock=10s >/dev/null 2>>"$T/sync.err"; }
temp_files() { find "$work" -maxdepth 1 \( -name '*secretsync-tmp*' -o -name '*.tmp*' \) | tee -a "$T/leftovers.txt" | wc -l; }

# The two possible contents.
set_secret SECRET_KEY "canary-crash-value-A"; sync_once; cp "$work/.env" "$T/A.env"
set_secret SECRET_KEY "canary-crash-value-B"; sync_once; cp "$work/.env" "$T/B.env"
check "the two contents differ" bash -c "! cmp -s '$T/A.env' '$T/B.env'"

# Kill times spread over a whole run, however fast this machine (or sanitizer
# build) is: uniform over 0..120% of the median duration of a full sync.
durations=()
for _ in 1 2 3 4 5; do
  set_secret SECRET_KEY "canary-crash-value-A"
  t0=${EPOCHREALTIME/./}; sync_once; t1=${EPOCHREALTIME/./}
  durations+=($(( (10#$t1 - 10#$t0) / 1000 )))
done
run_ms=$(printf '%s\n' "${durations[@]}" | sort -n | sed -n 3p)
span_ms=$(( run_ms * 12 / 10 + 1 ))
echo "a full sync takes ${run_ms} ms here; killing at 0..${span_ms} ms"

bad_content=0 bad_mode=0 leftovers=0 killed_mid=0 saw_old=0 saw_new=0
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 0 ]; then old=B new=A; else old=A new=B; fi
  set_secret SECRET_KEY "canary-crash-value-$new"
  "$SYNC" --config="$work/config.textproto" --wait_lock=10s >/dev/null 2>&1 &
  pid=$!
  delay_ms=$((RANDOM % span_ms))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null && killed_mid=$((killed_mid + 1))
  wait "$pid" 2>/dev/null
  if cmp -s "$work/.env" "$T/$new.env"; then
    saw_new=$((saw_new + 1))
  elif cmp -s "$work/.env" "$T/$old.env"; then
    saw_old=$((saw_old + 1))
  else
    bad_content=$((bad_content + 1))
  fi
  [ "$(stat -c %a "$work/.env")" = 600 ] || bad_mode=$((bad_mode + 1))
  if [ $((i % 10)) -eq 0 ]; then  # a completed run cleans up after crashed ones
    sync_once
    [ "$(temp_files)" -eq 0 ] || leftovers=$((leftovers + 1))
  fi
done
echo "killed $killed_mid of $runs runs before they finished; .env old $saw_old times, new $saw_new times"
check "every .env was exactly the old or the new content" [ "$bad_content" -eq 0 ]
check "every .env was mode 600" [ "$bad_mode" -eq 0 ]
check "no temp file survived a completed run" [ "$leftovers" -eq 0 ]
check "the kills hit running syncs (at least a quarter)" [ "$killed_mid" -ge $((runs / 4)) ]
check "some killed runs left the old content" [ "$saw_old" -ge 1 ]
check "some runs got as far as the new content" [ "$saw_new" -ge 1 ]
sync_once
check "final sync leaves no temp file" [ "$(temp_files)" -eq 0 ]
check ".env.bak is mode 600" [ "$(stat -c %a "$work/.env.bak")" = 600 ]
check "no value in sync's stderr" bash -c "! grep -q canary '$T/sync.err'"
echo "leftover files:"; sort -u "$T/leftovers.txt" 2>/dev/null | sed "s|.*/||" | head
finish
