// System: the bundle of seams a command runs against. main() builds the real
// one (RealSystem); tests build one from fakes.
#ifndef SECRETSYNC_LIB_APP_SYSTEM_H_
#define SECRETSYNC_LIB_APP_SYSTEM_H_

#include "lib/base/clock.h"
#include "lib/base/command_runner.h"
#include "lib/base/environment.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/base/user_directory.h"
#include "lib/infisical/secret_store.h"

namespace secretsync {

// References only: whoever builds a System owns the parts and outlives it.
struct System {
  Clock& clock;
  Filesystem& fs;
  RandomSource& random;
  const Environment& env;
  CommandRunner& commands;
  LogSink& log;
  const UserDirectory& users;
  infisical::SecretStoreFactory stores;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_APP_SYSTEM_H_
