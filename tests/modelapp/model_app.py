#!/usr/bin/python3
"""A model application for health-check tests and the demo.

model_app.py --env_file F --listen 127.0.0.1:PORT reads F once at start (like a
container reads its .env) and answers GET /_health/ with 200 only when it can
log in to PostgreSQL with DATABASE_URL (connect_timeout 2 s) and SECRET_KEY is
well formed: at least 32 characters, no whitespace. Otherwise 500 with a fixed
word ("database" or "secret_key"); no value is ever in a reply or the log.
Needs Debian's /usr/bin/python3 with python3-psycopg2.
"""
import argparse
import http.server
import shlex

import psycopg2


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            name, _, raw = line.partition("=")
            words = shlex.split(raw) if raw else [""]
            env[name.strip()] = words[0] if words else ""
    return env


def key_ok(key):
    return len(key) >= 32 and not any(c.isspace() for c in key)


def db_ok(url):
    try:
        psycopg2.connect(url, connect_timeout=2).close()
        return True
    except Exception:  # any failure is "unhealthy"; the message may quote the URL
        return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--env_file", required=True)
    p.add_argument("--listen", required=True)
    a = p.parse_args()
    env = read_env(a.env_file)
    host, _, port = a.listen.rpartition(":")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/_health/":
                self.send_response(404)
                self.end_headers()
                return
            if not key_ok(env.get("SECRET_KEY", "")):
                status, body = 500, b"secret_key\n"
            elif not db_ok(env.get("DATABASE_URL", "")):
                status, body = 500, b"database\n"
            else:
                status, body = 200, b"ok\n"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):  # no request log: keep output quiet
            pass

    http.server.ThreadingHTTPServer((host, int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main()
