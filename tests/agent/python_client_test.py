"""The agent seen from Debian's python3-grpcio (not our C++ stubs): the auth
matrix, health, reflection and GetStatus against a real fake_agent process.

Usage: python_client_test.py FAKE_AGENT MAKE_CERTS AGENT_PROTO REPORT_PROTO
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

CANARY = "CANARY-agent-s3cr3t-7f1d"
TOKEN = "CANARY-python-token-55aa"


def gen_stubs(out_dir, agent_proto, report_proto):
    src = os.path.join(out_dir, "src", "proto")
    os.makedirs(src)
    shutil.copy(agent_proto, src)
    shutil.copy(report_proto, src)
    subprocess.check_call([
        "protoc", "-I", os.path.join(out_dir, "src"), "--python_out=" + out_dir,
        "--grpc_python_out=" + out_dir,
        "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
        "proto/agent.proto", "proto/report.proto"])
    sys.path.insert(0, out_dir)


class AgentProcess:
    def __init__(self, binary, args):
        self.proc = subprocess.Popen([binary, "--listen=127.0.0.1:0"] + args,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=dict(os.environ, GRPC_VERBOSITY="NONE"))
        line = self.proc.stdout.readline()
        m = re.search(r"\(port (\d+)\)", line)
        if not m:
            raise RuntimeError("agent did not start: " + line + self.proc.stderr.read())
        self.target = "127.0.0.1:" + m.group(1)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out + err


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.pki = os.path.join(cls.tmp, "pki")
        subprocess.check_call(["bash", MAKE_CERTS, cls.pki])
        gen_stubs(os.path.join(cls.tmp, "py"), AGENT_PROTO, REPORT_PROTO)
        global agent_pb2, agent_pb2_grpc
        from proto import agent_pb2, agent_pb2_grpc  # noqa: E402
        token_file = cls.token_file = os.path.join(cls.tmp, "token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        p = lambda n: os.path.join(cls.pki, n)
        cls.agent = AgentProcess(FAKE_AGENT, [
            "--tls_cert_file=" + p("server.pem"), "--tls_key_file=" + p("server.key"),
            "--client_ca_file=" + p("ca.pem"), "--allowed_sans=spiffe://corp/central",
            "--token_file=" + token_file, "--rate_per_minute=6000", "--rate_burst=100",
            "--reflection"])

    @classmethod
    def tearDownClass(cls):
        code, log = cls.agent.stop()
        assert code == 0, log
        assert CANARY not in log and TOKEN not in log, "canary in the agent's output"
        assert "CANARY-python-token-rotated" not in log
        assert "agent.reloaded" in log, log
        assert "agent.refused" in log, log

    def read(self, name):
        with open(os.path.join(self.pki, name), "rb") as f:
            return f.read()

    def channel(self, cert):
        if cert is None:
            creds = grpc.ssl_channel_credentials(self.read("ca.pem"))
        else:
            creds = grpc.ssl_channel_credentials(
                self.read("ca.pem"), self.read(cert + ".key"), self.read(cert + ".pem"))
        return grpc.secure_channel(self.agent.target, creds)

    def sync(self, cert, token=TOKEN, request_id=""):
        with self.channel(cert) as ch:
            stub = agent_pb2_grpc.AgentStub(ch)
            md = [("authorization", "Bearer " + token)] if token else []
            return stub.Sync(agent_pb2.SyncRequest(request_id=request_id), metadata=md,
                             timeout=20)

    def status(self):
        with self.channel("client") as ch:
            return agent_pb2_grpc.AgentStub(ch).GetStatus(
                agent_pb2.GetStatusRequest(), metadata=[("authorization", "Bearer " + TOKEN)],
                timeout=20)

    def runs(self):
        return self.status().deployments[0].runs

    def test_right_certificate_and_token_sync(self):
        before = self.runs()
        reply = self.sync("client")
        self.assertEqual(reply.output_path, "/srv/web/.env")
        self.assertEqual(list(reply.changed), ["DATABASE_PASSWORD"])
        self.assertNotIn(CANARY.encode(), reply.SerializeToString())
        self.assertEqual(self.runs(), before + 1)

    def test_refused_callers_run_nothing(self):
        before = self.runs()
        cases = [
            ("no certificate", None, TOKEN, grpc.StatusCode.UNAVAILABLE),
            ("another CA", "stranger", TOKEN, grpc.StatusCode.UNAVAILABLE),
            ("SAN not allowed", "intruder", TOKEN, grpc.StatusCode.PERMISSION_DENIED),
            ("wrong token", "client", TOKEN + "x", grpc.StatusCode.UNAUTHENTICATED),
            ("no token", "client", "", grpc.StatusCode.UNAUTHENTICATED),
        ]
        for name, cert, token, code in cases:
            with self.subTest(name):
                with self.assertRaises(grpc.RpcError) as e:
                    self.sync(cert, token)
                self.assertEqual(e.exception.code(), code)
                self.assertNotIn(TOKEN, e.exception.details() or "")
        self.assertEqual(self.runs(), before)

    def test_repeated_request_id_runs_once(self):
        before = self.runs()
        a = self.sync("client", request_id="py-req-1")
        b = self.sync("client", request_id="py-req-1")
        self.assertEqual(a.SerializeToString(), b.SerializeToString())
        self.assertEqual(self.runs(), before + 1)

    def set_token_and_sighup(self, token):
        with open(self.token_file, "w") as f:
            f.write(token + "\n")
        self.agent.proc.send_signal(signal.SIGHUP)
        for _ in range(200):  # the reload happens on the agent's main thread
            try:
                return self.sync("client", token)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.UNAUTHENTICATED:
                    raise
            time.sleep(0.05)
        self.fail("the new token was not accepted after SIGHUP")

    def test_sighup_reloads_the_token_file(self):
        rotated = "CANARY-python-token-rotated"
        self.set_token_and_sighup(rotated)
        with self.assertRaises(grpc.RpcError) as e:
            self.sync("client", TOKEN)
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.set_token_and_sighup(TOKEN)

    def test_status_health_and_reflection(self):
        st = self.status()
        self.assertEqual(st.agent_version, "secretsync-agent 0.1.0")
        self.assertEqual([d.deployment for d in st.deployments], ["web", "worker"])
        with self.channel("client") as ch:
            # grpc.health.v1.Health/Check with an empty request: status SERVING (1).
            health = ch.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=10)
            self.assertEqual(health, b"\x08\x01")
            # ServerReflectionInfo with list_services = "" (field 7).
            replies = list(ch.stream_stream(
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")(
                    iter([b"\x3a\x00"]), timeout=10))
            self.assertTrue(any(b"secretsync.v1.Agent" in r for r in replies), replies)


if __name__ == "__main__":
    FAKE_AGENT, MAKE_CERTS, AGENT_PROTO, REPORT_PROTO = sys.argv[1:5]
    unittest.main(argv=sys.argv[:1], verbosity=2)
