#!/usr/bin/env bash
# The one benchmark entry point: builds the opt binaries into their own output
# folder (--config=bench: bazel-out/k8-opt-bench, links bazel-bench-*), runs
# every benchmark script below with them, and prints one table of every timed
# figure (median, min-max, the baseline measured in the same interleaved run,
# ratio), then each script's goal lines, with the machine's cores and load.
#
#   bash tests/bench/run_all.sh                    # defaults of each script
#   RUNS=15 RUNS_SCALE=7 bash tests/bench/run_all.sh   # quicker, noisier
#   BENCH_LOGS=/tmp/bench bash tests/bench/run_all.sh  # keep each script's output
#   BENCH_SCRIPTS="keygen_bench.sh" bash tests/bench/run_all.sh  # only some
#
# Scripts (each also runs alone; see its header for what it measures):
#   keygen_bench.sh       keygen vs openssl rand
#   sync_bench.sh         warm/cold/cron sync vs curl and the shell job; 100..10,000 secrets, RSS
#   startup_bench.sh      where a warm sync's time goes: exec, OpenSSL init, libcurl load, sync itself
#   metrics_bench.sh      warm sync with vs without --metrics_file
#   client_list_bench.sh  listing 50 / 10,000 secrets vs curl
#   rotate_bench.sh       the rotation window and failed logins during 20 rotations
#   health_bench.sh       the health check's added time on sync and rotate; unhealthy -> restored
#   agent_bench.sh        fan-out to 100 real agents, agent idle RSS and wakeups
#   agent_waiters_bench.sh  agent threads and RSS with 1,000 callers waiting on one held sync
#   deb_bench.sh          the Debian package: sizes and start-up vs the opt build
# Reports; exits non-zero only when a script fails to run (a missed goal is a
# figure, not a failure). Never prints secret values (the scripts don't).
set -uo pipefail
cd "$(dirname "$0")/../.."
here=tests/bench

logs=${BENCH_LOGS:-$(mktemp -d -t bench-logs.XXXXXX)}
results=$(mktemp -d -t bench-results.XXXXXX)
mkdir -p "$logs"
cleanup() { rm -rf "$results"; [ -n "${BENCH_LOGS:-}" ] || rm -rf "$logs"; }
trap cleanup EXIT
export BENCH_CONFIG=bench BENCH_RESULTS_DIR=$results

load() { echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"; }
echo "bench: $(uname -m), $(load) at start" >&2
echo "bench: building --config=bench (opt, bazel-bench-bin)" >&2
bazel build --config=bench //tools:keygen //tools:sync //tools:devserver >"$logs/build.log" 2>&1 ||
  { tail -n 30 "$logs/build.log" >&2; echo "bench: build failed" >&2; exit 1; }

rc=0
declare -A status
all_scripts="keygen_bench.sh sync_bench.sh startup_bench.sh metrics_bench.sh client_list_bench.sh rotate_bench.sh health_bench.sh agent_bench.sh agent_waiters_bench.sh hub_bench.sh deb_bench.sh"
for script in $all_scripts; do
  if [[ " ${BENCH_SCRIPTS:-$all_scripts} " != *" $script "* ]]; then
    status[$script]="skipped (BENCH_SCRIPTS)"
    continue
  fi
  if [ ! -f "$here/$script" ]; then
    status[$script]="not present yet (slot)"
    continue
  fi
  echo "bench: running $script ($(load))" >&2
  start=$(date +%s)
  if BENCH_SCRIPT=${script%.sh} bash "$here/$script" >"$logs/${script%.sh}.log" 2>&1; then
    status[$script]="ran in $(( $(date +%s) - start )) s"
  else
    status[$script]="FAILED (exit $?; see its log)"
    rc=1
    tail -n 20 "$logs/${script%.sh}.log" >&2
  fi
done

# stat FILE: "median min max" in ms.
stat() {
  sort -n "$1" | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan nan nan"; exit }
    med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f %.2f %.2f\n", med / 1000, v[1] / 1000, v[NR] / 1000 }'
}

echo
echo "secretsync benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(load) at the end"
echo "(wall time of whole processes, ms; median of interleaved runs; ratio = median / baseline median)"
echo
printf '| %-14s | %-40s | %5s | %9s | %-19s | %-42s | %6s |\n' script figure runs median "min-max" "baseline (median)" ratio
printf '| %-14s | %-40s | %5s | %9s | %-19s | %-42s | %6s |\n' --- --- ---: ---: --- --- ---:
for g in $(find "$results" -maxdepth 1 -type d -name 'g*' | sort); do
  script=$(cat "$g/script")
  mapfile -t names <"$g/names"
  read -r bmed _ _ <<<"$(stat "$g/0.us")"
  for ((i = 1; i < ${#names[@]}; i++)); do
    read -r med min max <<<"$(stat "$g/$i.us")"
    fails=""
    [ -s "$g/$i.fail" ] && fails=" ($(wc -l <"$g/$i.fail") FAILED)"
    printf '| %-14s | %-40s | %5d | %9s | %-19s | %-42s | %5sx |\n' "$script" "${names[i]}$fails" \
      "$(wc -l <"$g/$i.us")" "$med" "$min-$max" "${names[0]} ($bmed)" \
      "$(awk -v a="$med" -v b="$bmed" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')"
  done
done
echo
echo "goals and other figures (peak RSS, start-up cost) as each script printed them:"
for script in keygen_bench sync_bench metrics_bench client_list_bench rotate_bench agent_bench deb_bench; do
  [ -f "$logs/$script.log" ] || continue
  grep -E '^goal ' "$logs/$script.log" | sed "s/^/  $script: /"
done
if [ -f "$logs/rotate_bench.log" ]; then
  echo "  rotate_bench (rotation window and failed logins):"
  sed -n '/^rotate benchmark:/,$p' "$logs/rotate_bench.log" | grep -v '^raw figures' | sed 's/^/    /'
fi
if [ -f "$logs/agent_bench.log" ]; then
  echo "  agent_bench (fan-out, idle agent):"
  grep -E '^(fan-out to|idle agent)' "$logs/agent_bench.log" | sed 's/^/    /'
fi
if [ -f "$logs/agent_waiters_bench.log" ]; then
  echo "  agent_waiters_bench (threads and RSS):"
  grep -E '^(idle agent|[0-9]+ callers waiting|reports:)' "$logs/agent_waiters_bench.log" | sed 's/^/    /'
fi
if [ -f "$logs/sync_bench.log" ]; then
  echo "  sync_bench scaling summary:"
  sed -n '/^c. summary/,/^$/p' "$logs/sync_bench.log" | sed 's/^/    /'
fi
echo
for script in $all_scripts; do
  echo "  $script: ${status[$script]}"
done
[ -n "${BENCH_LOGS:-}" ] && echo "  full outputs: $logs/*.log"
echo "reproduce: bash tests/bench/run_all.sh"
exit "$rc"
