#!/usr/bin/env bash
# rotate benchmark (figures, not a test): 20 rotations of POSTGRES_PASSWORD
# (single user, libpq route, no on-change command) against the dev server and
# a throwaway PostgreSQL 15 on loopback, while a probe logs in every 10 ms
# with the password currently in the .env. Reports, as medians:
#  - the window between the ALTER ROLE (its server-log timestamp) and the new
#    .env in place (its mtime): the time a login with the .env password fails
#    (goal <= 50 ms);
#  - the failed probe logins per rotation;
#  - the whole rotation's wall time (goal <= 300 ms).
# Then 20 rotations with rotation.strategy ALTERNATING_USERS (two roles, the
# idle one rotated, POSTGRES_USER and POSTGRES_PASSWORD switched together; the
# superuser as postgres.admin): failed probe logins per rotation (goal 0) and
# the whole rotation's wall time.
# Usage: bash tests/bench/rotate_bench.sh [ROTATIONS]
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
n=${1:-20}
out=$(mktemp -d /tmp/secretsync-rotate-bench.XXXXXX)
ROLE=glitchtip_maintainer

bench_build_rotate "$out"

pgdir=$(mktemp -d /tmp/ss-rot-bench-XXXXXX)
probe_pid=""
cleanup() {
  # Only the probe: a bare `wait` would also wait for the dev server, forever.
  if [ -n "$probe_pid" ]; then kill "$probe_pid" 2>/dev/null; wait "$probe_pid" 2>/dev/null || true; fi
  bench_stop_devserver
  bench_stop_postgres "$pgdir"
  rm -rf "$pgdir"
}
trap cleanup EXIT

bench_write_seed "$out/seed.textproto" "$out/client-secret" 0
bench_start_devserver "$out/seed.textproto" "$out"
initial=$(sed -n 's/.*key: "POSTGRES_PASSWORD" value: "\([^"]*\)".*/\1/p' "$out/seed.textproto")

bench_start_postgres "$pgdir" "$ROLE" "$initial" "log_statement = 'all'
log_timezone = 'UTC'
log_line_prefix = '%m '"
port=$PGPORT

work=$out/deploy
mkdir -p "$work"
printf 'POSTGRES_PASSWORD=${POSTGRES_PASSWORD}\n' >"$work/.env.template"
cat >"$work/config.textproto" <<CONF
infisical { site_url: "$URL" }
auth { universal_auth { client_id { env: "BENCH_CLIENT_ID" } client_secret { file: "$out/client-secret" } }
       token_cache_file: "token.cache" }
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
secrets { name: "POSTGRES_PASSWORD" generator { kind: BASE64 bytes: 32 }
          rotation { postgres_role: "$ROLE" } }
postgres { host: "127.0.0.1" port: $port database: "glitchtip" }
CONF
export BENCH_CLIENT_ID
"$SYNC" --config="$work/config.textproto" >/dev/null 2>&1

# The probe: every 10 ms, a fresh login with the password in the .env.
probe() {
  while :; do
    local t pw user r
    t=$(bench_now_us)
    # user and password from one snapshot of the .env
    cp "$work/.env" "$out/probe.env"
    pw=$(env -i sh -c ". '$out/probe.env'; printf %s \"\$POSTGRES_PASSWORD\"")
    user=$(env -i sh -c ". '$out/probe.env'; printf %s \"\${POSTGRES_USER:-$ROLE}\"")
    if [ "$(PGPASSWORD=$pw psql "host=127.0.0.1 port=$port user=$user dbname=glitchtip connect_timeout=2" -XAtqc 'SELECT 1' 2>/dev/null)" = 1 ]; then r=ok; else r=fail; fi
    echo "$t $r" >>"$out/probe.txt"
    sleep 0.01
  done
}
probe &
probe_pid=$!
sleep 0.5

: >"$out/rotate.us"; : >"$out/window.us"; : >"$out/failed.txt"
rm -f "$out/rotate.fail"
for i in $(seq 1 "$n"); do
  t0=$(bench_now_us)
  "$ROTATE" --config="$work/config.textproto" --secret=POSTGRES_PASSWORD >>"$out/rotate.out" 2>>"$out/rotate.err" ||
    echo "$?" >>"$out/rotate.fail"
  t1=$(bench_now_us)
  echo $((t1 - t0)) >>"$out/rotate.us"
  mtime_us=$(( $(stat -c %.6Y "$work/.env" | tr -d .) ))
  alter=$(grep 'statement: ALTER ROLE' "$pgdir/server.log" | tail -n1 | cut -d' ' -f1-2)
  alter_us=$(( $(date -u -d "$alter" +%s%6N) ))
  echo $((mtime_us - alter_us)) >>"$out/window.us"
  sleep 0.3  # let the probe see the new .env before the next rotation
  fails=$(awk -v a="$t0" -v b="$(bench_now_us)" '$1 >= a && $1 <= b && $2 == "fail"' "$out/probe.txt" | wc -l)
  echo "$fails" >>"$out/failed.txt"
done
kill "$probe_pid"; wait "$probe_pid" 2>/dev/null || true; probe_pid=""

echo "rotate benchmark: $n rotations of POSTGRES_PASSWORD (single user, libpq, no on-change); $(bench_load)"
echo "probe: $(wc -l <"$out/probe.txt") logins, $(grep -c fail "$out/probe.txt" || true) failed"
printf '  %-44s %11s %11s %11s\n' figure "median ms" "min ms" "p90 ms"
printf '  %-44s %11s %11s %11s\n' "ALTER ROLE -> new .env in place (window)" $(bench_stat "$out/window.us")
printf '  %-44s %11s %11s %11s%s\n' "whole rotation (process wall time)" $(bench_stat "$out/rotate.us") "$(bench_failures "$out" rotate)"
failed_med=$(sort -n "$out/failed.txt" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "  failed probe logins per rotation: median $failed_med, max $(sort -n "$out/failed.txt" | tail -n1)"
bench_goal "window ms" "$(bench_median_ms "$out/window.us")" "<=" 50
bench_goal "rotation ms" "$(bench_median_ms "$out/rotate.us")" "<=" 300

# Alternating users: POSTGRES_USER created through rotate itself (an external
# secret from stdin), then the strategy switched.
export BENCH_PG_ADMIN
BENCH_PG_ADMIN=$(cat "$pgdir/pw")
sed -i 's|^postgres {.*|postgres { host: "127.0.0.1" port: '"$port"' database: "glitchtip" admin { user: "postgres" password { env: "BENCH_PG_ADMIN" } } }\nsecrets { name: "POSTGRES_USER" }\nrotation { strategy: ALTERNATING_USERS user_secret: "POSTGRES_USER" }|' \
  "$work/config.textproto"
printf '%s\n' "$ROLE" | "$ROTATE" --config="$work/config.textproto" --secret=POSTGRES_USER --value-file=- \
  >>"$out/rotate.out" 2>>"$out/rotate.err"
printf 'POSTGRES_USER=${POSTGRES_USER}\nPOSTGRES_PASSWORD=${POSTGRES_PASSWORD}\n' >"$work/.env.template"
"$SYNC" --config="$work/config.textproto" >/dev/null 2>&1
probe &
probe_pid=$!
sleep 0.5
: >"$out/alt.rotate.us"; : >"$out/alt.failed.txt"
rm -f "$out/alt.rotate.fail"
for i in $(seq 1 "$n"); do
  t0=$(bench_now_us)
  "$ROTATE" --config="$work/config.textproto" --secret=POSTGRES_PASSWORD >>"$out/rotate.out" 2>>"$out/rotate.err" ||
    echo "$?" >>"$out/alt.rotate.fail"
  t1=$(bench_now_us)
  echo $((t1 - t0)) >>"$out/alt.rotate.us"
  sleep 0.3
  fails=$(awk -v a="$t0" -v b="$(bench_now_us)" '$1 >= a && $1 <= b && $2 == "fail"' "$out/probe.txt" | wc -l)
  echo "$fails" >>"$out/alt.failed.txt"
done
kill "$probe_pid"; wait "$probe_pid" 2>/dev/null || true; probe_pid=""
echo "alternating users: $n rotations (admin login, no on-change)"
printf '  %-44s %11s %11s %11s%s\n' "whole rotation (process wall time)" $(bench_stat "$out/alt.rotate.us") "$(bench_failures "$out" alt.rotate)"
alt_failed=$(awk '{ s += $1 } END { print s + 0 }' "$out/alt.failed.txt")
echo "  failed probe logins: $alt_failed in all, max $(sort -n "$out/alt.failed.txt" | tail -n1) per rotation"
bench_goal "alternating failed logins" "$alt_failed" "<=" 0
bench_goal "alternating rotation ms" "$(bench_median_ms "$out/alt.rotate.us")" "<=" 300
leaked=0
for f in "$out/rotate.out" "$out/rotate.err"; do grep -qF -- "$initial" "$f" && leaked=1; done
echo "initial password in rotate's output: $([ "$leaked" = 0 ] && echo no || echo YES)"
echo "raw figures: $out"
