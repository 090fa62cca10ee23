// ParseDelivery / SerializeDelivery over nlohmann::json (no exceptions leave).
#include "lib/webhook/delivery.h"

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace webhook {
namespace {

absl::Status RequireString(const nlohmann::json& project, const char* field, std::string& out) {
  auto it = project.find(field);
  if (it == project.end()) {
    return absl::InvalidArgumentError(absl::StrCat("webhook body: project.", field, " is missing"));
  }
  if (!it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("webhook body: project.", field, " is not a string"));
  }
  out = it->get<std::string>();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Delivery> ParseDelivery(absl::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body.begin(), body.end(), /*cb=*/nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("webhook body: not valid JSON");
  if (!doc.is_object()) return absl::InvalidArgumentError("webhook body: not a JSON object");
  Delivery out;
  auto event = doc.find("event");
  if (event == doc.end()) return absl::InvalidArgumentError("webhook body: event is missing");
  if (!event->is_string()) return absl::InvalidArgumentError("webhook body: event is not a string");
  out.event = event->get<std::string>();
  if (out.event != kEventSecretsModified && out.event != kEventSecretModified &&
      out.event != kEventTest) {
    return absl::InvalidArgumentError("webhook body: event is not a known webhook event");
  }
  auto project = doc.find("project");
  if (project == doc.end()) return absl::InvalidArgumentError("webhook body: project is missing");
  if (!project->is_object()) {
    return absl::InvalidArgumentError("webhook body: project is not an object");
  }
  if (absl::Status s = RequireString(*project, "workspaceId", out.workspace_id); !s.ok()) return s;
  if (absl::Status s = RequireString(*project, "environment", out.environment); !s.ok()) return s;
  if (absl::Status s = RequireString(*project, "secretPath", out.secret_path); !s.ok()) return s;
  auto ts = doc.find("timestamp");
  if (ts == doc.end()) return absl::InvalidArgumentError("webhook body: timestamp is missing");
  if (ts->is_number_unsigned()) {
    uint64_t v = ts->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) {
      return absl::InvalidArgumentError("webhook body: timestamp is out of range");
    }
    out.timestamp_ms = static_cast<int64_t>(v);
  } else if (ts->is_number_integer()) {
    return absl::InvalidArgumentError("webhook body: timestamp is negative");
  } else {
    return absl::InvalidArgumentError("webhook body: timestamp is not an integer");
  }
  return out;
}

std::string SerializeDelivery(const Delivery& delivery) {
  // nlohmann::ordered_json keeps insertion order, as JSON.stringify does.
  nlohmann::ordered_json doc;
  doc["event"] = delivery.event;
  doc["project"]["workspaceId"] = delivery.workspace_id;
  doc["project"]["environment"] = delivery.environment;
  doc["project"]["secretPath"] = delivery.secret_path;
  doc["timestamp"] = delivery.timestamp_ms;
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace webhook
}  // namespace secretsync
