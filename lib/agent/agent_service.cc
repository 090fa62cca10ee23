// AgentService: admit, delegate, convert the status.
#include "lib/agent/agent_service.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/agent/grpc_caller.h"
#include "lib/base/status_convert.h"

namespace secretsync {
namespace agent {

const char kAgentVersion[] = "secretsync-agent 0.1.0";

absl::StatusOr<std::string> AgentService::Admit(const grpc::ServerContext& context,
                                                const char* rpc) {
  absl::StatusOr<std::string> who = auth_.Authenticate(CallerInfoFromContext(context));
  if (!who.ok()) {
    LogEvent(log_, 'W', "agent.refused")
        .Field("rpc", rpc)
        .Field("peer", context.peer())
        .Field("why", who.status().message());
    // The caller learns the code only.
    return absl::Status(who.status().code(), who.status().code() == absl::StatusCode::kPermissionDenied
                                                 ? "permission denied"
                                                 : "unauthenticated");
  }
  // One bucket per (RPC, caller): a flood of GetStatus must not use up the
  // caller's Syncs, nor Syncs its GetStatus.
  if (!limiter_.Allow(absl::StrCat(rpc, " ", *who))) {
    LogEvent(log_, 'W', "agent.rate_limited").Field("rpc", rpc).Field("caller", *who);
    return absl::ResourceExhaustedError("rate limit exceeded");
  }
  return who;
}

grpc::Status AgentService::Sync(grpc::ServerContext* context,
                                const secretsync::v1::SyncRequest* request,
                                secretsync::v1::SyncReport* reply) {
  absl::StatusOr<std::string> who = Admit(*context, "Sync");
  if (!who.ok()) return ToGrpcStatus(who.status());
  SyncCall call;
  call.caller = *std::move(who);
  call.request_id = request->request_id();
  call.deployment = request->deployment();
  call.dry_run = request->dry_run();
  absl::StatusOr<secretsync::v1::SyncReport> report = coordinator_.Sync(call);
  if (!report.ok()) return ToGrpcStatus(report.status());
  *reply = *std::move(report);
  return grpc::Status::OK;
}

grpc::Status AgentService::GetStatus(grpc::ServerContext* context,
                                     const secretsync::v1::GetStatusRequest* request,
                                     secretsync::v1::GetStatusReply* reply) {
  absl::StatusOr<std::string> who = Admit(*context, "GetStatus");
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::vector<secretsync::v1::DeploymentStatus>> all =
      coordinator_.Status(request->deployment());
  if (!all.ok()) return ToGrpcStatus(all.status());
  reply->set_agent_version(kAgentVersion);
  for (auto& s : *all) *reply->add_deployments() = std::move(s);
  return grpc::Status::OK;
}

}  // namespace agent
}  // namespace secretsync
