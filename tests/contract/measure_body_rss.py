#!/usr/bin/python3
"""Peak RSS (VmHWM) of a devserver binary receiving one huge login body.

Not a test (devserver_limits_test asserts the bound); the command behind the
figures in docs/devserver.md. Usage, from the workspace root:
  bazel build //tools:devserver
  /usr/bin/python3 tests/contract/measure_body_rss.py bazel-bin/tools/devserver \
      deploy/examples/glitchtip/devserver-seed.textproto 200 [chunked]
"""
import re
import socket
import subprocess
import sys
import time
import urllib.request

binary, seed = sys.argv[1], sys.argv[2]
mb = int(sys.argv[3]) if len(sys.argv) > 3 else 200
chunked = len(sys.argv) > 4 and sys.argv[4] == "chunked"
proc = subprocess.Popen([binary, "--listen=127.0.0.1:0", "--seed=" + seed],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
line = proc.stdout.readline()
port = int(line.rsplit(":", 1)[1])

def hwm():
    with open(f"/proc/{proc.pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) // 1024

before = hwm()
total = mb * 1024 * 1024
prefix = b'{"clientId":"x","clientSecret":"'
suffix = b'"}'
pad = total - len(prefix) - len(suffix)
s = socket.create_connection(("127.0.0.1", port))
head = "POST /api/v1/auth/universal-auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {total}\r\n\r\n"
s.sendall(head.encode())
chunk = b"a" * (1 << 20)
start = time.time()
def send(data):
    if chunked:
        s.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
    else:
        s.sendall(data)
try:
    send(prefix)
    left = pad
    while left > 0:
        n = min(left, len(chunk))
        send(chunk[:n])
        left -= n
    send(suffix)
    if chunked:
        s.sendall(b"0\r\n\r\n")
except (BrokenPipeError, ConnectionResetError) as e:
    print("send stopped:", e)
s.settimeout(60)
reply = b""
def complete(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"Content-Length: (\d+)", head, re.I)
    return len(body) >= (int(m.group(1)) if m else 0)
try:
    while not complete(reply):
        data = s.recv(65536)
        if not data:
            break
        reply += data
except socket.timeout:
    pass
elapsed = time.time() - start
status_line = reply.split(b"\r\n", 1)[0].decode(errors="replace")
body = reply.split(b"\r\n\r\n", 1)[1][:200].decode(errors="replace") if b"\r\n\r\n" in reply else ""
peak = hwm()
s.close()
ok = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status").status
print(f"body={mb}MB chunked={chunked} reply='{status_line}' {body}")
print(f"peak_rss_mb={peak} (idle {before}) seconds={elapsed:.1f} status_after={ok}")
proc.terminate(); proc.wait()
