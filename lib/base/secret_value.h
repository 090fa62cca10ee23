// SecretValue: a secret's bytes in a type that cannot be printed or logged.
#ifndef SECRETSYNC_LIB_BASE_SECRET_VALUE_H_
#define SECRETSYNC_LIB_BASE_SECRET_VALUE_H_

#include <cstddef>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"

namespace secretsync {

// Holds a secret value. Move-only; wipes its buffer (best effort) when destroyed
// or moved from. It has no operator<< and no string conversion, so it cannot be
// passed to absl::StrCat or a stream by accident: the only way to the bytes is
// Expose(), whose callers a CI grep keeps to a listed few. Not thread-safe.
class SecretValue {
 public:
  SecretValue() = default;
  explicit SecretValue(std::string bytes) : bytes_(std::move(bytes)) {}
  explicit SecretValue(absl::string_view bytes) : bytes_(bytes) {}
  SecretValue(const SecretValue&) = delete;
  SecretValue& operator=(const SecretValue&) = delete;
  SecretValue(SecretValue&& other) noexcept;
  SecretValue& operator=(SecretValue&& other) noexcept;
  ~SecretValue();

  // The bytes. Grep-able on purpose: keep callers few and never log the result.
  absl::string_view Expose() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  // An explicit copy, for the few places that must keep two (e.g. rollback).
  SecretValue Copy() const { return SecretValue(bytes_); }

  // Constant-time-ish equality on the bytes; never reveals them.
  friend bool operator==(const SecretValue& a, const SecretValue& b);
  friend bool operator!=(const SecretValue& a, const SecretValue& b) { return !(a == b); }

 private:
  void Wipe();
  std::string bytes_;
};

// Overwrites every byte of `s`'s buffer (its whole capacity, which covers the
// small-string buffer and bytes past size()) with explicit_bzero, which the
// compiler may not drop as a dead store, then clears it (capacity kept). The
// one wipe of the code base: SecretValue, HttpRequest/HttpResponse and every
// temporary string that held a secret go through it.
void WipeString(std::string& s);

// WipeString, then frees the buffer (for large bodies done with early).
void WipeAndFreeString(std::string& s);

// googletest printer: never hex-dump the buffer.
void PrintTo(const SecretValue& value, std::ostream* os);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_SECRET_VALUE_H_
