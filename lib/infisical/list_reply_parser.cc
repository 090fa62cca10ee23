// ParseListSecretsReply (see list_reply_parser.h): a SAX handler that keeps
// a stack of the containers it is in and knows, for each value, which field
// it fills, or that it is skipped (unknown fields, at any depth).
#include "lib/infisical/list_reply_parser.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "lib/base/utf8.h"
// x86-64 always has SSE2: RapidJSON then scans strings and whitespace 16
// bytes at a time, with aligned loads that may read up to 15 bytes past the
// terminating NUL (ParseListSecretsReply pads the body for them).
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2)
#define RAPIDJSON_SSE2
#endif
#include "rapidjson/error/error.h"
#include "rapidjson/reader.h"

namespace secretsync {
namespace infisical {
namespace {

using rapidjson::SizeType;

// Containers deeper than this refuse the reply.
constexpr size_t kMaxListReplyDepth = 64;

// What the next value is: each names the message field it fills, or says
// it is skipped or not allowed.
enum class Slot {
  kRoot,          // the document: the reply object
  kKey,           // inside an object: a key comes next, not a value
  kSkip,          // an unknown field's value
  kString,        // a string field (string_target_)
  kVersion,       // ListedSecret.version (secret_)
  kSecretList,    // the value of a `secrets` key
  kImportList,    // the value of `imports`
  kSecretInList,  // an element of a secrets array
  kImportInList,  // an element of an imports array
  kDone,          // after the document
};

// The containers the parser is in.
enum class Container { kReply, kSecret, kImport, kSecretArray, kImportArray, kSkipped };

class ListReplyHandler {
 public:
  explicit ListReplyHandler(v1::ListSecretsReply* out) : reply_(out) {}

  bool Null() { return Scalar(Value::kNull, nullptr, 0, 0, 0.0); }
  bool Bool(bool) { return Scalar(Value::kOther, nullptr, 0, 0, 0.0); }
  bool Int(int i) { return Int64(i); }
  bool Uint(unsigned u) { return Int64(u); }
  bool Int64(int64_t i) { return Scalar(Value::kInteger, nullptr, 0, i, 0.0); }
  bool Uint64(uint64_t u) {
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Scalar(Value::kOther, nullptr, 0, 0, 0.0);
    }
    return Int64(static_cast<int64_t>(u));
  }
  bool Double(double d) { return Scalar(Value::kDouble, nullptr, 0, 0, d); }
  bool RawNumber(const char*, SizeType, bool) { return false; }  // not enabled
  bool String(const char* s, SizeType n, bool) { return Scalar(Value::kString, s, n, 0, 0.0); }

  bool StartObject() {
    switch (slot_) {
      case Slot::kRoot:
        return Enter(Container::kReply);
      case Slot::kSkip:
        return Enter(Container::kSkipped);
      case Slot::kSecretInList:
        secret_ = secret_list_->Add();
        return Enter(Container::kSecret);
      case Slot::kImportInList:
        import_ = reply_->add_imports();
        return Enter(Container::kImport);
      default:
        return false;
    }
  }

  bool Key(const char* s, SizeType n, bool) {
    const absl::string_view key(s, n);
    switch (stack_.back()) {
      case Container::kReply:
        if (key == "secrets") {
          secret_list_ = reply_->mutable_secrets();
          slot_ = Slot::kSecretList;
        } else if (key == "imports") {
          slot_ = Slot::kImportList;
        } else {
          slot_ = Slot::kSkip;
        }
        return true;
      case Container::kSecret:
        return SecretKey(key);
      case Container::kImport:
        return ImportKey(key);
      case Container::kSkipped:
        slot_ = Slot::kSkip;
        return true;
      default:
        return false;
    }
  }

  bool EndObject(SizeType) { return Leave(); }

  bool StartArray() {
    switch (slot_) {
      case Slot::kSkip:
        return Enter(Container::kSkipped);
      case Slot::kSecretList:
        return Enter(Container::kSecretArray);
      case Slot::kImportList:
        return Enter(Container::kImportArray);
      default:
        return false;
    }
  }

  bool EndArray(SizeType) { return Leave(); }

 private:
  enum class Value { kNull, kString, kInteger, kDouble, kOther };

  // The next value fills `target`, or is skipped when it is null (a key
  // this message does not have).
  bool ExpectString(std::string* target) {
    slot_ = target == nullptr ? Slot::kSkip : Slot::kString;
    string_target_ = target;
    return true;
  }

  bool SecretKey(absl::string_view key) {
    std::string* target = nullptr;
    if (key == "environment") {
      target = secret_->mutable_environment();
    } else if (key == "type") {
      target = secret_->mutable_type();
    } else if (key == "secretKey" || key == "secret_key") {
      target = secret_->mutable_secret_key();
    } else if (key == "secretValue" || key == "secret_value") {
      target = secret_->mutable_secret_value();
    } else if (key == "secretComment" || key == "secret_comment") {
      target = secret_->mutable_secret_comment();
    } else if (key == "updatedAt" || key == "updated_at") {
      target = secret_->mutable_updated_at();
    } else if (key == "secretPath" || key == "secret_path") {
      target = secret_->mutable_secret_path();
    } else if (key == "version") {
      slot_ = Slot::kVersion;
      return true;
    }
    return ExpectString(target);
  }

  bool ImportKey(absl::string_view key) {
    std::string* target = nullptr;
    if (key == "secretPath" || key == "secret_path") {
      target = import_->mutable_secret_path();
    } else if (key == "environment") {
      target = import_->mutable_environment();
    } else if (key == "folderId" || key == "folder_id") {
      target = import_->mutable_folder_id();
    } else if (key == "secrets") {
      secret_list_ = import_->mutable_secrets();
      slot_ = Slot::kSecretList;
      return true;
    }
    return ExpectString(target);
  }

  // A value that is not a container.
  bool Scalar(Value kind, const char* s, SizeType n, int64_t i, double d) {
    switch (slot_) {
      case Slot::kSkip:
        break;
      case Slot::kString:
        if (kind == Value::kString) {
          string_target_->assign(s, n);
        } else if (kind == Value::kNull) {
          string_target_->clear();
        } else {
          return false;
        }
        break;
      case Slot::kVersion: {
        int64_t version = 0;
        if (!Version(kind, s, n, i, d, &version)) return false;
        secret_->set_version(version);
        break;
      }
      case Slot::kSecretList:
      case Slot::kImportList:
        if (kind != Value::kNull) return false;  // null is an empty list
        break;
      case Slot::kSecretInList:
      case Slot::kImportInList:
        if (kind != Value::kNull) return false;  // null elements are skipped
        return true;                             // the array goes on
      default:
        return false;
    }
    slot_ = NextSlot();
    return true;
  }

  // Protobuf's rules for an int64 field: a JSON integer, a number with an
  // integral value in range (5.0, 1e3), or a string of decimal digits with
  // an optional sign; null is 0.
  static bool Version(Value kind, const char* s, SizeType n, int64_t i, double d,
                      int64_t* out) {
    switch (kind) {
      case Value::kNull:
        *out = 0;
        return true;
      case Value::kInteger:
        *out = i;
        return true;
      case Value::kDouble:
        // 2^63 is the first double out of range; -2^63 is in range.
        if (!std::isfinite(d) || std::trunc(d) != d || d >= 9223372036854775808.0 ||
            d < -9223372036854775808.0) {
          return false;
        }
        *out = static_cast<int64_t>(d);
        return true;
      case Value::kString: {
        absl::string_view digits(s, n);
        if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
        if (digits.empty()) return false;
        for (char c : digits) {
          if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
        }
        return absl::SimpleAtoi(absl::string_view(s, n), out);
      }
      default:
        return false;
    }
  }

  bool Enter(Container c) {
    // The reader recurses once per level: a bound keeps a hostile reply from
    // exhausting the stack (Infisical's replies nest 6 levels at most).
    if (stack_.size() >= kMaxListReplyDepth) return false;
    stack_.push_back(c);
    switch (c) {
      case Container::kSecretArray:
        slot_ = Slot::kSecretInList;
        break;
      case Container::kImportArray:
        slot_ = Slot::kImportInList;
        break;
      case Container::kSkipped:
        slot_ = Slot::kSkip;  // array elements; an object's keys reset it
        break;
      default:
        slot_ = Slot::kKey;
    }
    return true;
  }

  bool Leave() {
    stack_.pop_back();
    slot_ = NextSlot();
    return true;
  }

  // What comes after a finished value, from the container it was in.
  Slot NextSlot() const {
    if (stack_.empty()) return Slot::kDone;
    switch (stack_.back()) {
      case Container::kSecretArray:
        return Slot::kSecretInList;
      case Container::kImportArray:
        return Slot::kImportInList;
      case Container::kSkipped:
        return Slot::kSkip;
      default:
        return Slot::kKey;
    }
  }

  v1::ListSecretsReply* reply_;
  std::vector<Container> stack_;
  Slot slot_ = Slot::kRoot;
  std::string* string_target_ = nullptr;
  v1::ListedSecret* secret_ = nullptr;
  google::protobuf::RepeatedPtrField<v1::ListedSecret>* secret_list_ = nullptr;
  v1::RawSecretImport* import_ = nullptr;
};

}  // namespace

constexpr size_t kSimdPadding = 16;

absl::Status ParseListSecretsReply(std::string* body, v1::ListSecretsReply* out) {
  const absl::Status malformed = absl::InvalidArgumentError("malformed list reply");
  // The in-place stream ends at the first NUL, which JSON never holds raw.
  if (std::memchr(body->data(), '\0', body->size()) != nullptr) return malformed;
  // UTF-8 is checked here, once, rather than by RapidJSON string by string
  // (kParseValidateEncodingFlag), which turns its SIMD scan off. JSON outside
  // strings is ASCII, so this refuses what the flag refused, and more cheaply.
  if (!IsValidUtf8(*body)) return malformed;
  body->append(kSimdPadding, '\0');  // see RAPIDJSON_SSE2 above
  ListReplyHandler handler(out);
  rapidjson::Reader reader;
  rapidjson::InsituStringStream stream(&(*body)[0]);
  // Recursive (the handler bounds the depth), in place: this way the reader
  // never uses its own stack, whose first growth in RapidJSON 1.1.0 adds to a
  // null pointer (undefined behaviour; clang's UBSan stops the fuzz target).
  if (reader.Parse<rapidjson::kParseInsituFlag>(stream, handler).IsError()) return malformed;
  return absl::OkStatus();
}

}  // namespace infisical
}  // namespace secretsync
