#!/usr/bin/env bash
# Agent benchmark (on demand, not a test): the agent's threads and RSS while
# N callers (default 1,000) wait on one held sync.
#
#   bash tests/bench/agent_waiters_bench.sh
#   CALLERS=2000 bash tests/bench/agent_waiters_bench.sh
#
# The agent is //tests/agent:fake_agent (the real agent command over a
# FakeSyncService) on 127.0.0.1 in plaintext, with --fake_hold_fifo: its
# syncs block until a line is written to the FIFO. One Python grpcio client
# starts one Sync, waits until it runs, starts N-1 more, waits until
# GetStatus says N-1 are queued, then reads Threads and VmRSS from
# /proc/<agent pid>/status, releases the sync and checks every caller got a
# report. Needs Debian's python3-grpcio (/usr/bin/python3).
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"

callers=${CALLERS:-1000}
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cfg=${BENCH_CONFIG:-opt}
(cd "$BENCH_REPO" && bazel build --config="$cfg" //tests/agent:fake_agent) >"$work/build.log" 2>&1 \
  || { tail -n 30 "$work/build.log" >&2; exit 1; }
bin=$(cd "$BENCH_REPO" && bazel info --config="$cfg" bazel-bin 2>/dev/null)
cp "$bin/tests/agent/fake_agent" "$work/"
mkfifo "$work/hold"
"$work/fake_agent" --listen=127.0.0.1:0 --insecure_loopback_plaintext \
  --rate_per_minute=1000000 --rate_burst=$((callers * 2)) --fake_hold_fifo="$work/hold" \
  >"$work/agent.out" 2>"$work/agent.log" &
pid=$!
for _ in $(seq 1 200); do grep -q 'port ' "$work/agent.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/agent.out")
[ -n "$port" ] || { cat "$work/agent.log" >&2; exit 1; }

mkdir -p "$work/py/src/proto"
cp "$BENCH_REPO/proto/agent.proto" "$BENCH_REPO/proto/report.proto" "$work/py/src/proto/"
protoc -I "$work/py/src" --python_out="$work/py" --grpc_python_out="$work/py" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin proto/agent.proto proto/report.proto

PYTHONPATH=$work/py /usr/bin/python3 - "$port" "$pid" "$callers" "$work/hold" <<'PY'
import sys, time
import grpc
from proto import agent_pb2, agent_pb2_grpc
port, pid, n, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
stub = agent_pb2_grpc.AgentStub(grpc.insecure_channel("127.0.0.1:" + port))
def status():
    return stub.GetStatus(agent_pb2.GetStatusRequest(), timeout=10).deployments[0]
def proc(field):
    for line in open("/proc/%s/status" % pid):
        if line.startswith(field + ":"):
            return line.split()[1]
idle_threads, idle_rss = proc("Threads"), int(proc("VmRSS"))
calls = [stub.Sync.future(agent_pb2.SyncRequest(), timeout=300)]
while not status().running:
    time.sleep(0.01)
calls += [stub.Sync.future(agent_pb2.SyncRequest(), timeout=300) for _ in range(n - 1)]
while status().queued < n - 1:
    time.sleep(0.05)
threads, rss = int(proc("Threads")), int(proc("VmRSS"))
with open(hold, "w") as f:
    f.write("go\n")
ok = sum(1 for c in calls if c.result().output_path == "/srv/web/.env")
print("idle agent: %s threads, VmRSS %.1f MB" % (idle_threads, idle_rss / 1024.0))
print("%d callers waiting on one held sync: %d threads, VmRSS %.1f MB" % (n, threads, rss / 1024.0))
print("reports: %d of %d" % (ok, n))
sys.exit(0 if ok == n and threads < 40 and rss < 40 * 1024 else 1)
PY
