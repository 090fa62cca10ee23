// AgentService: admit, delegate, convert the status.
#include "lib/agent/agent_service.h"

#include <atomic>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/agent/grpc_caller.h"
#include "lib/base/status_convert.h"

namespace secretsync {
namespace agent {

const char kAgentVersion[] = "secretsync-agent 0.1.0";

namespace {

// One Sync call: registered with the coordinator, finished by its report or
// by gRPC's cancellation (deadline, client gone, server shutdown). Deletes
// itself when gRPC is done with it.
class SyncReactor final : public grpc::ServerUnaryReactor {
 public:
  SyncReactor(SyncCoordinator& coordinator, AgentObserver& observer,
              secretsync::v1::SyncReport* reply)
      : coordinator_(coordinator), observer_(observer), reply_(reply) {}

  void Begin(const SyncCall& call, absl::Time deadline) {
    ticket_.store(coordinator_.Start(
        call, deadline, [this, caller = call.caller](absl::StatusOr<secretsync::v1::SyncReport> r) {
          observer_.CallFinished(caller, r);
          if (r.ok()) *reply_ = *std::move(r);
          Finish(r.ok() ? grpc::Status::OK : ToGrpcStatus(r.status()));
        }));
  }
  // gRPC calls OnCancel only after the handler returned, so ticket_ is set;
  // a call already finished has no ticket left and Cancel is a no-op.
  void OnCancel() override { coordinator_.Cancel(ticket_.load()); }
  void OnDone() override { delete this; }

 private:
  SyncCoordinator& coordinator_;
  AgentObserver& observer_;
  secretsync::v1::SyncReport* reply_;
  std::atomic<uint64_t> ticket_{0};
};

}  // namespace

absl::StatusOr<std::string> AgentService::Admit(const grpc::CallbackServerContext& context,
                                                const char* rpc) {
  absl::StatusOr<std::string> who = auth_.Authenticate(CallerInfoFromContext(context));
  if (!who.ok()) {
    LogEvent(log_, 'W', "agent.refused")
        .Field("rpc", rpc)
        .Field("peer", context.peer())
        .Field("why", who.status().message());
    observer_.Refused(rpc, who.status().code() == absl::StatusCode::kPermissionDenied
                               ? RefusalReason::kNotAllowed
                               : RefusalReason::kToken);
    // The caller learns the code only.
    return absl::Status(who.status().code(), who.status().code() == absl::StatusCode::kPermissionDenied
                                                 ? "permission denied"
                                                 : "unauthenticated");
  }
  // One bucket per (RPC, caller): a flood of GetStatus must not use up the
  // caller's Syncs, nor Syncs its GetStatus.
  if (!limiter_.Allow(absl::StrCat(rpc, " ", *who))) {
    LogEvent(log_, 'W', "agent.rate_limited").Field("rpc", rpc).Field("caller", *who);
    observer_.Refused(rpc, RefusalReason::kRateLimit);
    return absl::ResourceExhaustedError("rate limit exceeded");
  }
  return who;
}

grpc::ServerUnaryReactor* AgentService::Sync(grpc::CallbackServerContext* context,
                                             const secretsync::v1::SyncRequest* request,
                                             secretsync::v1::SyncReport* reply) {
  absl::StatusOr<std::string> who = Admit(*context, "Sync");
  if (!who.ok()) {
    grpc::ServerUnaryReactor* refused = context->DefaultReactor();
    refused->Finish(ToGrpcStatus(who.status()));
    return refused;
  }
  SyncCall call;
  call.caller = *std::move(who);
  call.request_id = request->request_id();
  call.deployment = request->deployment();
  call.dry_run = request->dry_run();
  auto* reactor = new SyncReactor(coordinator_, observer_, reply);
  reactor->Begin(call, absl::FromChrono(context->deadline()));
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::GetStatus(grpc::CallbackServerContext* context,
                                                  const secretsync::v1::GetStatusRequest* request,
                                                  secretsync::v1::GetStatusReply* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> who = Admit(*context, "GetStatus");
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  absl::StatusOr<std::vector<secretsync::v1::DeploymentStatus>> all =
      coordinator_.Status(request->deployment());
  if (!all.ok()) {
    reactor->Finish(ToGrpcStatus(all.status()));
    return reactor;
  }
  reply->set_agent_version(kAgentVersion);
  for (auto& s : *all) *reply->add_deployments() = std::move(s);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace agent
}  // namespace secretsync
