#!/usr/bin/env bash
# Figures for rotate's PostgreSQL pieces (lib/postgres) against a throwaway
# local PostgreSQL 15: medians of the client-side SCRAM verifier, a password
# change over libpq and through psql on stdin, and login probes.
# Usage: tests/bench/postgres_applier_bench.sh [runs per figure, default 50]
# Run as root (the server then runs as the postgres user) or as a user that
# can run /usr/lib/postgresql/15/bin/initdb. Not run by bazel test.
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build --config=opt //tests/bench:postgres_applier_bench >/dev/null 2>&1 ||
  { echo "bench: bazel build failed" >&2; exit 1; }
bin=$(bazel info --config=opt bazel-bin 2>/dev/null)/tests/bench/postgres_applier_bench
# initdb's progress goes to stdout first; the figures are the last 9 lines.
"$bin" "${1:-50}" | tail -n 9
