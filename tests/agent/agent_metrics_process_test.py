"""The agent's /metrics as a process serves it: a real fake_agent with
--metrics_listen on loopback, Sync calls from Debian's python3-grpcio (ok,
refused by the rate limit, SAN not allowed), the page fetched with curl and
checked by promtool, the counter values asserted, the certificate expiry
re-read on SIGHUP, no planted value anywhere; a metrics address in use or
without a host stops the start.

Usage: agent_metrics_process_test.py FAKE_AGENT MAKE_CERTS AGENT_PROTO REPORT_PROTO
       PYTHON_CLIENT_TEST
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tempfile
import unittest

import grpc

CANARY = "CANARY-agent-s3cr3t-7f1d"
CALLER = "spiffe://corp/central"


def sample(text, name, labels=""):
    """The value of one series in an exposition, or None."""
    m = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(m.group(1)) if m else None


class AgentMetricsProcessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.pki = os.path.join(cls.tmp, "pki")
        subprocess.check_call(["bash", MAKE_CERTS, cls.pki])
        client.gen_stubs(os.path.join(cls.tmp, "py"), AGENT_PROTO, REPORT_PROTO)
        global agent_pb2, agent_pb2_grpc
        from proto import agent_pb2, agent_pb2_grpc  # noqa: E402
        # The agent serves copies, so the test can renew them.
        cls.served = os.path.join(cls.tmp, "served")
        os.makedirs(cls.served)
        for n in ("server.pem", "server.key", "ca.pem"):
            shutil.copy(os.path.join(cls.pki, n), cls.served)
        s = lambda n: os.path.join(cls.served, n)
        cls.agent = client.AgentProcess(FAKE_AGENT, [
            "--tls_cert_file=" + s("server.pem"), "--tls_key_file=" + s("server.key"),
            "--client_ca_file=" + s("ca.pem"), "--allowed_sans=" + CALLER,
            "--rate_per_minute=1", "--rate_burst=2", "--metrics_listen=127.0.0.1:0"])
        line = cls.agent.proc.stdout.readline()
        m = re.match(r"agent: metrics on 127\.0\.0\.1:0 \(port (\d+)\)$", line.strip())
        assert m, "no metrics line: " + line
        cls.metrics_port = m.group(1)
        cls.url = "http://127.0.0.1:%s/metrics" % cls.metrics_port

    @classmethod
    def tearDownClass(cls):
        code, log = cls.agent.stop()
        assert code == 0, log
        assert CANARY not in log, "canary in the agent's output"

    def read(self, name):
        with open(os.path.join(self.pki, name), "rb") as f:
            return f.read()

    def sync(self, cert):
        creds = grpc.ssl_channel_credentials(
            self.read("ca.pem"), self.read(cert + ".key"), self.read(cert + ".pem"))
        with grpc.secure_channel(self.agent.target, creds) as ch:
            return agent_pb2_grpc.AgentStub(ch).Sync(agent_pb2.SyncRequest(), timeout=20)

    def scrape(self):
        page = subprocess.run(["curl", "-sS", "--fail", "--max-time", "10", self.url],
                              capture_output=True, text=True, check=True).stdout
        check = subprocess.run(["promtool", "check", "metrics"], input=page,
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr + page)
        self.assertNotIn(CANARY, page)
        return page

    def renew_server_certificate(self, days):
        """Signs a new server certificate valid `days` with the test CA."""
        d, ca = self.served, lambda n: os.path.join(self.pki, n)
        ext = os.path.join(self.tmp, "renew.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        subprocess.check_call(
            ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-subj", "/CN=agent", "-keyout", os.path.join(d, "new.key"),
             "-out", os.path.join(d, "new.csr")], stderr=subprocess.DEVNULL)
        subprocess.check_call(
            ["openssl", "x509", "-req", "-in", os.path.join(d, "new.csr"), "-CA", ca("ca.pem"),
             "-CAkey", ca("ca.key"), "-CAcreateserial", "-days", str(days), "-extfile", ext,
             "-out", os.path.join(d, "new.pem")], stderr=subprocess.DEVNULL)
        os.replace(os.path.join(d, "new.key"), os.path.join(d, "server.key"))
        os.replace(os.path.join(d, "new.pem"), os.path.join(d, "server.pem"))

    def test_metrics_count_calls_refusals_and_follow_a_renewed_certificate(self):
        before = self.scrape()
        self.assertEqual(sample(before, "secretsync_agent_syncs_in_flight"), 0)
        self.assertEqual(sample(before, "secretsync_agent_refusals_total",
                                '{reason="rate_limit",rpc="Sync"}'), 0)
        two_days = 2 * 86400
        server = sample(before, "secretsync_agent_certificate_expiry_seconds", '{cert="server"}')
        ca = sample(before, "secretsync_agent_certificate_expiry_seconds", '{cert="client_ca"}')
        self.assertTrue(two_days - 600 < server <= two_days, before)
        self.assertTrue(two_days - 600 < ca <= two_days, before)

        self.assertEqual(self.sync("client").output_path, "/srv/web/.env")
        self.sync("client")  # the burst of 2 is used up
        with self.assertRaises(grpc.RpcError) as e:
            self.sync("client")
        self.assertEqual(e.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        with self.assertRaises(grpc.RpcError) as e:
            self.sync("intruder")
        self.assertEqual(e.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

        page = self.scrape()
        calls = '{caller="%s",outcome="ok"}' % CALLER
        self.assertEqual(sample(page, "secretsync_agent_sync_calls_total", calls), 2, page)
        self.assertEqual(sample(page, "secretsync_agent_refusals_total",
                                '{reason="rate_limit",rpc="Sync"}'), 1, page)
        self.assertEqual(sample(page, "secretsync_agent_refusals_total",
                                '{reason="not_allowed",rpc="Sync"}'), 1, page)
        self.assertEqual(sample(page, "secretsync_agent_refusals_total",
                                '{reason="token",rpc="Sync"}'), 0, page)
        self.assertEqual(sample(page, "secretsync_agent_sync_duration_seconds_count",
                                '{deployment="web"}'), 2, page)
        self.assertGreater(sample(page, "secretsync_agent_last_success_timestamp_seconds",
                                  '{deployment="web"}'), time.time() - 600)
        self.assertNotIn("intruder", page)  # a refused caller gets no label

        self.renew_server_certificate(days=30)
        self.agent.proc.send_signal(signal.SIGHUP)
        for _ in range(200):  # the reload runs on the agent's main thread
            page = self.scrape()
            server = sample(page, "secretsync_agent_certificate_expiry_seconds",
                            '{cert="server"}')
            if server > 29 * 86400:
                break
            time.sleep(0.05)
        self.assertGreater(server, 29 * 86400, page)

    def start_second_agent(self, metrics_listen):
        s = lambda n: os.path.join(self.served, n)
        return subprocess.run(
            [FAKE_AGENT, "--listen=127.0.0.1:0", "--tls_cert_file=" + s("server.pem"),
             "--tls_key_file=" + s("server.key"), "--client_ca_file=" + s("ca.pem"),
             "--allowed_sans=" + CALLER, "--metrics_listen=" + metrics_listen],
            capture_output=True, text=True, timeout=60, env=dict(os.environ, GRPC_VERBOSITY="NONE"))

    def test_a_metrics_address_in_use_or_without_host_stops_the_start(self):
        busy = self.start_second_agent("127.0.0.1:" + self.metrics_port)
        self.assertEqual(busy.returncode, 75, busy.stderr)
        self.assertIn("--metrics_listen 127.0.0.1:%s: cannot listen" % self.metrics_port,
                      busy.stderr)
        self.assertNotIn("listening on", busy.stdout)
        bare = self.start_second_agent("9464")
        self.assertEqual(bare.returncode, 64, bare.stderr)
        self.assertIn("want host:port", bare.stderr)


if __name__ == "__main__":
    FAKE_AGENT, MAKE_CERTS, AGENT_PROTO, REPORT_PROTO, PYTHON_CLIENT_TEST = sys.argv[1:6]
    sys.path.insert(0, os.path.dirname(os.path.abspath(PYTHON_CLIENT_TEST)))
    import python_client_test as client  # noqa: E402  (gen_stubs, AgentProcess)
    unittest.main(argv=sys.argv[:1], verbosity=2)
