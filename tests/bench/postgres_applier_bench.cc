// Figures for the PostgreSQL pieces of rotate against a real local server:
// medians of the verifier, a password change (libpq and psql on stdin) and a
// login probe. Run by tests/bench/postgres_applier_bench.sh, not by bazel test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/base/command_runner.h"
#include "lib/base/random_source.h"
#include "lib/postgres/exec_role_applier.h"
#include "lib/postgres/libpq_role_applier.h"
#include "lib/postgres/scram_verifier.h"
#include "lib/testing/postgres_server.h"

namespace secretsync {
namespace postgres {
namespace {

double MedianMs(int runs, const std::function<bool(int)>& body) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (!body(i)) {
      std::fprintf(stderr, "bench: run %d failed\n", i);
      std::exit(1);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

SecretValue Password(int i) { return SecretValue(absl::StrCat("Bench-Password-", i, "-x")); }

int Main(int runs) {
  auto t0 = std::chrono::steady_clock::now();
  auto server = secretsync::testing::PostgresServer::Start();
  if (!server.ok()) {
    std::fprintf(stderr, "bench: %s\n", server.status().ToString().c_str());
    return 1;
  }
  double start_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto& s = **server;
  ConnectionOptions c;
  c.port = s.port();
  c.database = "glitchtip";
  c.sslmode = "disable";
  const std::string role = "glitchtip_maintainer";
  OsRandomSource random;
  RealCommandRunner runner;

  SecretValue current(s.options().role_password);
  int n = 0;
  double verifier = MedianMs(runs, [&](int i) {
    return ScramSha256Verifier(Password(i), random).ok();
  });
  double set_libpq = MedianMs(runs, [&](int) {
    SecretValue next = Password(++n);
    LibpqRoleApplier self(c, role, current.Copy());
    bool ok = self.SetPassword(role, next).ok();
    current = std::move(next);
    return ok;
  });
  LibpqRoleApplier probe(c, role, current.Copy());
  double can_log_in = MedianMs(runs, [&](int) { return probe.CanLogIn(role, current).ok(); });
  double refused = MedianMs(runs, [&](int) {
    return probe.CanLogIn(role, SecretValue(std::string("wrong-password"))).code() ==
           absl::StatusCode::kUnauthenticated;
  });
  ExecRoleApplier exec(runner, random,
                       {secretsync::testing::PostgresServer::PsqlPath(), "-X", "-q", "-h",
                        s.socket_dir(), "-p", absl::StrCat(s.port()), "-U", role, "-d",
                        "glitchtip", "-v", "ON_ERROR_STOP=1"});
  double set_exec = MedianMs(runs, [&](int) {
    SecretValue next = Password(++n);
    bool ok = exec.SetPassword(role, next).ok();
    current = std::move(next);
    return ok;
  });
  ExecRoleApplier exec_admin(runner, random,
                             {secretsync::testing::PostgresServer::PsqlPath(), "-X", "-q", "-h",
                              s.socket_dir(), "-p", absl::StrCat(s.port()), "-U", "postgres",
                              "-d", "glitchtip"});
  double exec_probe =
      MedianMs(runs, [&](int) { return exec_admin.CanLogIn(role, current).ok(); });
  bool last_ok = probe.CanLogIn(role, current).ok();
  std::printf("runs per figure: %d (medians, ms)\n", runs);
  std::printf("fixture start (initdb + start + role/db): %.1f (once)\n", start_ms);
  std::printf("ScramSha256Verifier (OpenSSL, 4096 iterations): %.2f\n", verifier);
  std::printf("LibpqRoleApplier::SetPassword (self login + ALTER ROLE): %.2f\n", set_libpq);
  std::printf("LibpqRoleApplier::CanLogIn (login + SELECT 1): %.2f\n", can_log_in);
  std::printf("LibpqRoleApplier::CanLogIn, wrong password (28P01): %.2f\n", refused);
  std::printf("ExecRoleApplier::SetPassword (psql on stdin, Unix socket): %.2f\n", set_exec);
  std::printf("ExecRoleApplier::CanLogIn (psql reads pg_authid, client check): %.2f\n",
              exec_probe);
  std::printf("last password logs in: %s\n", last_ok ? "yes" : "NO");
  return last_ok ? 0 : 1;
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 50;
  return secretsync::postgres::Main(runs > 0 ? runs : 50);
}
