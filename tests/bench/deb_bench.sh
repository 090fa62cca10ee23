#!/usr/bin/env bash
# deb_bench: the Debian package against the Bazel opt build (issue L):
# the package's size, each installed binary's size next to the same tool from
# the package rule's own `-c opt` build, and start-up time, interleaved
# (A,B,B,A,...): `--version` (flag parsing and process start only) and
# `keygen --format=hex --bytes=32` (a whole one-shot run). Goal: the installed
# package <= 15 MB.
#
# Run on demand (not part of `bazel test`); it reports and always exits 0
# unless a build fails:
#   bash tests/bench/deb_bench.sh            # RUNS=100
# Writes only under a mktemp -d folder, removed on exit. Prints no secret
# (keygen's output goes to /dev/null).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

RUNS=${RUNS:-100}
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 10000 ] || { echo "RUNS must be 1..10000" >&2; exit 64; }
work=$(mktemp -d -t deb-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
tools="sync rotate keygen agent fanout"

# The baseline is the package rule's own -c opt build of the tools (before
# build_deb.sh strips them): the same binaries `bazel build --config=opt`
# makes, without compiling everything a second time.
(cd "$BENCH_REPO" && bazel build --show_result=10 //deploy/debian:production_binaries //deploy/debian:secretsync_deb) \
  >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; echo "bench: bazel build failed" >&2; exit 1; }
out=$(cd "$BENCH_REPO" && bazel info output_path 2>/dev/null)
mkdir -p "$work/opt" "$work/root"
for t in $tools; do
  f=$(sed -n "s#^  bazel-out/\(.*/bin/tools/$t\)\$#\1#p" "$work/build.log")
  [ -n "$f" ] || { echo "bench: no opt build of $t in the build output" >&2; exit 1; }
  cp "$out/$f" "$work/opt/$t"
done
cp "$BENCH_REPO/bazel-bin/deploy/debian/secretsync.deb" "$work/secretsync.deb"
dpkg-deb -x "$work/secretsync.deb" "$work/root"

mb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1000000 }'; }
deb_bytes=$(stat -c %s "$work/secretsync.deb")
installed_kb=$(dpkg-deb -f "$work/secretsync.deb" Installed-Size)
echo "deb_bench: the Debian package vs the Bazel -c opt build"
echo "  package file: $(mb "$deb_bytes") MB; Installed-Size: $(mb $((installed_kb * 1024))) MB"
printf '  %-10s %14s %14s %8s\n' tool "bazel opt MB" "packaged MB" ratio
total_opt=0 total_pkg=0
for t in $tools; do
  a=$(stat -c %s "$work/opt/$t") b=$(stat -c %s "$work/root/usr/bin/secretsync-$t")
  total_opt=$((total_opt + a)) total_pkg=$((total_pkg + b))
  printf '  %-10s %14s %14s %7.2fx\n' "$t" "$(mb "$a")" "$(mb "$b")" "$(awk -v a="$b" -v b="$a" 'BEGIN { print a / b }')"
done
printf '  %-10s %14s %14s %7.2fx\n' all "$(mb "$total_opt")" "$(mb "$total_pkg")" "$(awk -v a="$total_pkg" -v b="$total_opt" 'BEGIN { print a / b }')"

run_opt_version() { "$work/opt/sync" --version; }
run_pkg_version() { "$work/root/usr/bin/secretsync-sync" --version; }
run_opt_keygen() { "$work/opt/keygen" --format=hex --bytes=32; }
run_pkg_keygen() { "$work/root/usr/bin/secretsync-keygen" --format=hex --bytes=32; }
echo "  $(bench_load) before; $RUNS interleaved runs each, 5 warm-up"
bench_interleave "$RUNS" 5 "$work" "bazel opt sync --version" run_opt_version \
  "packaged sync --version" run_pkg_version
bench_table "$work" "bazel opt sync --version" "bazel opt sync --version" "packaged sync --version"
bench_interleave "$RUNS" 5 "$work" "bazel opt keygen --bytes=32" run_opt_keygen \
  "packaged keygen --bytes=32" run_pkg_keygen
bench_table "$work" "bazel opt keygen --bytes=32" "bazel opt keygen --bytes=32" "packaged keygen --bytes=32"
echo "  $(bench_load) after"
bench_goal "installed package MB" "$(mb $((installed_kb * 1024)))" "<=" 15
