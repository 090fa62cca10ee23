"""//tools:fanout against 50 separate fake_agent processes on 127.0.0.1
(distinct ports, mTLS): healthy, failing and unreachable agents give the right
per-host rows and exit status; --stop-on-failure starts no host after the
first failure; the request id is printed; a host's own =NAME is the TLS name
checked; plaintext and host entries are refused before any call when the
host is not loopback or an IPv6 address lacks brackets. Flags are spelled
with dashes, as an operator types them.

Usage: fanout_processes_test.py FAKE_AGENT FANOUT MAKE_CERTS
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

CANARY = "CANARY-agent-s3cr3t-7f1d"
AGENTS = 50
FAILING = {3, 17, 31, 44}  # indexes whose syncs fail with exit 75


def free_dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there any more
    return "127.0.0.1:%d" % port


class FanoutProcessesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.pki = os.path.join(cls.tmp, "pki")
        subprocess.check_call(["bash", MAKE_CERTS, cls.pki])
        env = dict(os.environ, GRPC_VERBOSITY="NONE")
        cls.procs, cls.hosts = [], []
        p = lambda n: os.path.join(cls.pki, n)
        for i in range(AGENTS):
            args = [FAKE_AGENT, "--listen=127.0.0.1:0", "--tls-cert-file=" + p("server.pem"),
                    "--tls-key-file=" + p("server.key"), "--client-ca-file=" + p("ca.pem"),
                    "--allowed-sans=spiffe://corp/central", "--rate-per-minute=6000"]
            if i in FAILING:
                args.append("--fake-exit-code=75")
            cls.procs.append(subprocess.Popen(args, stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE, text=True, env=env))
        for proc in cls.procs:
            line = proc.stdout.readline()
            m = re.search(r"\(port (\d+)\)", line)
            assert m, "agent did not start: " + line
            cls.hosts.append("127.0.0.1:" + m.group(1))

    @classmethod
    def tearDownClass(cls):
        for proc in cls.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in cls.procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert CANARY not in out + err

    def run_fanout(self, args):
        r = subprocess.run([FANOUT] + args, capture_output=True, text=True,
                           env=dict(os.environ, GRPC_VERBOSITY="NONE"), timeout=120)
        self.assertNotIn(CANARY, r.stdout + r.stderr)
        return r

    def fanout(self, hosts, *extra):
        hosts_file = os.path.join(self.tmp, "hosts-%f" % time.time())
        with open(hosts_file, "w") as f:
            f.write("# fleet\n" + "\n".join(hosts) + "\n")
        p = lambda n: os.path.join(self.pki, n)
        return self.run_fanout(["--hosts-file=" + hosts_file, "--ca-file=" + p("ca.pem"),
                                "--tls-cert-file=" + p("client.pem"),
                                "--tls-key-file=" + p("client.key"), "--deadline=60s"]
                               + list(extra))

    def test_mixed_fleet_rows_and_exit_status(self):
        dead = [free_dead_port(), free_dead_port()]
        hosts = self.hosts[:10] + [dead[0]] + self.hosts[10:] + [dead[1]]
        r = self.fanout(hosts, "--json", "--parallel=16")
        self.assertEqual(r.returncode, 75, r.stderr)
        rows = {row["host"]: row for row in json.loads(r.stdout)["hosts"]}
        self.assertEqual(len(rows), AGENTS + 2)
        for d in dead:
            self.assertEqual(rows[d]["result"], "unreachable")
        for i, h in enumerate(self.hosts):
            want = "failed" if i in FAILING else "ok"
            self.assertEqual(rows[h]["result"], want, h)
            if want == "ok":
                self.assertEqual(rows[h]["changed"], ["DATABASE_PASSWORD"])

    def test_healthy_hosts_exit_zero_with_a_table(self):
        healthy = [h for i, h in enumerate(self.hosts) if i not in FAILING][:20]
        r = self.fanout(healthy)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("HOST"))
        self.assertEqual(r.stdout.count(" ok "), 20, r.stdout)

    def test_stop_on_failure_starts_nothing_after_the_first_failure(self):
        # Hosts 0..3 in order; host 3 fails; with one call at a time, 4.. are skipped.
        r = self.fanout(self.hosts[:10], "--json", "--parallel=1", "--stop-on-failure")
        self.assertEqual(r.returncode, 75)
        results = [row["result"] for row in json.loads(r.stdout)["hosts"]]
        self.assertEqual(results, ["ok"] * 3 + ["failed"] + ["skipped"] * 6)

    def test_request_id_is_printed_in_table_json_and_log(self):
        healthy = [h for i, h in enumerate(self.hosts) if i not in FAILING][:3]
        r = self.fanout(healthy, "--request-id=ops-retry-7")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("--request_id=ops-retry-7", r.stdout.splitlines()[-1])
        logged = [l for l in r.stderr.splitlines() if "fanout.host" in l]
        self.assertEqual(len(logged), 3, r.stderr)
        for line in logged:
            self.assertIn("request_id=ops-retry-7", line)
        r = self.fanout(healthy, "--json")
        request_id = json.loads(r.stdout)["request_id"]
        self.assertTrue(request_id.startswith("fanout-"), r.stdout)
        self.assertIn("request_id=" + request_id, r.stderr)

    def test_a_hosts_own_tls_name_wins_over_the_global_one(self):
        # The agents' certificates name IP:127.0.0.1 only.
        good, other = self.hosts[0], self.hosts[1]
        r = self.fanout([good + "=127.0.0.1", other], "--json",
                        "--tls-server-name=wrong.example.org", "--deadline=60s")
        self.assertEqual(r.returncode, 75, r.stderr)
        rows = {row["host"]: row for row in json.loads(r.stdout)["hosts"]}
        self.assertEqual(rows[good]["result"], "ok", r.stdout)
        self.assertEqual(rows[other]["result"], "unreachable", r.stdout)

    def test_bad_hosts_are_refused_before_any_call(self):
        port = self.hosts[0].split(":")[1]
        for host, message in [("127.0.0.1.attacker.example:" + port, "not a loopback IP"),
                              ("localhost.attacker.example:" + port, "not a loopback IP"),
                              ("::1:" + port, "[::1]:" + port)]:
            r = self.run_fanout(["--hosts=" + host, "--insecure-loopback-plaintext",
                                 "--deadline=2s"])
            self.assertEqual(r.returncode, 64, host + ": " + r.stdout + r.stderr)
            self.assertIn(message, r.stderr)
            self.assertEqual(r.stdout, "")


if __name__ == "__main__":
    FAKE_AGENT, FANOUT, MAKE_CERTS = sys.argv[1:4]
    unittest.main(argv=sys.argv[:1], verbosity=2)
