// The key order of Infisical's JSON replies (docs/infisical-api.md, and the
// replies observed from a real server), shared by the dev server's unit and
// contract tests so both pin the same shapes.
#ifndef SECRETSYNC_LIB_TESTING_INFISICAL_REPLY_SHAPES_H_
#define SECRETSYNC_LIB_TESTING_INFISICAL_REPLY_SHAPES_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace secretsync {
namespace testing {

// A secret row of list and get-by-name replies.
inline const std::vector<std::string> kReadRowKeys = {"id",
                                               "_id",
                                               "workspace",
                                               "environment",
                                               "version",
                                               "type",
                                               "secretKey",
                                               "secretValue",
                                               "secretComment",
                                               "secretReminderNote",
                                               "secretReminderRepeatDays",
                                               "skipMultilineEncoding",
                                               "createdAt",
                                               "updatedAt",
                                               "actor",
                                               "isRotatedSecret",
                                               "rotationId",
                                               "secretPath",
                                               "secretValueHidden",
                                               "secretMetadata",
                                               "tags"};

// A row inside "imports"[].secrets (no createdAt/updatedAt).
inline const std::vector<std::string> kImportedRowKeys = {"id",
                                                   "_id",
                                                   "workspace",
                                                   "environment",
                                                   "version",
                                                   "type",
                                                   "secretKey",
                                                   "secretValue",
                                                   "secretComment",
                                                   "secretReminderNote",
                                                   "secretReminderRepeatDays",
                                                   "skipMultilineEncoding",
                                                   "actor",
                                                   "isRotatedSecret",
                                                   "rotationId",
                                                   "secretPath",
                                                   "secretValueHidden",
                                                   "secretMetadata",
                                                   "tags"};

// The "secret" of create, update and delete replies.
inline const std::vector<std::string> kWriteRowKeys = {"id",
                                                "_id",
                                                "workspace",
                                                "environment",
                                                "version",
                                                "type",
                                                "secretKey",
                                                "secretValue",
                                                "secretComment",
                                                "secretReminderNote",
                                                "secretReminderRepeatDays",
                                                "skipMultilineEncoding",
                                                "metadata",
                                                "createdAt",
                                                "updatedAt",
                                                "secretValueHidden"};

// Every error body.
inline const std::vector<std::string> kErrorKeys = {"reqId", "statusCode", "message", "error"};

// The keys of a JSON object in order (empty for non-objects).
inline std::vector<std::string> Keys(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  if (!j.is_object()) return keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

}  // namespace testing
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_INFISICAL_REPLY_SHAPES_H_
