#!/usr/bin/env bash
# Installs, as root on Debian 12, every package secretsync's build, tests and
# demo need. Does nothing when they are all present. Safe to run again.
set -euo pipefail

packages=(
  bazel-bootstrap bazel-rules-java g++ pkg-config
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev
  libabsl-dev libcurl4-openssl-dev libgtest-dev libgmock-dev
  libpq-dev postgresql libcpp-httplib-dev nlohmann-json3-dev
  openssl curl jq gettext-base python3 python3-grpcio python3-protobuf hyperfine util-linux
  systemd  # systemd-analyze verify in tests/e2e:systemd_unit_test
  clang-14 libclang-rt-14-dev  # --config=fuzz: clang and libFuzzer (tests/fuzz)
  dpkg-dev help2man lintian debootstrap binutils  # the Debian package and its test (deploy/debian, tests/deb)
  prometheus-cpp-dev  # /metrics of the agent and the hub (docs/metrics.md)
  prometheus prometheus-node-exporter  # promtool and the metrics e2e test (deploy/prometheus)
  rapidjson-dev  # the secrets list parser (lib/infisical/list_reply_parser.h), header-only
  python3-psycopg2  # the model application of the health-check tests (tests/modelapp)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 77
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
