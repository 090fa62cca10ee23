// The secretsync.v1.Agent gRPC service: a thin adapter that authenticates
// and rate-limits each call, then hands it to the SyncCoordinator.
#ifndef SECRETSYNC_LIB_AGENT_AGENT_SERVICE_H_
#define SECRETSYNC_LIB_AGENT_AGENT_SERVICE_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <string>

#include "absl/status/statusor.h"
#include "lib/agent/agent_observer.h"
#include "lib/agent/caller_auth.h"
#include "lib/agent/sync_coordinator.h"
#include "lib/agent/token_bucket.h"
#include "lib/base/log.h"
#include "proto/agent.grpc.pb.h"

namespace secretsync {
namespace agent {

extern const char kAgentVersion[];

// Every RPC first authenticates the caller and takes a token of its rate
// limit; a refused caller gets a bare UNAUTHENTICATED, PERMISSION_DENIED or
// RESOURCE_EXHAUSTED (the reason goes to the log only) and nothing runs.
// Both RPCs use gRPC's callback API: a Sync waiting for its report holds no
// thread; the coordinator finishes it, and a call cancelled or past its
// deadline (gRPC's OnCancel) leaves the coordinator at once. `observer` hears
// of every refusal and of every admitted Sync's outcome. The parts must
// outlive the service. Thread-safe.
class AgentService final : public secretsync::v1::Agent::CallbackService {
 public:
  AgentService(const CallerAuthenticator& auth, TokenBucketLimiter& limiter,
               SyncCoordinator& coordinator, LogSink& log,
               AgentObserver& observer = NoAgentObserver())
      : auth_(auth),
        limiter_(limiter),
        coordinator_(coordinator),
        log_(log),
        observer_(observer) {}

  grpc::ServerUnaryReactor* Sync(grpc::CallbackServerContext* context,
                                 const secretsync::v1::SyncRequest* request,
                                 secretsync::v1::SyncReport* reply) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const secretsync::v1::GetStatusRequest* request,
                                      secretsync::v1::GetStatusReply* reply) override;

 private:
  // The caller's identity, or the status to refuse it with.
  absl::StatusOr<std::string> Admit(const grpc::CallbackServerContext& context, const char* rpc);

  const CallerAuthenticator& auth_;
  TokenBucketLimiter& limiter_;
  SyncCoordinator& coordinator_;
  LogSink& log_;
  AgentObserver& observer_;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_AGENT_SERVICE_H_
