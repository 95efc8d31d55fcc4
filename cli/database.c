/* Which database the `parity` commands connect to: the environment, else the checkout's var/env, else the default. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/alloc.h"
#include "common/config_vars.h"
#include "common/errors.h"

/* Longest var/env line we read. env.sh writes short NAME=value lines; a longer one is not its file. */
#define ENV_LINE_MAX 4096

/* The defaults of config_vars.h as members, so DATABASE_URL's comes from the one table of variables. */
static const struct {
#define DEFAULT_MEMBER(name, type, member, def, min, max, doc) const char *member;
  PARITY_CONFIG_VARS(DEFAULT_MEMBER)
#undef DEFAULT_MEMBER
} defaults = {
#define DEFAULT_VALUE(name, type, member, def, min, max, doc) .member = (def),
  PARITY_CONFIG_VARS(DEFAULT_VALUE)
#undef DEFAULT_VALUE
};

const char *parity_cli_database_default(void)
{
  return defaults.database_url;
}

/* The value of the last `NAME=` line (the one a shell sourcing the file keeps), without one pair of
 * surrounding quotes, newly allocated in *value (NULL when there is none). PARITY_EINVAL for a line over
 * ENV_LINE_MAX. */
static int env_file_value(FILE *f, const char *name, char **value)
{
  char key[128];
  snprintf(key, sizeof(key), "%s=", name);
  size_t key_len = strlen(key);
  char line[ENV_LINE_MAX];
  *value = NULL;
  while (fgets(line, sizeof(line), f)) {
    size_t n = strlen(line);
    if (n == sizeof(line) - 1 && line[n - 1] != '\n' && !feof(f)) {
      free(*value);
      *value = NULL;
      return PARITY_EINVAL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    if (strncmp(line, key, key_len) != 0)
      continue;
    char *v = line + key_len;
    size_t len = strlen(v);
    if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
      v[len - 1] = '\0';
      v++;
    }
    free(*value);
    *value = *v ? parity_xstrdup(v) : NULL;
  }
  return ferror(f) ? PARITY_EINVAL : PARITY_OK;
}

int parity_cli_database_find(struct parity_cli_database *out, const char *cmd)
{
  out->url = NULL;
  out->from[0] = '\0';
  const char *env = getenv("DATABASE_URL");
  if (env && *env) {
    out->url = parity_xstrdup(env);
    snprintf(out->from, sizeof(out->from), "DATABASE_URL");
    return PARITY_OK;
  }
  const char *root = getenv("PARITY_ROOT");
  if (root && *root) {
    if ((size_t)snprintf(out->from, sizeof(out->from), "%s/var/env", root) >= sizeof(out->from)) {
      fprintf(stderr, "parity %s: PARITY_ROOT is too long\n", cmd);
      return PARITY_EINVAL;
    }
  } else {
    snprintf(out->from, sizeof(out->from), "./var/env");
  }
  FILE *f = fopen(out->from, "r");
  if (!f) {
    if (errno == ENOENT || errno == ENOTDIR) {
      /* Not a checkout that `make run` started: the default, which is where `make run` puts its database. */
      out->url = parity_xstrdup(defaults.database_url);
      snprintf(out->from, sizeof(out->from), "the built-in default");
      return PARITY_OK;
    }
    /* The checkout is there but unreadable: guessing could reach another instance's database. */
    fprintf(stderr, "parity %s: cannot read %s (%s); set DATABASE_URL\n", cmd, out->from, strerror(errno));
    return PARITY_EINVAL;
  }
  int rc = env_file_value(f, "DATABASE_URL", &out->url);
  fclose(f);
  if (rc) {
    fprintf(stderr, "parity %s: cannot read %s (a line over %d bytes); set DATABASE_URL\n", cmd, out->from,
            ENV_LINE_MAX - 2);
    return rc;
  }
  if (!out->url) {
    fprintf(stderr,
            "parity %s: %s names no DATABASE_URL (it predates `make run` recording one): run `make run` again, "
            "or set DATABASE_URL\n",
            cmd, out->from);
    return PARITY_ENOTFOUND;
  }
  return PARITY_OK;
}

void parity_cli_database_free(struct parity_cli_database *d)
{
  free(d->url);
  d->url = NULL;
}

int parity_cli_setting(const char *name, const char *cmd, char **value)
{
  *value = NULL;
  const char *env = getenv(name);
  if (env && *env) {
    *value = parity_xstrdup(env);
    return PARITY_OK;
  }
  char path[PATH_MAX];
  const char *root = getenv("PARITY_ROOT");
  if ((size_t)snprintf(path, sizeof(path), "%s/var/env", root && *root ? root : ".") >= sizeof(path))
    return PARITY_EINVAL;
  FILE *f = fopen(path, "r");
  if (!f)
    return errno == ENOENT || errno == ENOTDIR ? PARITY_OK : PARITY_EIO;
  int rc = env_file_value(f, name, value);
  fclose(f);
  if (rc)
    fprintf(stderr, "parity %s: cannot read %s (a line over %d bytes); set %s\n", cmd, path, ENV_LINE_MAX - 2, name);
  return rc;
}
