/* Typed configuration from the environment, parsed once at start (see config_vars.h). */
#ifndef PARITY_CONFIG_H
#define PARITY_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "common/config_vars.h"

#define PARITY_CFG_TYPE_STR char *
#define PARITY_CFG_TYPE_SECRET char *
#define PARITY_CFG_TYPE_INT long
#define PARITY_CFG_TYPE_BOOL bool
#define PARITY_CFG_TYPE_DOUBLE double

struct parity_config {
#define PARITY_CFG_MEMBER(name, type, member, def, min, max, doc) PARITY_CFG_TYPE_##type member;
  PARITY_CONFIG_VARS(PARITY_CFG_MEMBER)
#undef PARITY_CFG_MEMBER
};

/* Which secrets a process needs (checked in production and when set). */
enum parity_config_role {
  PARITY_ROLE_OPERATIONAL = 1,
  PARITY_ROLE_DECISIONAL = 2,
  PARITY_ROLE_CLI = 4,
};

/*
 * Fills *cfg from `getenv`, defaults (a shipped file's place found beside the executable) and validation.
 * On failure writes one line per bad variable to `errors` and returns PARITY_EINVAL; the caller exits.
 * Strings are owned by cfg.
 */
int parity_config_load(struct parity_config *cfg, enum parity_config_role role, FILE *errors);
void parity_config_free(struct parity_config *cfg);

/*
 * One variable of the table on its own, for the CLI commands that need only it (a whole load would ask
 * for the daemons' secrets): the environment's value when set and not empty, else the table's default,
 * a shipped file's place resolved as parity_config_load() does. The caller frees it. NULL for a name
 * not in the table or a place that cannot be resolved.
 */
char *parity_config_env_dup(const char *name);

/* Prints NAME=value lines, secrets redacted, for --print-config. */
void parity_config_print(const struct parity_config *cfg, FILE *out);

/* True when PARITY_ENV=production. */
bool parity_config_is_production(const struct parity_config *cfg);

#endif
