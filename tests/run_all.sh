#!/usr/bin/env bash
# Runs the whole secretsync test suite: installs missing packages, builds
# everything, runs every Bazel test (unit, contract, integration, end-to-end;
# they start their own dev servers on 127.0.0.1 and stop them), then the
# sanitizer build of the tests, then the Debian package's install test
# (tests/deb), then a 30-second libFuzzer smoke run of each
# fuzz target (tests/fuzz, docs/fuzzing.md). Prints "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "$0")/.."

bash deploy/setup.sh || exit $?

log=$(mktemp)
trap 'rm -f "$log"' EXIT
bazel_flags=(--config=ci)

run_suite() {  # $1: label, rest: bazel flags
  local label=$1; shift
  echo "== $label ($(date -u +%T) UTC)" >&2
  bazel test "${bazel_flags[@]}" "$@" //... 2>&1 | tee -a "$log" | grep -vE '^(INFO|Loading|Analyzing|\[)' >&2
  return "${PIPESTATUS[0]}"
}

rc=0
echo "== source checks ($(date -u +%T) UTC)" >&2
lint_out=$(bash tests/lint/check_sources.sh) || rc=$?
echo "$lint_out" >&2
lint_passed=$(echo "$lint_out" | grep -c '^ok ')
lint_failed=$(echo "$lint_out" | grep -c '^FAIL ')

tests_rc=0
run_suite "tests" || tests_rc=$?
if [ "$tests_rc" -eq 0 ]; then
  run_suite "tests under AddressSanitizer + UBSan" --config=asan || tests_rc=$?
fi
# The agent, fanout and hub are multi-threaded: their tests also run under
# TSan. lib/webhook is not: its locking is absl::Mutex, which Debian's
# uninstrumented abseil hides from TSan (false reports); the hub's is std::mutex.
if [ "$tests_rc" -eq 0 ]; then
  echo "== agent tests under ThreadSanitizer ($(date -u +%T) UTC)" >&2
  bazel test "${bazel_flags[@]}" --config=tsan //lib/agent/... //lib/fanout/... //lib/hub/... //tests/agent/... 2>&1 \
    | tee -a "$log" | grep -vE '^(INFO|Loading|Analyzing|\[)' >&2
  [ "${PIPESTATUS[0]}" -eq 0 ] || tests_rc=1
fi
[ "$rc" -ne 0 ] || rc=$tests_rc

# The Debian package (tests/deb/deb_test.sh, docs/packaging.md): lintian,
# then install, use, remove and purge in a fresh debootstrap root.
echo "== Debian package (build, lintian, install into a fresh Debian 12 root) ($(date -u +%T) UTC)" >&2
deb_rc=0
# Packages the test stage's binaries (no opt build): this checks installation
# and behaviour; `bazel build //deploy/debian:secretsync_deb` stays opt.
deb_out=$(SECRETSYNC_DEB_OPTIMIZE=0 bash tests/deb/deb_test.sh 2>&1) || deb_rc=$?
echo "$deb_out" >&2
deb_passed=$(echo "$deb_out" | grep -c '^ok ')
deb_failed=$(echo "$deb_out" | grep -c '^FAIL ')
if [ "$deb_rc" -ne 0 ] && [ "$deb_failed" -eq 0 ]; then deb_failed=1; fi
[ "$deb_failed" -eq 0 ] || [ "$rc" -ne 0 ] || rc=1

# Fuzz smoke runs: each target 30 s on a fresh copy of its corpus (and saved
# regressions); a crash is saved under tests/fuzz/regressions/<target>/.
fuzz_passed=0
fuzz_failed=0
echo "== fuzz smoke runs (--config=fuzz, 30 s each) ($(date -u +%T) UTC)" >&2
if bazel build "${bazel_flags[@]}" --config=fuzz //tests/fuzz/... >>"$log" 2>&1; then
  for t in $(sed -n 's/^ *name = "\(.*_fuzz\)",$/\1/p' tests/fuzz/BUILD.bazel); do
    if SECRETSYNC_FUZZ_NO_BUILD=1 bash tests/fuzz/run.sh "$t" 30 >"$log.fuzz" 2>&1; then
      fuzz_passed=$((fuzz_passed + 1)); echo "ok   fuzz $t (30 s, $(sed -n 's/^stat::number_of_executed_units: *//p' "$log.fuzz") runs)" >&2
    else
      fuzz_failed=$((fuzz_failed + 1)); echo "FAIL fuzz $t" >&2; tail -40 "$log.fuzz" >&2
    fi
  done
  rm -f "$log.fuzz"
else
  fuzz_failed=1; echo "FAIL fuzz build (bazel build --config=fuzz //tests/fuzz/...)" >&2
fi
[ "$fuzz_failed" -eq 0 ] || [ "$rc" -ne 0 ] || rc=1

passed=$(( $(grep -cE '^//.* PASSED' "$log") + lint_passed + deb_passed + fuzz_passed ))
failed=$(( $(grep -cE '^//.* (FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log") + lint_failed + deb_failed + fuzz_failed ))
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build error is a failure
echo "== done ($(date -u +%T) UTC)" >&2
echo "$passed passed, $failed failed"
exit "$rc"
