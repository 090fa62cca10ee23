#!/usr/bin/env bash
# sync_bench: whole-process wall time of `sync` (opt build) against the dev
# server on loopback, seeded by this script with the GlitchTip project
# (deploy/examples/glitchtip: its .env.template and its secrets{} specs).
#
#   a. warm sync (token cache present, .env already up to date: the cron
#      case) vs one bare `curl -s` GET of the same list endpoint with the
#      same bearer token.                          Goal: sync <= 1.2x curl.
#   b. cold sync (no token cache, a secret changed so it writes the .env), and
#      b2. sync as cron runs it (token cached from the last run, writes), vs
#      the shell job operators run today: curl login + curl list + jq to
#      KEY=value + sed/envsubst over the template + install -m 600.
#                                                  Goal: sync >= 5x faster.
#   c. scaling: seeds of 100, 1,000 and 10,000 extra secrets. Two templates:
#      "all" references every secret (one line each) and "few" is the
#      GlitchTip template (3 references) while the list returns them all.
#      Warm sync (up to date) vs the bare curl of the same list, interleaved;
#      client-side time = median(sync) - median(curl); peak RSS of sync with
#      /usr/bin/time -f %M.     Goals: sync <= 1.3x curl at 1,000;
#                                                at 10,000 client-side <= 50 ms,
#                                                peak RSS <= 40 MB.
#
# Runs are interleaved (A,B,B,A,...), timed with bash's $EPOCHREALTIME; see
# tests/bench/bench_lib.sh. Untimed setup (deleting the token cache, changing
# a secret through the API) happens between runs, outside the interval.
#
# Run on demand (not part of `bazel test`); it reports and always exits 0:
#   bash tests/bench/sync_bench.sh
#   RUNS=30 RUNS_SCALE=15 SIZES="100 1000 10000" bash tests/bench/sync_bench.sh
# It builds first: bazel build --config=opt //tools:keygen //tools:sync //tools:devserver
# (binaries copied from `bazel info --config=opt bazel-bin`/tools), starts
# devserver --listen 127.0.0.1:0 (a free port), stops it on exit, and writes
# only under a mktemp -d folder, removed on exit. Secret values, tokens and
# client secrets are never printed (they live in 0600 files in that folder).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

RUNS=${RUNS:-30}
RUNS_SCALE=${RUNS_SCALE:-15}
SIZES=${SIZES:-100 1000 10000}
for n in "$RUNS" "$RUNS_SCALE"; do
  [ "$n" -ge 1 ] && [ "$n" -le 1000 ] || { echo "RUNS and RUNS_SCALE must be 1..1000" >&2; exit 64; }
done
for n in $SIZES; do
  [ "$n" -ge 0 ] && [ "$n" -le 100000 ] || { echo "SIZES must be 0..100000" >&2; exit 64; }
done

EXAMPLE=$BENCH_REPO/deploy/examples/glitchtip
work=$(mktemp -d -t sync-bench.XXXXXX)
SERVER_PID=  # set by bench_start_devserver
export SERVER_PID
cleanup() { bench_stop_devserver; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_build "$work"
echo "sync_bench: $(bench_load) at start; binaries from bazel-bin (--config=opt)"

# write_config DIR TEMPLATE_FILE: the GlitchTip example's deployment config
# pointed at the dev server and at DIR (no on_change command: nothing to
# restart here), with the example's secrets{} specs (validators) and backup.
write_config() {
  local dir=$1
  cp "$2" "$dir/.env.template"
  (umask 077; cp "$work/client-secret" "$dir/client-secret")
  {
    cat <<CONF
infisical { site_url: "$URL" request_timeout_ms: 30000 max_retries: 0 }
auth {
  universal_auth {
    client_id { env: "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID" }
    client_secret { file: "client-secret" }
  }
  token_cache_file: "token.cache"
}
project_slug: "glitchtip"
environment: "prod"
secret_path: "/"
template_path: ".env.template"
output_path: ".env"
file_mode: "0600"
backup: true
CONF
    # The example's secret specs: from the first `secrets {` to the end.
    sed -n '/^secrets {/,$p' "$EXAMPLE/secretsync.textproto"
  } >"$dir/config.textproto"
}
export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=$BENCH_CLIENT_ID

# start_server N: seed with GlitchTip + N extra secrets, start, log in;
# writes $work/auth.hdr ("Authorization: Bearer ...", 0600) for curl -H @file.
start_server() {
  bench_stop_devserver
  bench_write_seed "$work/seed.textproto" "$work/client-secret" "$1"
  bench_start_devserver "$work/seed.textproto" "$work"
  bench_login "$work/client-secret" "$work/token"
  (umask 077; printf 'Authorization: Bearer %s\n' "$(cat "$work/token")" >"$work/auth.hdr")
  LIST_URL=$(bench_list_url)
  local count
  count=$(curl -sf -H @"$work/auth.hdr" "$LIST_URL" | jq '.secrets | length')
  echo "  dev server $URL seeded with glitchtip/prod: $count secrets"
}

run_curl() { curl -s -H @"$work/auth.hdr" -o /dev/null "$LIST_URL"; }

# check_sync DIR: one sync that must succeed (shows the error, never values).
check_sync() {
  if ! "$SYNC" --config="$1/config.textproto" >"$work/check.out" 2>"$work/check.err"; then
    echo "bench: sync in $1 failed:" >&2
    head -n 5 "$work/check.err" >&2
    exit 1
  fi
}

# ---------------------------------------------------------------- a and b
start_server 0
LOGIN_URL=$URL/api/v1/auth/universal-auth/login

warm=$work/warm
mkdir -p "$warm"
write_config "$warm" "$EXAMPLE/.env.template"
check_sync "$warm"   # first sync: logs in, fills the token cache, writes .env
check_sync "$warm"
grep -q "up to date" "$work/check.out" || echo "bench: the warm sync was not up to date" >&2
run_warm_sync() { "$SYNC" --config="$warm/config.textproto"; }

echo
echo "a. warm sync (token cached, .env up to date) vs one curl GET of the list"
echo "   $(bench_load); $RUNS interleaved runs each, 3 warm-up"
bench_interleave "$RUNS" 3 "$work" "curl -s GET list" run_curl "sync (warm, up to date)" run_warm_sync
bench_table "$work" "curl -s GET list" "curl -s GET list" "sync (warm, up to date)"
ratio_a=$(bench_ratio "$(bench_median_ms "$work/sync (warm, up to date).us")" \
  "$(bench_median_ms "$work/curl -s GET list.us")")
bench_goal "a. warm sync / curl" "$ratio_a" "<=" 1.2

# b. cold sync vs the operators' shell job.
cold=$work/cold
mkdir -p "$cold"
write_config "$cold" "$EXAMPLE/.env.template"
check_sync "$cold"
shell=$work/shell
mkdir -p "$shell"
cp "$EXAMPLE/.env.template" "$shell/.env.template"
(umask 077; cp "$work/client-secret" "$shell/client-secret")
# What operators run from cron today (values never echoed).
cat >"$shell/fetch-env.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"
token=$(curl -sf -X POST "$LOGIN_URL" -H 'Content-Type: application/json' \
  -d "{\"clientId\":\"$INFISICAL_UNIVERSAL_AUTH_CLIENT_ID\",\"clientSecret\":\"$(cat client-secret)\"}" |
  jq -r .accessToken)
json=$(curl -sf -H "Authorization: Bearer $token" "$LIST_URL")
eval "$(jq -r '.secrets[] | "export \(.secretKey)=\(.secretValue | @sh)",
                            "export \(.secretKey)__URLENCODED=\(.secretValue | @uri | @sh)"' <<<"$json")"
sed 's/\${\([A-Z0-9_]*\) | urlencode}/${\1__URLENCODED}/g' .env.template | envsubst >.env.tmp
install -m 600 .env.tmp .env
rm -f .env.tmp
SH
export LOGIN_URL LIST_URL
bash "$shell/fetch-env.sh" || echo "bench: the shell baseline failed" >&2
# Same variable names in both outputs (names compared, values not shown).
if ! diff <(grep -o '^[A-Z_]*=' "$shell/.env") <(grep -o '^[A-Z_]*=' "$cold/.env") >/dev/null; then
  echo "bench: the shell baseline and sync wrote different variable names" >&2
fi

# change_secret: a new SECRET_KEY through the API (untimed setup).
change_secret() {
  local body
  body=$(jq -nc --arg v "$(openssl rand -hex 32)" \
    '{workspaceId:"'"$BENCH_PROJECT_ID"'",environment:"prod",secretPath:"/",secretValue:$v}')
  curl -sf -o /dev/null -X PATCH "$URL/api/v3/secrets/raw/SECRET_KEY" -H @"$work/auth.hdr" \
    -H 'Content-Type: application/json' --data-binary @- <<<"$body"
}
run_cold_sync_setup() { rm -f "$cold/token.cache"; change_secret; }
run_cold_sync() { "$SYNC" --config="$cold/config.textproto"; }
run_shell_setup() { change_secret; }
run_shell() { bash "$shell/fetch-env.sh"; }

echo
echo "b. cold sync (login, list, write) vs shell job (curl login + curl list + jq + sed/envsubst + install)"
echo "   $(bench_load); $RUNS interleaved runs each, 3 warm-up"
bench_interleave "$RUNS" 3 "$work" "shell: curl+jq+envsubst+install" run_shell \
  "sync (cold: login + write)" run_cold_sync
bench_table "$work" "shell: curl+jq+envsubst+install" "shell: curl+jq+envsubst+install" \
  "sync (cold: login + write)"
speedup_b=$(bench_ratio "$(bench_median_ms "$work/shell: curl+jq+envsubst+install.us")" \
  "$(bench_median_ms "$work/sync (cold: login + write).us")")
bench_goal "b. shell / cold sync speed-up" "$speedup_b" ">=" 5

# b2. The same shell job vs sync as cron runs it: the token cached by the
# previous run (the shell job logs in every time; sync's cache saves that round
# trip), a secret changed, so sync logs nothing in but writes the .env.
run_cached_sync_setup() { change_secret; }
run_cached_sync() { "$SYNC" --config="$cold/config.textproto"; }
"$SYNC" --config="$cold/config.textproto" >/dev/null 2>&1 || true  # fills the token cache
echo
echo "b2. sync as cron runs it (token cached, a secret changed: it writes) vs the same shell job"
echo "   $(bench_load); $RUNS interleaved runs each, 3 warm-up"
bench_interleave "$RUNS" 3 "$work" "shell: curl+jq+envsubst+install" run_shell \
  "sync (token cached, writes)" run_cached_sync
bench_table "$work" "shell: curl+jq+envsubst+install" "shell: curl+jq+envsubst+install" \
  "sync (token cached, writes)"
speedup_b2=$(bench_ratio "$(bench_median_ms "$work/shell: curl+jq+envsubst+install.us")" \
  "$(bench_median_ms "$work/sync (token cached, writes).us")")
bench_goal "b2. shell / cron-style sync speed-up" "$speedup_b2" ">=" 5

# ---------------------------------------------------------------- c
# rss_kb CMD...: peak RSS (KB) of one run, by GNU time.
rss_kb() {
  /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$work/rss"
}
# median_of N...: the median of integers.
median_of() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo
echo "c. scaling: warm sync (up to date) vs bare curl of the same list; $RUNS_SCALE interleaved runs each"
echo "   template \"all\": one line per secret; \"few\": the GlitchTip template (3 references)"
summary=$work/summary
: >"$summary"
for n in $SIZES; do
  start_server "$n"
  for mode in all few; do
    d=$work/scale-$n-$mode
    mkdir -p "$d"
    if [ "$mode" = all ]; then
      { cat "$EXAMPLE/.env.template"
        seq -f '%05g' 1 "$n" | awk '{ printf "BENCH_%s=${BENCH_%s}\n", $1, $1 }'; } >"$work/template-all"
      write_config "$d" "$work/template-all"
    else
      write_config "$d" "$EXAMPLE/.env.template"
    fi
    check_sync "$d"
    check_sync "$d"
  done
  SCALE_N=$n  # (bench_interleave has a local n)
  run_all() { "$SYNC" --config="$work/scale-$SCALE_N-all/config.textproto"; }
  run_few() { "$SYNC" --config="$work/scale-$SCALE_N-few/config.textproto"; }
  echo
  echo "   N = $n extra secrets ($(bench_load))"
  bench_interleave "$RUNS_SCALE" 2 "$work" "curl GET list N=$n" run_curl \
    "sync all N=$n" run_all "sync few N=$n" run_few
  bench_table "$work" "curl GET list N=$n" "curl GET list N=$n" "sync all N=$n" "sync few N=$n"
  rss_all=() rss_few=() rss_curl=()
  for _ in 1 2 3 4 5; do
    rss_all+=("$(rss_kb "$SYNC" --config="$work/scale-$n-all/config.textproto")")
    rss_few+=("$(rss_kb "$SYNC" --config="$work/scale-$n-few/config.textproto")")
    rss_curl+=("$(rss_kb curl -s -H @"$work/auth.hdr" -o /dev/null "$LIST_URL")")
  done
  c=$(bench_median_ms "$work/curl GET list N=$n.us")
  a=$(bench_median_ms "$work/sync all N=$n.us")
  f=$(bench_median_ms "$work/sync few N=$n.us")
  bytes=$(curl -s -H @"$work/auth.hdr" "$LIST_URL" | wc -c)
  echo "$n $bytes $c $a $f $(median_of "${rss_all[@]}") $(median_of "${rss_few[@]}") $(median_of "${rss_curl[@]}")" >>"$summary"
done
bench_stop_devserver

echo
echo "c. summary (medians; client-side = sync - curl; RSS = median of 5 peak RSS)"
printf '  %7s %9s %9s %10s %10s %12s %12s %9s %9s %9s\n' N "reply KB" "curl ms" "sync all" "sync few" \
  "client all" "client few" "RSS all" "RSS few" "RSS curl"
while read -r n bytes c a f ra rf rc; do
  printf '  %7d %9.0f %9.2f %10.2f %10.2f %12.2f %12.2f %7.1fMB %7.1fMB %7.1fMB\n' "$n" \
    "$(awk -v b="$bytes" 'BEGIN { print b / 1024 }')" "$c" "$a" "$f" \
    "$(awk -v a="$a" -v c="$c" 'BEGIN { print a - c }')" "$(awk -v a="$f" -v c="$c" 'BEGIN { print a - c }')" \
    "$(awk -v k="$ra" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rf" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="$rc" 'BEGIN { print k / 1024 }')"
done <"$summary"
echo
# Issue N's goals: sync / curl <= 1.3 at 1,000 secrets, <= 50 ms client-side
# at 10,000 (the largest size run).
while read -r n _ c a f _; do
  [ "$n" -eq 1000 ] || continue
  bench_goal "c. sync / curl at N=1000, template all" "$(bench_ratio "$a" "$c")" "<=" 1.3
  bench_goal "c. sync / curl at N=1000, template few" "$(bench_ratio "$f" "$c")" "<=" 1.3
done <"$summary"
last=$(tail -n 1 "$summary")
if [ -n "$last" ]; then
  read -r n _ c a f ra rf _ <<<"$last"
  bench_goal "c. client-side ms at N=$n, template all" "$(awk -v a="$a" -v c="$c" 'BEGIN { printf "%.1f", a - c }')" "<=" 50
  bench_goal "c. client-side ms at N=$n, template few" "$(awk -v a="$f" -v c="$c" 'BEGIN { printf "%.1f", a - c }')" "<=" 50
  bench_goal "c. peak RSS MB at N=$n, template all" "$(awk -v k="$ra" 'BEGIN { printf "%.1f", k / 1024 }')" "<=" 40
  bench_goal "c. peak RSS MB at N=$n, template few" "$(awk -v k="$rf" 'BEGIN { printf "%.1f", k / 1024 }')" "<=" 40
fi

echo
echo "$(bench_load) at the end"
echo "reproduce: RUNS=$RUNS RUNS_SCALE=$RUNS_SCALE SIZES=\"$SIZES\" bash tests/bench/sync_bench.sh"
exit 0
