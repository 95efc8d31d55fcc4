/* Build identity, reported by --version, /livez and the metrics build-info series. */
#include "common/version.h"

const char *parity_version(void)
{
  return PARITY_VERSION_STRING;
}
