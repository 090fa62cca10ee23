// SecretValue: wiping and redacted printing.
#include "lib/base/secret_value.h"

#include <string.h>

#include <utility>

namespace secretsync {

SecretValue::SecretValue(SecretValue&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.Wipe();
}

SecretValue& SecretValue::operator=(SecretValue&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.Wipe();
  }
  return *this;
}

SecretValue::~SecretValue() { Wipe(); }

void WipeString(std::string& s) {
  // Overwrite the whole capacity (covers the small-string buffer).
  // explicit_bzero is a memset the compiler may not drop as a dead store; a
  // volatile byte loop did the same at a byte a cycle, which showed up when a
  // 10,000-secret list is moved and destroyed.
  s.resize(s.capacity());
  explicit_bzero(&s[0], s.size());
  s.clear();
}

void WipeAndFreeString(std::string& s) {
  WipeString(s);
  std::string().swap(s);
}

void SecretValue::Wipe() { WipeString(bytes_); }

bool operator==(const SecretValue& a, const SecretValue& b) {
  if (a.bytes_.size() != b.bytes_.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.bytes_.size(); ++i) {
    diff |= static_cast<unsigned char>(a.bytes_[i] ^ b.bytes_[i]);
  }
  return diff == 0;
}

void PrintTo(const SecretValue& value, std::ostream* os) {
  *os << "<redacted " << value.size() << " bytes>";
}

}  // namespace secretsync
