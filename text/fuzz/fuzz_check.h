// FUZZ_CHECK: the property checks of the fuzz targets. Unlike assert() it stays on in release
// builds and prints what failed, so libFuzzer and the gcc regression driver report it alike.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
