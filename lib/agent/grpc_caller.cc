// CallerInfoFromContext over grpc::AuthContext and the client metadata.
#include "lib/agent/grpc_caller.h"

#include <grpcpp/security/auth_context.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace agent {

CallerInfo CallerInfoFromContext(const grpc::ServerContextBase& context) {
  CallerInfo info;
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    bool ssl = false;
    for (const grpc::string_ref& v : auth->FindPropertyValues("transport_security_type")) {
      // "ssl" from SslServerCredentials, "tls" from TlsServerCredentials.
      const absl::string_view type(v.data(), v.size());
      ssl = ssl || type == "ssl" || type == "tls";
    }
    if (ssl) {
      for (const grpc::string_ref& v : auth->FindPropertyValues("x509_subject_alternative_name")) {
        info.sans.emplace_back(v.data(), v.size());
      }
      info.tls = !auth->FindPropertyValues("x509_pem_cert").empty();
    }
  }
  const auto& md = context.client_metadata();
  auto it = md.find("authorization");
  if (it != md.end()) {
    absl::string_view header(it->second.data(), it->second.size());
    constexpr absl::string_view kScheme = "bearer ";
    if (header.size() > kScheme.size() &&
        absl::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
      info.has_token = true;
      info.token = SecretValue(absl::StripAsciiWhitespace(header.substr(kScheme.size())));
    }
  }
  return info;
}

}  // namespace agent
}  // namespace secretsync
