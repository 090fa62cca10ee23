"""fanout --canary against real agent processes with the real sync core (the
dev server as Infisical, mTLS on 127.0.0.1): the canary's health check
fails, so its change is rolled back (its .env byte for byte, exit 81) and no
other host is started: their .env files stay byte-identical with the same
mtime, their on-change commands never run and GetStatus says they never
synced. Then a canary that passes lets the rest go. No secret value in any
output. `fanout --help` documents --canary and exit 81.

Usage: fanout_canary_processes_test.py AGENT FANOUT DEVSERVER MAKE_CERTS SEED
       TEMPLATE AGENT_PROTO REPORT_PROTO
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_client_test import gen_stubs  # noqa: E402

VALUES = ["canary-secret-key-e2e", "canary-client-secret-e2e", "canary+pw/e2e",
          "canary-mail-e2e"]
OLD_ENV = b"# written before the rollout\nOLD_SETTING='untouched'\n"
OLD_MTIME = 1600000000  # 2020-09-13
HOSTS = 3


def read(path):
    with open(path, "rb") as f:
        return f.read()


class FanoutCanaryProcessesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.pki = os.path.join(cls.tmp, "pki")
        subprocess.check_call(["bash", MAKE_CERTS, cls.pki], stdout=subprocess.DEVNULL)
        gen_stubs(os.path.join(cls.tmp, "py"), AGENT_PROTO, REPORT_PROTO)
        global agent_pb2, agent_pb2_grpc
        from proto import agent_pb2, agent_pb2_grpc  # noqa: E402
        cls.procs = []
        cls.devserver = cls.start([DEVSERVER, "--listen", "127.0.0.1:0", "--seed", SEED],
                                  r"^listening on (\S+)")
        url = cls.devserver[1]
        secret_file = os.path.join(cls.tmp, "client-secret")
        with open(secret_file, "w") as f:
            f.write("canary-client-secret-e2e-4f2b\n")
        os.chmod(secret_file, 0o600)
        cls.dirs, cls.hosts = [], []
        p = lambda n: os.path.join(cls.pki, n)
        for i in range(HOSTS):
            d = os.path.join(cls.tmp, "host%d" % i)
            os.makedirs(d)
            with open(os.path.join(d, ".env.template"), "wb") as f:
                f.write(read(TEMPLATE))
            command = '"/bin/sh", "-c", "echo \\"$SECRETSYNC_CHANGED\\" >> %s/command.log"' % d
            # Host 0, the canary, fails its health check: the change is rolled back.
            check = ('health_check { command { command: ["/bin/false"] } attempts: 1 }'
                     if i == 0 else "")
            with open(os.path.join(d, "app.textproto"), "w") as f:
                f.write("""infisical { site_url: "%s" }
auth { universal_auth { client_id { env: "E2E_CLIENT_ID" } client_secret { file: "%s" } } }
project_slug: "glitchtip"
environment: "prod"
template_path: ".env.template"
output_path: ".env"
on_change { command: [%s] timeout_seconds: 10 }
%s
""" % (url, secret_file, command, check))
            env_path = os.path.join(d, ".env")
            with open(env_path, "wb") as f:
                f.write(OLD_ENV)
            os.chmod(env_path, 0o600)
            os.utime(env_path, (OLD_MTIME, OLD_MTIME))
            agent = cls.start([AGENT, "--listen=127.0.0.1:0",
                               "--tls-cert-file=" + p("server.pem"),
                               "--tls-key-file=" + p("server.key"),
                               "--client-ca-file=" + p("ca.pem"),
                               "--allowed-sans=spiffe://corp/central",
                               "--rate-per-minute=6000",
                               "--deployment-configs=" + os.path.join(d, "app.textproto")],
                              r"\(port (\d+)\)")
            cls.dirs.append(d)
            cls.hosts.append("127.0.0.1:" + agent[1])

    @classmethod
    def start(cls, argv, pattern):
        env = dict(os.environ, GRPC_VERBOSITY="NONE", E2E_CLIENT_ID="e2e-client-id")
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        cls.procs.append(proc)
        line = proc.stdout.readline()
        m = re.search(pattern, line)
        assert m, "%s did not start: %s" % (argv[0], line)
        return proc, m.group(1)

    @classmethod
    def tearDownClass(cls):
        for proc in reversed(cls.procs):  # agents first, the dev server last
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
            for v in VALUES:
                assert v not in out + err, "a secret value in a process's output"

    def fanout(self, hosts, *extra):
        p = lambda n: os.path.join(self.pki, n)
        r = subprocess.run([FANOUT, "--hosts=" + ",".join(hosts), "--ca-file=" + p("ca.pem"),
                            "--tls-cert-file=" + p("client.pem"),
                            "--tls-key-file=" + p("client.key"), "--deadline=60s"] + list(extra),
                           capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, GRPC_VERBOSITY="NONE"))
        for v in VALUES:
            self.assertNotIn(v, r.stdout + r.stderr)
        return r

    def status(self, host):
        p = lambda n: read(os.path.join(self.pki, n))
        creds = grpc.ssl_channel_credentials(p("ca.pem"), p("client.key"), p("client.pem"))
        with grpc.secure_channel(host, creds) as ch:
            reply = agent_pb2_grpc.AgentStub(ch).GetStatus(agent_pb2.GetStatusRequest(),
                                                           timeout=20)
        for v in VALUES:
            self.assertNotIn(v.encode(), reply.SerializeToString())
        return reply.deployments[0]

    def test_help_documents_the_canary_and_exit_81(self):
        r = subprocess.run([FANOUT, "--help"], capture_output=True, text=True, timeout=60)
        text = r.stdout + r.stderr
        for want in ["--canary=N syncs the first N hosts", "--require_health", "else 81 (a",
                     "outside 0..number of hosts"]:
            self.assertIn(want, text)

    def test_a_failed_canary_leaves_every_other_host_untouched_then_a_good_one_goes_on(self):
        r = self.fanout(self.hosts, "--canary=1", "--json")
        self.assertEqual(r.returncode, 81, r.stdout + r.stderr)
        rows = json.loads(r.stdout)["hosts"]
        self.assertEqual(rows[0]["result"], "failed", rows[0])
        self.assertEqual(rows[0]["exit_code"], 81, rows[0])
        self.assertEqual(rows[0]["health"]["outcome"], "UNHEALTHY_ROLLED_BACK", rows[0])
        self.assertIn("fanout: stopped: canary %s rolled back: unhealthy" % self.hosts[0],
                      r.stderr)
        self.assertIn("2 hosts not started", r.stderr)
        self.assertEqual(read(os.path.join(self.dirs[0], ".env")), OLD_ENV)  # rolled back
        for i in range(1, HOSTS):
            self.assertEqual(rows[i]["result"], "skipped", rows[i])
            self.assertIsNone(rows[i]["health"])
            self.assertTrue(rows[i]["error"].startswith("not started: canary "), rows[i])
            env_path = os.path.join(self.dirs[i], ".env")
            self.assertEqual(read(env_path), OLD_ENV)
            self.assertEqual(os.stat(env_path).st_mtime, OLD_MTIME)
            self.assertFalse(os.path.exists(os.path.join(self.dirs[i], "command.log")))
            self.assertEqual(self.status(self.hosts[i]).runs, 0)
        canary = self.status(self.hosts[0])
        self.assertEqual((canary.runs, canary.last_exit_code), (1, 81))
        self.assertEqual(canary.last_health, 2)  # UNHEALTHY_ROLLED_BACK

        # With a canary that passes, the rest follow in batches: every host syncs.
        r = self.fanout(self.hosts[1:], "--canary=1", "--batch=1")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(r.stdout.startswith("HOST "), r.stdout)
        self.assertIn("HEALTH", r.stdout.splitlines()[0])
        for i in range(1, HOSTS):
            env = read(os.path.join(self.dirs[i], ".env"))
            self.assertIn(b"SECRET_KEY=", env)
            st = self.status(self.hosts[i])
            self.assertEqual((st.runs, st.last_exit_code), (1, 0))
            self.assertEqual(st.last_health, 0)  # HEALTH_NOT_CHECKED: no check configured


if __name__ == "__main__":
    (AGENT, FANOUT, DEVSERVER, MAKE_CERTS, SEED, TEMPLATE, AGENT_PROTO,
     REPORT_PROTO) = sys.argv[1:9]
    unittest.main(argv=sys.argv[:1], verbosity=2)
