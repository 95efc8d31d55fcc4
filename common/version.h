/* Build identity of the Parity binaries. */
#ifndef PARITY_COMMON_VERSION_H
#define PARITY_COMMON_VERSION_H

#ifndef PARITY_VERSION_STRING
#define PARITY_VERSION_STRING "0.1.0"
#endif

const char *parity_version(void);

#endif
