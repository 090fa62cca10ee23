# shellcheck shell=bash disable=SC2034
# Shared helpers for the benchmark scripts in tests/bench/ (sourced, not run).
#
# The benchmarks are run on demand, never by `bazel test`: they report
# figures, they do not gate. Each script builds the opt binaries itself with
#   bazel build --config=opt //tools:keygen //tools:sync //tools:devserver
# and runs bazel-bin/tools/{keygen,sync,devserver}.
#
# Timing: bench_interleave runs the commands in rounds, one run of each per
# round, A,B,A,B,... (the order is reversed every other round, A,B,B,A, so
# neither command always runs right after the other). Each run is timed with
# bash's $EPOCHREALTIME (a builtin: no fork of `date` inside the measured
# interval), so a figure is the whole-process wall time of the command as
# bash forks and execs it, plus the same ~0.1 ms of bash overhead for every
# command. Medians are reported; the ratio is median(X) / median(baseline)
# measured in the same interleaved run.

BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# bench_build DIR: builds the opt binaries and copies them into DIR/bin (so
# a concurrent rebuild by someone else cannot swap them mid-run); sets
# KEYGEN, SYNC, DEVSERVER. `bazel info --config=opt bazel-bin` is the opt
# output folder (the bazel-bin symlink follows whatever was built last).
# BENCH_CONFIG (default opt) names the Bazel config: tests/bench/run_all.sh
# sets "bench" (opt in its own output folder, bazel-bench-bin).
bench_build() {
  local cfg=${BENCH_CONFIG:-opt}
  (cd "$BENCH_REPO" && bazel build --config="$cfg" //tools:keygen //tools:sync //tools:devserver) \
    >"$1/build.log" 2>&1 || { tail -n 30 "$1/build.log" >&2; echo "bench: bazel build failed" >&2; exit 1; }
  local bin
  bin=$(cd "$BENCH_REPO" && bazel info --config="$cfg" bazel-bin 2>/dev/null)
  mkdir -p "$1/bin"
  cp "$bin/tools/keygen" "$bin/tools/sync" "$bin/tools/devserver" "$1/bin/"
  KEYGEN=$1/bin/keygen
  SYNC=$1/bin/sync
  DEVSERVER=$1/bin/devserver
}

# bench_now_us: wall clock in microseconds, without forking.
bench_now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }

# bench_load: "load 0.42 0.51 0.60 (2 cores)".
bench_load() {
  echo "load $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
}

# bench_interleave RUNS WARMUP OUTDIR NAME1 FN1 NAME2 FN2 [NAME3 FN3 ...]
# (NAMEi becomes a file name: no "/".)
# Runs each shell function FNi (no arguments, output discarded) WARMUP
# times, then RUNS times interleaved. Appends each run's microseconds to
# OUTDIR/NAMEi.us. A function may do untimed setup by defining
# FNi_setup (run before each timed run, outside the interval).
bench_interleave() {
  # Locals are prefixed: the timed functions see the caller's variables.
  local _bi_runs=$1 _bi_warmup=$2 _bi_out=$3
  shift 3
  local -a _bi_names=() _bi_fns=()
  while [ $# -gt 0 ]; do _bi_names+=("$1"); _bi_fns+=("$2"); shift 2; done
  local _bi_n=${#_bi_names[@]} _bi_i _bi_r _bi_k _bi_t0 _bi_t1 _bi_rc
  for ((_bi_i = 0; _bi_i < _bi_n; _bi_i++)); do
    : >"$_bi_out/${_bi_names[_bi_i]}.us"
    : >"$_bi_out/${_bi_names[_bi_i]}.fail"
  done
  for ((_bi_r = 0; _bi_r < _bi_warmup; _bi_r++)); do
    for ((_bi_i = 0; _bi_i < _bi_n; _bi_i++)); do
      if declare -F "${_bi_fns[_bi_i]}_setup" >/dev/null; then "${_bi_fns[_bi_i]}_setup"; fi
      "${_bi_fns[_bi_i]}" >/dev/null 2>&1 || true
    done
  done
  for ((_bi_r = 0; _bi_r < _bi_runs; _bi_r++)); do
    for ((_bi_k = 0; _bi_k < _bi_n; _bi_k++)); do
      # A,B,... on even rounds, ...,B,A on odd ones.
      if ((_bi_r % 2 == 0)); then _bi_i=$_bi_k; else _bi_i=$((_bi_n - 1 - _bi_k)); fi
      if declare -F "${_bi_fns[_bi_i]}_setup" >/dev/null; then "${_bi_fns[_bi_i]}_setup"; fi
      _bi_rc=0
      _bi_t0=${EPOCHREALTIME/./}
      "${_bi_fns[_bi_i]}" >/dev/null 2>&1 || _bi_rc=$?
      _bi_t1=${EPOCHREALTIME/./}
      echo $((10#$_bi_t1 - 10#$_bi_t0)) >>"$_bi_out/${_bi_names[_bi_i]}.us"
      if [ "$_bi_rc" -ne 0 ]; then echo "$_bi_rc" >>"$_bi_out/${_bi_names[_bi_i]}.fail"; fi
    done
  done
  # For tests/bench/run_all.sh's table: each call's figures as one group, the
  # first command being the baseline the others are compared with.
  if [ -n "${BENCH_RESULTS_DIR:-}" ]; then
    local _bi_g
    _bi_g=$BENCH_RESULTS_DIR/g$(printf '%03d' "$(find "$BENCH_RESULTS_DIR" -maxdepth 1 -type d -name 'g*' | wc -l)")
    mkdir -p "$_bi_g"
    for ((_bi_i = 0; _bi_i < _bi_n; _bi_i++)); do
      printf '%s\n' "${_bi_names[_bi_i]}" >>"$_bi_g/names"
      cp "$_bi_out/${_bi_names[_bi_i]}.us" "$_bi_g/$_bi_i.us"
      cp "$_bi_out/${_bi_names[_bi_i]}.fail" "$_bi_g/$_bi_i.fail"
    done
    printf '%s\n' "${BENCH_SCRIPT:-?}" >"$_bi_g/script"
  fi
}

# bench_failures OUTDIR NAME: "" or " (K runs failed: exit codes ...)".
bench_failures() {
  local f=$1/$2.fail
  if [ -s "$f" ]; then
    echo " ($(wc -l <"$f") runs FAILED, exit $(sort -u "$f" | tr '\n' ' ' | sed 's/ $//'))"
  fi
}

# bench_stat FILE: "median min p90" in ms (3 decimals) of a file of
# microsecond figures, one per line.
bench_stat() {
  sort -n "$1" | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan nan nan"; exit }
    med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    p90 = v[int(0.9 * (NR - 1)) + 1]
    printf "%.3f %.3f %.3f\n", med / 1000, v[1] / 1000, p90 / 1000 }'
}

# bench_median_ms FILE
bench_median_ms() { bench_stat "$1" | cut -d' ' -f1; }

# bench_table OUTDIR BASELINE_NAME NAME...: a table of runs, median, min,
# p90 and median/median(baseline).
bench_table() {
  local outdir=$1 base=$2
  shift 2
  local base_med name stats
  base_med=$(bench_median_ms "$outdir/$base.us")
  printf '  %-34s %5s %11s %11s %11s %9s\n' command runs "median ms" "min ms" "p90 ms" ratio
  for name in "$@"; do
    stats=$(bench_stat "$outdir/$name.us")
    # shellcheck disable=SC2086
    set -- $stats
    printf '  %-34s %5d %11s %11s %11s %8.2fx%s\n' "$name" "$(wc -l <"$outdir/$name.us")" \
      "$1" "$2" "$3" "$(awk -v a="$1" -v b="$base_med" 'BEGIN { print (b > 0) ? a / b : 0 }')" \
      "$(bench_failures "$outdir" "$name")"
  done
}

# bench_goal LABEL VALUE OP LIMIT: prints "goal LABEL: VALUE OP LIMIT: met"
# or "... MISSED". Never fails.
bench_goal() {
  local verdict
  verdict=$(awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN {
    ok = (op == "<=") ? (v <= l) : (v >= l); print ok ? "met" : "MISSED" }')
  printf 'goal %s: %s (goal %s %s): %s\n' "$1" "$2" "$3" "$4" "$verdict"
}

# bench_ratio A B: A / B with 2 decimals.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

# bench_start_devserver SEED LOGDIR: starts the dev server on a free loopback
# port; sets URL and SERVER_PID. The caller's EXIT trap must call
# bench_stop_devserver.
# bench_build_rotate DIR: builds rotate, sync and the dev server (opt, or
# BENCH_CONFIG), copies them to DIR/bin and sets ROTATE, SYNC and DEVSERVER.
bench_build_rotate() {
  local cfg=${BENCH_CONFIG:-opt} bin
  (cd "$BENCH_REPO" && bazel build --config="$cfg" //tools:rotate //tools:sync //tools:devserver) \
    >"$1/build.log" 2>&1 || { tail -n 30 "$1/build.log" >&2; exit 1; }
  bin=$(cd "$BENCH_REPO" && bazel info --config="$cfg" bazel-bin 2>/dev/null)
  mkdir -p "$1/bin" && cp "$bin/tools/rotate" "$bin/tools/sync" "$bin/tools/devserver" "$1/bin/"
  ROTATE=$1/bin/rotate SYNC=$1/bin/sync DEVSERVER=$1/bin/devserver
}
bench_start_devserver() {
  "$DEVSERVER" --listen 127.0.0.1:0 --seed "$1" >"$2/devserver.out" 2>"$2/devserver.log" &
  SERVER_PID=$!
  local i
  for ((i = 0; i < 400; i++)); do
    grep -q '^listening on ' "$2/devserver.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  URL=$(sed -n 's/^listening on //p' "$2/devserver.out" | head -n1)
  if [ -z "$URL" ]; then
    echo "bench: the dev server did not start:" >&2
    tail -n 5 "$2/devserver.log" >&2
    exit 1
  fi
}

bench_stop_devserver() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}

# The dev server identity the benches log in as (bench-only credentials).
BENCH_CLIENT_ID=bench-client-id
BENCH_PROJECT_ID=5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11

# bench_write_seed FILE SECRET_SECRET_FILE N_EXTRA: a DevSeed holding the
# GlitchTip project (glitchtip/prod: SECRET_KEY, POSTGRES_PASSWORD, EMAIL_URL)
# plus N_EXTRA secrets BENCH_00001..., all with random values, and the bench
# identity whose client secret is written to SECRET_SECRET_FILE (0600).
bench_write_seed() {
  local seed=$1 csfile=$2 extra=$3
  (umask 077; openssl rand -hex 24 >"$csfile")
  local cs pw
  cs=$(cat "$csfile")
  pw=$(openssl rand -base64 32)
  {
    echo "# generated by tests/bench: GlitchTip project + $extra extra secrets"
    echo "projects {"
    echo "  id: \"$BENCH_PROJECT_ID\" slug: \"glitchtip\" name: \"GlitchTip\""
    echo "  environments { slug: \"prod\" name: \"Production\" }"
    echo "  secrets { environment: \"prod\" path: \"/\" key: \"SECRET_KEY\" value: \"$(openssl rand -hex 32)\" }"
    echo "  secrets { environment: \"prod\" path: \"/\" key: \"POSTGRES_PASSWORD\" value: \"$pw\" }"
    echo "  secrets { environment: \"prod\" path: \"/\" key: \"EMAIL_URL\" value: \"smtp://apikey:$(openssl rand -hex 12)@smtp.example.com:587\" }"
    if [ "$extra" -gt 0 ]; then
      # 32 random bytes as 64 hex digits per secret, like keygen --format=hex.
      openssl rand -hex $((32 * extra)) | fold -w 64 | head -n "$extra" |
        awk '{ printf "  secrets { environment: \"prod\" path: \"/\" key: \"BENCH_%05d\" value: \"%s\" }\n", NR, $0 }'
    fi
    echo "}"
    echo "identities { client_id: \"$BENCH_CLIENT_ID\" client_secret: \"$cs\" project_ids: [\"$BENCH_PROJECT_ID\"] }"
  } >"$seed"
  chmod 600 "$seed"
}

# bench_login CLIENT_SECRET_FILE TOKEN_FILE: logs in with curl, writes the
# access token (0600, never printed).
bench_login() {
  (umask 077
   curl -sf -X POST "$URL/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
     --data-binary @- <<<"{\"clientId\":\"$BENCH_CLIENT_ID\",\"clientSecret\":\"$(cat "$1")\"}" |
     jq -r .accessToken >"$2")
  [ -s "$2" ] && [ "$(cat "$2")" != null ] || { echo "bench: login failed" >&2; exit 1; }
}

# The list request sync makes (same query parameters as lib/infisical).
bench_list_url() {
  echo "$URL/api/v3/secrets/raw?workspaceSlug=glitchtip&environment=prod&secretPath=/&recursive=false&include_imports=false&includeImports=false&expandSecretReferences=false"
}

# bench_write_config DIR TEMPLATE: a sync config in DIR using the bench
# identity (client secret from DIR/client-secret, token cache DIR/token.cache).
bench_write_config() {
  local dir=$1 template=$2
  cat >"$dir/config.textproto" <<CONF
infisical { site_url: "$URL" request_timeout_ms: 30000 max_retries: 0 }
auth {
  universal_auth {
    client_id { env: "BENCH_CLIENT_ID" }
    client_secret { file: "client-secret" }
  }
  token_cache_file: "token.cache"
}
project_slug: "glitchtip"
environment: "prod"
secret_path: "/"
template_path: "$template"
output_path: ".env"
CONF
  export BENCH_CLIENT_ID
}

# A throwaway PostgreSQL 15 cluster for the benchmarks that need one.
# bench_start_postgres DIR ROLE PASSWORD [CONF]: initdb in DIR/data (the
# superuser's password in DIR/pw), listen on 127.0.0.1:$PGPORT (a free port,
# set here) and the socket folder DIR, append CONF (lines) to
# postgresql.conf, start, create ROLE (LOGIN PASSWORD) owning database
# glitchtip. The password goes on psql's stdin and is not logged.
# bench_stop_postgres DIR stops it (call it from the caller's EXIT trap).
PGBIN=/usr/lib/postgresql/15/bin
bench_as_pg() {  # PostgreSQL refuses to run as root
  if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --clear-groups env -C / "$@"; else "$@"; fi
}
bench_start_postgres() {
  local dir=$1 role=$2 pw=$3 conf=${4:-}
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  bench_as_pg sh -c "openssl rand -hex 16 >'$dir/pw'"
  bench_as_pg "$PGBIN/initdb" --no-sync -D "$dir/data" -U postgres --pwfile "$dir/pw" \
    --auth-host=scram-sha-256 --auth-local=trust >/dev/null
  PGPORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\npassword_encryption = 'scram-sha-256'\nfsync = off\n%s\n" \
    "$PGPORT" "$dir" "$conf" | bench_as_pg sh -c "cat >>'$dir/data/postgresql.conf'"
  bench_as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -s -w start
  psql -h "$dir" -p "$PGPORT" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 >/dev/null <<SQL
\\set pw '$pw'
SET log_statement = 'none';
CREATE ROLE $role LOGIN PASSWORD :'pw';
CREATE DATABASE glitchtip OWNER $role;
SQL
}
bench_stop_postgres() {
  bench_as_pg "$PGBIN/pg_ctl" -D "$1/data" -m fast -s -w stop >/dev/null 2>&1 || true
}
