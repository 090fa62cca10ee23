// SS_CHECK: abort on programmer error only, never on environment errors.
#ifndef SECRETSYNC_LIB_BASE_CHECK_H_
#define SECRETSYNC_LIB_BASE_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define SS_CHECK(cond)                                                         \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "F %s:%d check failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                     \
      std::abort();                                                            \
    }                                                                          \
  } while (0)

#endif  // SECRETSYNC_LIB_BASE_CHECK_H_
