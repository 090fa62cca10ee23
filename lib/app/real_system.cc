// RealSystem wiring and the curl-backed store factory.
#include "lib/app/real_system.h"

#include <memory>
#include <utility>

#include "lib/base/status_macros.h"
#include "lib/infisical/curl_http_transport.h"
#include "lib/infisical/infisical_store.h"

namespace secretsync {
namespace {

// A store that owns the transport it talks through.
class OwningStore : public infisical::ForwardingSecretStore {
 public:
  OwningStore(std::unique_ptr<HttpTransport> http, std::unique_ptr<infisical::SecretStore> inner)
      : ForwardingSecretStore(*inner), http_(std::move(http)), inner_(std::move(inner)) {}
  ~OwningStore() override { inner_.reset(); }  // before the transport it uses

 private:
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<infisical::SecretStore> inner_;
};

}  // namespace

infisical::SecretStoreFactory CurlStoreFactory(Clock& clock, RandomSource& random,
                                               const Environment& env, LogSink& log) {
  return [&clock, &random, &env, &log](const v1::DeploymentConfig& config)
             -> absl::StatusOr<std::unique_ptr<infisical::SecretStore>> {
    SS_ASSIGN_OR_RETURN(infisical::CurlTransportOptions options,
                        infisical::CurlTransportOptionsFromConfig(config));
    auto http = std::make_unique<infisical::CurlHttpTransport>(std::move(options));
    SS_ASSIGN_OR_RETURN(std::unique_ptr<infisical::SecretStore> inner,
                        infisical::NewInfisicalStore(config, *http, clock, random, env, log));
    return std::unique_ptr<infisical::SecretStore>(
        new OwningStore(std::move(http), std::move(inner)));
  };
}

System RealSystem::deps() {
  return System{clock_, fs_, random_, env_, commands_, log_,
                CurlStoreFactory(clock_, random_, env_, log_)};
}

}  // namespace secretsync
