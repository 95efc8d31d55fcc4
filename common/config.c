/* Environment parsing into struct parity_config, listing every bad variable at once. */
#include "common/config.h"

#include <errno.h>
#include <stddef.h>
#include <strings.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/share.h"

enum cfg_type { CFG_STR, CFG_SECRET, CFG_INT, CFG_BOOL, CFG_DOUBLE };

struct cfg_var {
  const char *name;
  enum cfg_type type;
  size_t offset;
  const char *def;
  double min, max;
};

static const struct cfg_var cfg_vars[] = {
#define PARITY_CFG_ROW(name, type, member, def, min, max, doc)                                                         \
  { #name, CFG_##type, offsetof(struct parity_config, member), def, min, max },
  PARITY_CONFIG_VARS(PARITY_CFG_ROW)
#undef PARITY_CFG_ROW
};

#define N_CFG_VARS (sizeof(cfg_vars) / sizeof(cfg_vars[0]))

/*
 * Variables that name a file shipped with the binaries: empty means the file's place in the tree the
 * executable runs from (common/share.h), so neither an installed tree nor a build tree needs them set.
 */
static const struct {
  const char *var;
  const char *name;
} shipped[] = {
  { "STATIC_DIR", "www" },
  { "PARITY_MIGRATIONS_DIR", "migrations" },
  { "PARITY_OPENAPI_FILE", "openapi.yaml" },
  { "BUNDLED_DATA_FILE", "data/etf_daily.csv.gz" },
};

static const struct cfg_var *find_var(const char *name)
{
  for (size_t i = 0; i < N_CFG_VARS; i++)
    if (strcmp(cfg_vars[i].name, name) == 0)
      return &cfg_vars[i];
  return NULL;
}

/* Replaces an empty shipped-file value by its place beside the executable; *value stays owned by the caller. */
static int resolve_shipped(const char *var, char **value)
{
  for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
    if (strcmp(shipped[i].var, var) != 0 || **value)
      continue;
    char path[PARITY_SHARE_PATH_MAX];
    int rc = parity_share_path(shipped[i].name, path, sizeof(path));
    if (rc)
      return rc;
    char *copy = strdup(path);
    if (!copy)
      abort();
    free(*value);
    *value = copy;
  }
  return PARITY_OK;
}

static int parse_bool(const char *s, bool *out)
{
  static const char *const yes[] = { "1", "true", "yes", "on" };
  static const char *const no[] = { "0", "false", "no", "off" };
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(s, yes[i]) == 0) {
      *out = true;
      return 0;
    }
    if (strcasecmp(s, no[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return -1;
}

static int parse_var(const struct cfg_var *v, const char *text, struct parity_config *cfg, FILE *errors)
{
  void *slot = (char *)cfg + v->offset;
  char *end = NULL;
  switch (v->type) {
  case CFG_STR:
  case CFG_SECRET:
    *(char **)slot = strdup(text);
    return 0;
  case CFG_INT: {
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno || end == text || *end || n < (long)v->min || n > (long)v->max) {
      fprintf(errors, "%s: expected an integer in [%.0f, %.0f], got \"%s\"\n", v->name, v->min, v->max, text);
      return -1;
    }
    *(long *)slot = n;
    return 0;
  }
  case CFG_DOUBLE: {
    errno = 0;
    double d = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(d) || d < v->min || d > v->max) {
      fprintf(errors, "%s: expected a number in [%g, %g], got \"%s\"\n", v->name, v->min, v->max, text);
      return -1;
    }
    *(double *)slot = d;
    return 0;
  }
  case CFG_BOOL:
    if (parse_bool(text, (bool *)slot)) {
      fprintf(errors, "%s: expected true or false, got \"%s\"\n", v->name, text);
      return -1;
    }
    return 0;
  }
  return -1;
}

static bool is_hex(const char *s, size_t len)
{
  if (strlen(s) != len)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!strchr("0123456789abcdefABCDEF", s[i]))
      return false;
  return true;
}

static bool one_of(const char *s, const char *a, const char *b)
{
  return strcmp(s, a) == 0 || strcmp(s, b) == 0;
}

/* Rules that tie a value to its meaning, beyond its type. */
static int check_semantics(const struct parity_config *cfg, enum parity_config_role role, FILE *errors)
{
  int bad = 0;
  bool prod = parity_config_is_production(cfg);
  if (!one_of(cfg->env, "development", "production"))
    bad += fprintf(errors, "PARITY_ENV: expected development or production\n") > 0;
  if (!one_of(cfg->market_source, "bundled", "yahoo"))
    bad += fprintf(errors, "MARKET_SOURCE: expected bundled or yahoo\n") > 0;
  if (!one_of(cfg->amqp_queue_type, "classic", "quorum"))
    bad += fprintf(errors, "AMQP_QUEUE_TYPE: expected classic or quorum\n") > 0;
  if (role & PARITY_ROLE_OPERATIONAL) {
    if (strlen(cfg->jwt_secret) < 32)
      bad += fprintf(errors, "JWT_SECRET: required, at least 32 bytes\n") > 0;
    if (!is_hex(cfg->totp_enc_key, 64))
      bad += fprintf(errors, "TOTP_ENC_KEY: required, exactly 64 hex digits\n") > 0;
    if (strlen(cfg->internal_secret) < 16)
      bad += fprintf(errors, "INTERNAL_SECRET: required, at least 16 bytes\n") > 0;
    if (cfg->http_port == cfg->internal_port)
      bad += fprintf(errors, "INTERNAL_PORT: must differ from HTTP_PORT\n") > 0;
  }
  if (prod) {
    /* Production refuses the development defaults that are only safe on a laptop. */
    if (!getenv("DATABASE_URL") || !getenv("AMQP_URL"))
      bad += fprintf(errors, "DATABASE_URL, AMQP_URL: required when PARITY_ENV=production\n") > 0;
    if ((role & PARITY_ROLE_DECISIONAL) && !getenv("DECISIONAL_DATABASE_URL"))
      bad += fprintf(errors, "DECISIONAL_DATABASE_URL: required when PARITY_ENV=production\n") > 0;
    if (strstr(cfg->amqp_url, "parity:parity@"))
      bad += fprintf(errors, "AMQP_URL: the development password is not allowed in production\n") > 0;
  }
  return bad;
}

int parity_config_load(struct parity_config *cfg, enum parity_config_role role, FILE *errors)
{
  memset(cfg, 0, sizeof(*cfg));
  int bad = 0;
  for (size_t i = 0; i < N_CFG_VARS; i++) {
    const char *text = getenv(cfg_vars[i].name);
    if (!text)
      text = cfg_vars[i].def;
    bad += parse_var(&cfg_vars[i], text, cfg, errors) != 0;
  }
  for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]) && !bad; i++) {
    char **slot = (char **)((char *)cfg + find_var(shipped[i].var)->offset);
    if (resolve_shipped(shipped[i].var, slot))
      bad += fprintf(errors, "%s: no executable path to find share/parity from; set it\n", shipped[i].var) > 0;
  }
  if (!bad)
    bad += check_semantics(cfg, role, errors);
  if (bad) {
    parity_config_free(cfg);
    return PARITY_EINVAL;
  }
  return PARITY_OK;
}

void parity_config_free(struct parity_config *cfg)
{
  for (size_t i = 0; i < N_CFG_VARS; i++) {
    if (cfg_vars[i].type == CFG_STR || cfg_vars[i].type == CFG_SECRET) {
      char **slot = (char **)((char *)cfg + cfg_vars[i].offset);
      free(*slot);
      *slot = NULL;
    }
  }
}

char *parity_config_env_dup(const char *name)
{
  const struct cfg_var *v = find_var(name);
  if (!v)
    return NULL;
  const char *text = getenv(name);
  char *value = strdup(text && *text ? text : v->def);
  if (!value)
    abort();
  if (resolve_shipped(name, &value)) {
    free(value);
    return NULL;
  }
  return value;
}

bool parity_config_is_production(const struct parity_config *cfg)
{
  return cfg->env && strcmp(cfg->env, "production") == 0;
}

void parity_config_print(const struct parity_config *cfg, FILE *out)
{
  for (size_t i = 0; i < N_CFG_VARS; i++) {
    const struct cfg_var *v = &cfg_vars[i];
    const void *slot = (const char *)cfg + v->offset;
    switch (v->type) {
    case CFG_STR:
      fprintf(out, "%s=%s\n", v->name, *(char *const *)slot);
      break;
    case CFG_SECRET:
      fprintf(out, "%s=%s\n", v->name, **(char *const *)slot ? "<redacted>" : "");
      break;
    case CFG_INT:
      fprintf(out, "%s=%ld\n", v->name, *(const long *)slot);
      break;
    case CFG_BOOL:
      fprintf(out, "%s=%s\n", v->name, *(const bool *)slot ? "true" : "false");
      break;
    case CFG_DOUBLE:
      fprintf(out, "%s=%g\n", v->name, *(const double *)slot);
      break;
    }
  }
}
