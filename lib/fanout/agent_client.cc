// SyncHost over the generated Agent stub.
#include "lib/fanout/agent_client.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_convert.h"
#include "lib/base/status_macros.h"
#include "proto/agent.grpc.pb.h"

namespace secretsync {
namespace fanout {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kFailed: return "failed";
    case Outcome::kRefused: return "refused";
    case Outcome::kUnreachable: return "unreachable";
    case Outcome::kError: return "error";
    case Outcome::kSkipped: return "skipped";
  }
  return "error";
}

const char* HealthName(secretsync::v1::HealthOutcome h) {
  switch (h) {
    case secretsync::v1::HEALTHY: return "healthy";
    case secretsync::v1::UNHEALTHY_ROLLED_BACK: return "rolled-back";
    case secretsync::v1::UNHEALTHY: return "unhealthy";
    case secretsync::v1::HELD_BACK: return "held-back";
    default: return "-";
  }
}

absl::StatusOr<ClientTls> LoadClientTls(Filesystem& fs, const std::string& ca_file,
                                        const std::string& cert_file,
                                        const std::string& key_file) {
  constexpr size_t kMax = 256 * 1024;
  ClientTls tls;
  absl::StatusOr<std::string> ca = fs.ReadFile(ca_file, kMax);
  if (!ca.ok()) return Annotate(ca.status(), "--ca_file");
  tls.ca_pem = *std::move(ca);
  absl::StatusOr<std::string> cert = fs.ReadFile(cert_file, kMax);
  if (!cert.ok()) return Annotate(cert.status(), "--tls_cert_file");
  tls.cert_pem = *std::move(cert);
  absl::StatusOr<std::string> key = fs.ReadFile(key_file, kMax);
  if (!key.ok()) return Annotate(key.status(), "--tls_key_file");
  tls.key_pem = SecretValue(*std::move(key));
  return tls;
}

namespace {

std::shared_ptr<grpc::Channel> Channel(const HostEntry& host, const ClientTls& tls) {
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  if (tls.plaintext) {
    return grpc::CreateCustomChannel(host.target, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = tls.ca_pem;
  o.pem_cert_chain = tls.cert_pem;
  o.pem_private_key = std::string(tls.key_pem.Expose());
  const std::string& name = host.server_name.empty() ? tls.server_name : host.server_name;
  if (!name.empty()) args.SetSslTargetNameOverride(name);
  return grpc::CreateCustomChannel(host.target, grpc::SslCredentials(o), args);
}

Outcome Classify(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Outcome::kRefused;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Outcome::kUnreachable;
    default:
      return Outcome::kError;
  }
}

// Error text from an agent is cut to this many bytes.
constexpr size_t kMaxErrorBytes = 200;

}  // namespace

int HostExitCode(const HostResult& r) {
  switch (r.outcome) {
    case Outcome::kOk:
      return kExitOk;
    case Outcome::kFailed:
      return r.exit_code == kExitRolledBack ? kExitRolledBack : kExitTempFail;
    case Outcome::kSkipped:
      return kExitTempFail;
    case Outcome::kRefused:
    case Outcome::kUnreachable:
    case Outcome::kError:
      break;
  }
  if (r.rpc_code == absl::StatusCode::kOk) return kExitSoftware;
  return ExitCodeFromStatus(absl::Status(r.rpc_code, "rpc"));
}

std::string CutUtf8(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t n = max_bytes;
  // Back over at most 3 continuation bytes (10xxxxxx) to the sequence's lead
  // byte, which is cut too; a longer run is invalid anyway.
  for (int k = 0; k < 3 && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80; ++k) {
    --n;
  }
  return std::string(text.substr(0, n));
}

HostResult SyncHost(const HostEntry& host, const ClientTls& tls, const SyncCallSpec& spec) {
  HostResult r;
  r.host = host.target;
  const absl::Time start = spec.clock->TimeNow();
  auto stub = secretsync::v1::Agent::NewStub(Channel(host, tls));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(spec.deadline)));
  if (spec.token != nullptr && !spec.token->empty()) {
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", spec.token->Expose()));
  }
  secretsync::v1::SyncRequest req;
  req.set_request_id(spec.request_id);
  req.set_deployment(spec.deployment);
  req.set_dry_run(spec.dry_run);
  secretsync::v1::SyncReport report;
  grpc::Status s = stub->Sync(&ctx, req, &report);
  r.duration_ms = absl::ToInt64Milliseconds(spec.clock->TimeNow() - start);
  if (!s.ok()) {
    r.outcome = Classify(s.error_code());
    r.rpc_code = FromGrpcStatus(s).code();
    r.error = absl::StrCat("rpc ", absl::StatusCodeToString(r.rpc_code), ": ",
                           CutUtf8(s.error_message(), kMaxErrorBytes));
    return r;
  }
  for (const auto& n : report.added()) r.changed.push_back(n);
  for (const auto& n : report.changed()) r.changed.push_back(n);
  for (const auto& n : report.removed()) r.changed.push_back(n);
  r.exit_code = report.exit_code();
  r.reported = true;
  r.health = report.health().outcome();
  r.health_check = CutUtf8(report.health().check(), kMaxErrorBytes);
  r.health_detail = CutUtf8(report.health().detail(), kMaxErrorBytes);
  r.error = CutUtf8(report.error(), kMaxErrorBytes);
  r.outcome = report.exit_code() == 0 && report.error().empty() ? Outcome::kOk : Outcome::kFailed;
  return r;
}

}  // namespace fanout
}  // namespace secretsync
