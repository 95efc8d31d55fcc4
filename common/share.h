/* Where the files shipped beside the binaries are: migrations, openapi.yaml, the bundled data, the SPA. */
#ifndef PARITY_SHARE_H
#define PARITY_SHARE_H

#include <stddef.h>

#define PARITY_SHARE_PATH_MAX 4096

/*
 * Writes to out the path of `name` under <prefix>/share/parity, where <prefix> is the parent of the
 * directory holding the running executable: bin/ of an installed tree (`cmake --install`), or bin/,
 * tests/ or bench/ of a build tree, whose share/parity links back to the sources (CMakeLists.txt).
 * No source path is compiled in, so an installed tree can be moved anywhere. PARITY_EIO when the
 * executable's path cannot be read, PARITY_ETOOBIG when the result does not fit in cap bytes.
 */
int parity_share_path(const char *name, char *out, size_t cap);

#endif
