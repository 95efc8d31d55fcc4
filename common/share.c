/* Files shipped with the binaries, found relative to the running executable (see share.h). */
#include "common/share.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"

int parity_share_path(const char *name, char *out, size_t cap)
{
  char exe[PARITY_SHARE_PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0)
    return PARITY_EIO;
  exe[n] = '\0';
  /* <prefix>/bin/parity-x: drop the file name, then the directory that holds it. */
  for (int level = 0; level < 2; level++) {
    char *slash = strrchr(exe, '/');
    if (!slash)
      return PARITY_EIO;
    *slash = '\0';
  }
  int len = snprintf(out, cap, "%s/share/parity/%s", exe, name);
  return len < 0 || (size_t)len >= cap ? PARITY_ETOOBIG : PARITY_OK;
}
