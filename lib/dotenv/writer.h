// Writes a rendered environment as a .env that docker compose reads back
// byte for byte (the writing rule of docs/dotenv.md).
#ifndef SECRETSYNC_LIB_DOTENV_WRITER_H_
#define SECRETSYNC_LIB_DOTENV_WRITER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "lib/dotenv/rendered_env.h"

namespace secretsync {
namespace dotenv {

// Appends `[export ]KEY=<quoted value>\n` to `out`:
//  1. single quotes when the value has no `'`, no CR and does not end in `\`;
//  2. otherwise double quotes with `\` `"` `$` LF CR written as
//     `\\ \" \$ \n \r`, everything else verbatim.
// Errors (InvalidArgument, naming KEY, never the value): invalid KEY, a value
// with a NUL byte or invalid UTF-8. `out` is unchanged on error.
absl::Status AppendDotenvLine(absl::string_view key, bool export_prefix,
                              const SecretValue& value, std::string* out);

// The whole file: verbatim lines as they are, entries through
// AppendDotenvLine; every line ends in '\n'. Also rejects duplicate keys
// (InvalidArgument "dotenv: duplicate key KEY"). Returns the bytes as a
// SecretValue (the file holds secrets). Pure; nothing is returned on error.
absl::StatusOr<SecretValue> WriteDotenv(const RenderedEnv& env);

}  // namespace dotenv
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DOTENV_WRITER_H_
