#!/usr/bin/env bash
# Runs a test script with Debian's python3 (which has python3-grpcio and python3-protobuf).
set -euo pipefail
exec /usr/bin/python3 "$@"
