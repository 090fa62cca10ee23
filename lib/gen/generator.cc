// Secret generators over a RandomSource.
#include "lib/gen/generator.h"

#include <string.h>

#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace gen {
namespace {

using secretsync::v1::Generator;

constexpr absl::string_view kAlnumAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

absl::StatusOr<std::string> RandomBytes(RandomSource& random, size_t n) {
  std::string out(n, '\0');
  absl::Status filled = random.Fill(reinterpret_cast<uint8_t*>(&out[0]), n);
  if (!filled.ok()) {
    WipeString(out);  // a partial fill is secret too
    return filled;
  }
  return out;
}

// Picks `length` characters uniformly from `alphabet` by rejecting bytes at or
// above the largest multiple of its size.
absl::StatusOr<SecretValue> FromAlphabet(RandomSource& random, absl::string_view alphabet,
                                         size_t length) {
  const unsigned limit = 256 - (256 % alphabet.size());
  // Reserved once, so it never reallocates and frees a copy; the cleanup
  // wipes the scratch buffer, and `out` on error paths.
  std::string out;
  out.reserve(length);
  uint8_t buf[256];
  absl::Cleanup wipe = [&buf, &out] {
    explicit_bzero(buf, sizeof(buf));
    WipeString(out);
  };
  while (out.size() < length) {
    SS_RETURN_IF_ERROR(random.Fill(buf, sizeof(buf)));
    for (uint8_t b : buf) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return SecretValue(std::move(out));
}

}  // namespace

absl::StatusOr<Generator::Kind> ParseKind(absl::string_view name) {
  if (name == "hex") return Generator::HEX;
  if (name == "base64") return Generator::BASE64;
  if (name == "base64url") return Generator::BASE64URL;
  if (name == "alnum") return Generator::ALNUM;
  if (name == "django") return Generator::DJANGO;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown format \"", name, "\": use hex, base64, base64url, alnum or django"));
}

absl::string_view KindName(Generator::Kind kind) {
  switch (kind) {
    case Generator::HEX: return "hex";
    case Generator::BASE64: return "base64";
    case Generator::BASE64URL: return "base64url";
    case Generator::ALNUM: return "alnum";
    case Generator::DJANGO: return "django";
    default: return "unspecified";
  }
}

static bool UsesBytes(Generator::Kind kind) {
  return kind == Generator::HEX || kind == Generator::BASE64 || kind == Generator::BASE64URL;
}

Generator WithDefaults(Generator g) {
  if (UsesBytes(g.kind()) && g.bytes() == 0) g.set_bytes(kDefaultBytes);
  if (g.kind() == Generator::ALNUM && g.length() == 0) g.set_length(kDefaultAlnumLength);
  if (g.kind() == Generator::DJANGO && g.length() == 0) g.set_length(kDefaultDjangoLength);
  return g;
}

absl::Status CheckGenerator(const Generator& g) {
  if (g.kind() == Generator::KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "generator kind is not set: use HEX, BASE64, BASE64URL, ALNUM or DJANGO");
  }
  if (UsesBytes(g.kind())) {
    if (g.bytes() < 1 || g.bytes() > kMaxBytes) {
      return absl::InvalidArgumentError(absl::StrCat("bytes must be between 1 and ", kMaxBytes,
                                                     ", got ", g.bytes()));
    }
    if (g.length() != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(KindName(g.kind()), " takes bytes, not length"));
    }
  } else {
    if (g.length() < 1 || g.length() > kMaxLength) {
      return absl::InvalidArgumentError(absl::StrCat("length must be between 1 and ",
                                                     kMaxLength, ", got ", g.length()));
    }
    if (g.bytes() != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(KindName(g.kind()), " takes length, not bytes"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SecretValue> Generate(const Generator& g, RandomSource& random) {
  SS_RETURN_IF_ERROR(CheckGenerator(g));
  switch (g.kind()) {
    case Generator::HEX:
    case Generator::BASE64:
    case Generator::BASE64URL: {
      SS_ASSIGN_OR_RETURN(std::string raw, RandomBytes(random, g.bytes()));
      std::string out;
      if (g.kind() == Generator::HEX) {
        out = absl::BytesToHexString(raw);
      } else if (g.kind() == Generator::BASE64) {
        absl::Base64Escape(raw, &out);
      } else {
        absl::WebSafeBase64Escape(raw, &out);
      }
      WipeString(raw);
      return SecretValue(std::move(out));
    }
    case Generator::ALNUM:
      return FromAlphabet(random, kAlnumAlphabet, g.length());
    case Generator::DJANGO:
      return FromAlphabet(random, kDjangoAlphabet, g.length());
    default:
      return absl::InvalidArgumentError("generator kind is not set");
  }
}

}  // namespace gen
}  // namespace secretsync
