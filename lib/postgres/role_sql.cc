// Role-name checks, identifier/literal quoting and psql scripts.
#include "lib/postgres/role_sql.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/base/status_macros.h"
#include "lib/base/utf8.h"
#include "lib/postgres/scram_verifier.h"

namespace secretsync {
namespace postgres {
namespace {

// A SQL string literal ('...' with ' doubled; standard_conforming_strings is
// on by default since 9.1, so a backslash is an ordinary character). Role
// names go into the DO body's format() calls this way.
std::string QuoteLiteral(absl::string_view text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "''"}}), "'");
}

// A dollar-quote tag that does not occur in `body`.
std::string DollarTag(absl::string_view body) {
  for (int i = 0;; ++i) {
    std::string tag = absl::StrCat("$ss", i, "$");
    if (!absl::StrContains(body, tag)) return tag;
  }
}

constexpr absl::string_view kErrorMarker = "secretsync-sqlstate";

// `statements` (each without its `;`), each followed by the check that
// reports the first error's SQLSTATE on stdout and quits. ON_ERROR_STOP is
// off (the exec_command may set it) so that the check gets to run.
std::string Checked(const std::vector<std::string>& statements) {
  std::string out = "\\set ON_ERROR_STOP off\n";
  for (const std::string& s : statements) {
    absl::StrAppend(&out, s, ";\n\\if :ERROR\n\\echo ", kErrorMarker,
                    " :SQLSTATE\n\\quit\n\\endif\n");
  }
  return out;
}


}  // namespace

absl::Status ValidateRoleName(absl::string_view role) {
  if (role.empty()) return absl::InvalidArgumentError("role name is empty");
  if (role.size() > kMaxRoleNameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("role name is ", role.size(),
                                                   " bytes; PostgreSQL allows at most ",
                                                   kMaxRoleNameBytes));
  }
  if (role.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("role name contains a NUL byte");
  }
  if (!IsValidUtf8(role)) return absl::InvalidArgumentError("role name is not UTF-8");
  return absl::OkStatus();
}

std::string QuoteIdentifier(absl::string_view name) {
  return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}), "\"");
}

absl::StatusOr<std::string> SetPasswordScript(absl::string_view role,
                                              absl::string_view verifier,
                                              const ServerTimeouts& timeouts) {
  SS_RETURN_IF_ERROR(ValidateRoleName(role));
  SS_RETURN_IF_ERROR(ValidateScramVerifier(verifier));
  std::vector<std::string> statements = ServerTimeoutsStatements(timeouts);
  statements.push_back("SET ROLE NONE");
  statements.push_back(
      absl::StrCat("ALTER ROLE ", QuoteIdentifier(role), " PASSWORD '", verifier, "'"));
  return Checked(statements);
}

absl::StatusOr<std::string> EnsureAlternateRoleScript(absl::string_view role,
                                                      absl::string_view like_role,
                                                      absl::string_view verifier,
                                                      const ServerTimeouts& timeouts) {
  SS_RETURN_IF_ERROR(ValidateRoleName(role));
  SS_RETURN_IF_ERROR(ValidateRoleName(like_role));
  SS_RETURN_IF_ERROR(ValidateScramVerifier(verifier));
  const std::string r = QuoteLiteral(role);
  const std::string like = QuoteLiteral(like_role);
  std::string body = absl::StrCat(
      "\nDECLARE su boolean;\nBEGIN\n"
      "  SELECT rolsuper INTO su FROM pg_roles WHERE rolname = ", like, ";\n"
      "  IF su IS NULL THEN\n"
      "    RAISE EXCEPTION 'alternating users: source role does not exist' USING ERRCODE = '42704';\n"
      "  END IF;\n"
      "  IF su THEN\n"
      "    RAISE EXCEPTION 'alternating users: source role is a superuser' USING ERRCODE = '55000';\n"
      "  END IF;\n"
      "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ", r, ") THEN\n"
      "    EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', ", r, ", ", like, ");\n"
      "    EXECUTE format('ALTER ROLE %I SET role = %L', ", r, ", ", like, ");\n"
      "  END IF;\n"
      "END\n");
  const std::string tag = DollarTag(body);
  std::vector<std::string> statements = ServerTimeoutsStatements(timeouts);
  statements.push_back("BEGIN");
  statements.push_back("SET ROLE NONE");
  statements.push_back(absl::StrCat("DO ", tag, body, tag));
  statements.push_back(
      absl::StrCat("ALTER ROLE ", QuoteIdentifier(role), " PASSWORD '", verifier, "'"));
  statements.push_back("COMMIT");
  return Checked(statements);
}

absl::StatusOr<std::string> StoredVerifierScript(absl::string_view role,
                                                 const ServerTimeouts& timeouts) {
  SS_RETURN_IF_ERROR(ValidateRoleName(role));
  std::vector<std::string> statements = ServerTimeoutsStatements(timeouts);
  statements.push_back(absl::StrCat(
      "SELECT 'secretsync-role:' || rolcanlogin::text || ':' || "
      "(rolvaliduntil IS NOT NULL AND rolvaliduntil <= now())::text || ':' || "
      "coalesce(rolpassword, '') FROM pg_authid WHERE rolname = ",
      QuoteLiteral(role)));
  return absl::StrCat("\\set QUIET on\n\\pset tuples_only on\n\\pset format unaligned\n",
                      Checked(statements));
}

std::optional<std::string> ParseScriptError(absl::string_view out) {
  const std::string marker = absl::StrCat(kErrorMarker, " ");
  size_t at = out.find(marker);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view state = out.substr(at + marker.size());
  state = absl::StripAsciiWhitespace(state.substr(0, state.find('\n')));
  if (state.size() != 5) return std::string();  // e.g. ":SQLSTATE" uninterpolated
  for (char c : state) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return std::string();
    }
  }
  return std::string(state);
}

absl::StatusOr<StoredRole> ParseStoredRole(absl::string_view out) {
  constexpr absl::string_view kMarker = "secretsync-role:";
  StoredRole role;
  size_t at = out.find(kMarker);
  if (at == absl::string_view::npos) return role;
  absl::string_view line = out.substr(at + kMarker.size());
  line = line.substr(0, line.find('\n'));
  std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(':', 2));
  if (parts.size() != 3 || (parts[0] != "true" && parts[0] != "false") ||
      (parts[1] != "true" && parts[1] != "false")) {
    return absl::InvalidArgumentError("stored role: unexpected psql output");
  }
  role.found = true;
  role.can_login = parts[0] == "true";
  role.expired = parts[1] == "true";
  role.password = std::string(absl::StripAsciiWhitespace(parts[2]));
  return role;
}

}  // namespace postgres
}  // namespace secretsync
