#!/usr/bin/python3
"""Sends signed Infisical webhook deliveries to a hub, as Infisical does.

  send_deliveries.py URL KEY_FILE PROJECT ENV PATH [--count N] [--threads T]
      [--event E] [--ts-offset-ms MS] [--sig bad|none] [--ctype TYPE]
      [--body RAW] [--repeat-first]

Prints one line per distinct HTTP status: "<status> <count>" (0: no
answer, the error's type on stderr), then
"sent N in S s". Timestamps differ per delivery (ms apart) so that each
signature is new unless --repeat-first sends the first one N times.
"""
import argparse
import concurrent.futures
import hashlib
import hmac
import http.client
import json
import sys
import time
import urllib.parse


def body_for(project, env, path, event, ts):
    return json.dumps({"event": event,
                       "project": {"workspaceId": project, "environment": env,
                                   "secretPath": path},
                       "timestamp": ts}, separators=(",", ":")).encode()


def main():
    p = argparse.ArgumentParser()
    for a in ("url", "key_file", "project", "env", "path"):
        p.add_argument(a)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--event", default="secrets.modified")
    p.add_argument("--ts-offset-ms", type=int, default=0)
    p.add_argument("--sig", default="good")
    p.add_argument("--ctype", default="application/json")
    p.add_argument("--body", default=None)
    p.add_argument("--repeat-first", action="store_true")
    a = p.parse_args()
    key = open(a.key_file, "rb").read().strip()
    u = urllib.parse.urlparse(a.url)
    base = int(time.time() * 1000) + a.ts_offset_ms
    requests = []
    for i in range(a.count):
        ts = base if a.repeat_first else base + i
        body = a.body.encode() if a.body is not None else body_for(
            a.project, a.env, a.path, a.event, ts)
        mac = hmac.new(key, body, hashlib.sha256).hexdigest()
        if a.sig == "bad":
            mac = hmac.new(b"wrong-key", body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": a.ctype}
        if a.sig != "none":
            headers["x-infisical-signature"] = "t=%d;%s" % (ts, mac)
        requests.append((body, headers))

    def send(req):
        body, headers = req
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
        try:
            c.request("POST", u.path or "/webhook", body=body, headers=headers)
            return c.getresponse().status
        except OSError as e:
            print("connection error: %s" % type(e).__name__, file=sys.stderr)
            return 0
        finally:
            c.close()

    start = time.time()
    counts = {}
    if a.threads <= 1:
        results = [send(r) for r in requests]
    else:
        with concurrent.futures.ThreadPoolExecutor(a.threads) as pool:
            results = list(pool.map(send, requests))
    for s in results:
        counts[s] = counts.get(s, 0) + 1
    for s in sorted(counts):
        print(s, counts[s])
    print("sent %d in %.2f s" % (len(requests), time.time() - start))


if __name__ == "__main__":
    main()
