#!/usr/bin/env bash
# Runs one fuzz target for a while on a fresh copy of its seed corpus.
#   tests/fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
# TARGET is a name under tests/fuzz (e.g. template_fuzz); SECONDS defaults to
# 30. Builds it with --config=fuzz first unless SECRETSYNC_FUZZ_NO_BUILD=1.
# New inputs land in a scratch corpus (kept when KEEP_CORPUS names a folder);
# a crash is saved as tests/fuzz/regressions/TARGET/crash-<sha1> (commit it:
# the normal test run then replays it). Exit status: libFuzzer's (0 = no crash).
set -uo pipefail
cd "$(dirname "$0")/../.."
target=${1:?usage: tests/fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]}
seconds=${2:-30}
shift $(( $# >= 2 ? 2 : 1 ))
bin=bazel-fuzz-bin/tests/fuzz/$target
if [ "${SECRETSYNC_FUZZ_NO_BUILD:-0}" != 1 ]; then
  bazel build --config=fuzz "//tests/fuzz:$target" >/dev/null 2>&1 ||
    { echo "fuzz: cannot build //tests/fuzz:$target (run: bazel build --config=fuzz //tests/fuzz:$target)" >&2; exit 2; }
fi
[ -x "$bin" ] || { echo "fuzz: no binary $bin" >&2; exit 2; }
work=${KEEP_CORPUS:-$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$target.XXXXXX")}
mkdir -p "$work" "tests/fuzz/regressions/$target"
cp -r "tests/fuzz/corpus/$target/." "$work/"
if [ -d "tests/fuzz/regressions/$target" ]; then
  cp -r "tests/fuzz/regressions/$target/." "$work/" 2>/dev/null
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="tests/fuzz/regressions/$target/" "$@" "$work"
rc=$?
[ -n "${KEEP_CORPUS:-}" ] || rm -rf "$work"
rmdir "tests/fuzz/regressions/$target" 2>/dev/null
exit $rc
