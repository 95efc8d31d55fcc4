/* What every Parity daemon does first: its flags, JSON logging, and the typed configuration. */
#ifndef PARITY_DAEMON_H
#define PARITY_DAEMON_H

#include "common/config.h"

#define PARITY_DAEMON_CONTINUE (-1)

/*
 * Handles --help, --version and --print-config (secrets redacted), starts JSON logging as `service`
 * ("operational" prints as parity-operational) and loads *cfg for `role`, listing every bad variable.
 * Returns PARITY_DAEMON_CONTINUE to go on with a loaded cfg (the caller frees it), or the exit status:
 * 0 after a flag that only prints, 2 for a usage or configuration error.
 */
int parity_daemon_start(int argc, char **argv, const char *service, const char *about, enum parity_config_role role,
                        struct parity_config *cfg);

#endif
