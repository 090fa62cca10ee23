#!/usr/bin/env bash
# Runs python_client_test.py with Debian's python3 (which has python3-grpcio).
set -euo pipefail
exec /usr/bin/python3 "$@"
