/* Configuration: defaults, typed parsing, every bad variable listed, secrets redacted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"
#include "common/errors.h"

static void set_valid_secrets(void)
{
  setenv("JWT_SECRET", "0123456789abcdef0123456789abcdef", 1);
  setenv("TOTP_ENC_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
  setenv("INTERNAL_SECRET", "internal-secret-for-tests", 1);
}

static int reset(void **state)
{
  (void)state;
  static const char *const names[] = {
    "HTTP_PORT",  "INTERNAL_PORT", "ENABLE_CRON",           "MODEL_MIN_WEIGHT",    "MARKET_SOURCE",
    "PARITY_ENV", "JWT_SECRET",    "TOTP_ENC_KEY",          "INTERNAL_SECRET",     "DATABASE_URL",
    "AMQP_URL",   "STATIC_DIR",    "PARITY_MIGRATIONS_DIR", "PARITY_OPENAPI_FILE", "BUNDLED_DATA_FILE"
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    unsetenv(names[i]);
  return 0;
}

static void defaults_load(void **state)
{
  (void)state;
  set_valid_secrets();
  struct parity_config cfg;
  assert_int_equal(parity_config_load(&cfg, PARITY_ROLE_OPERATIONAL, stderr), PARITY_OK);
  assert_int_equal(cfg.http_port, 8081);
  assert_int_equal(cfg.internal_port, 8082);
  assert_int_equal(cfg.metrics_port, 9090);
  assert_false(cfg.enable_cron);
  assert_string_equal(cfg.market_source, "bundled");
  assert_true(cfg.model_min_weight > 0.0199 && cfg.model_min_weight < 0.0201);
  assert_string_equal(cfg.universe_bonds, "BND,TLT,LQD,HYG,BNDX");
  parity_config_free(&cfg);
}

static void every_bad_variable_is_listed(void **state)
{
  (void)state;
  setenv("HTTP_PORT", "80x", 1);
  setenv("ENABLE_CRON", "maybe", 1);
  setenv("MODEL_MIN_WEIGHT", "0.9", 1);
  char *text = NULL;
  size_t len = 0;
  FILE *errors = open_memstream(&text, &len);
  struct parity_config cfg;
  assert_int_equal(parity_config_load(&cfg, PARITY_ROLE_OPERATIONAL, errors), PARITY_EINVAL);
  fclose(errors);
  assert_non_null(strstr(text, "HTTP_PORT"));
  assert_non_null(strstr(text, "ENABLE_CRON"));
  assert_non_null(strstr(text, "MODEL_MIN_WEIGHT"));
  free(text);
}

static void missing_secrets_refuse_operational_only(void **state)
{
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *errors = open_memstream(&text, &len);
  struct parity_config cfg;
  assert_int_equal(parity_config_load(&cfg, PARITY_ROLE_OPERATIONAL, errors), PARITY_EINVAL);
  fclose(errors);
  assert_non_null(strstr(text, "JWT_SECRET"));
  assert_non_null(strstr(text, "TOTP_ENC_KEY"));
  assert_non_null(strstr(text, "INTERNAL_SECRET"));
  free(text);
  assert_int_equal(parity_config_load(&cfg, PARITY_ROLE_DECISIONAL, stderr), PARITY_OK);
  parity_config_free(&cfg);
}

static void production_forbids_dev_defaults(void **state)
{
  (void)state;
  set_valid_secrets();
  setenv("PARITY_ENV", "production", 1);
  struct parity_config cfg;
  char *text = NULL;
  size_t len = 0;
  FILE *errors = open_memstream(&text, &len);
  assert_int_equal(parity_config_load(&cfg, PARITY_ROLE_OPERATIONAL, errors), PARITY_EINVAL);
  fclose(errors);
  assert_non_null(strstr(text, "DATABASE_URL"));
  free(text);
}

static void secrets_are_redacted_when_printed(void **state)
{
  (void)state;
  set_valid_secrets();
  struct parity_config cfg;
  assert_int_equal(parity_config_load(&cfg, PARITY_ROLE_OPERATIONAL, stderr), PARITY_OK);
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  parity_config_print(&cfg, out);
  fclose(out);
  assert_null(strstr(text, "0123456789abcdef0123456789abcdef"));
  assert_non_null(strstr(text, "JWT_SECRET=<redacted>"));
  assert_non_null(strstr(text, "HTTP_PORT=8081"));
  free(text);
  parity_config_free(&cfg);
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n > k && strcmp(s + n - k, suffix) == 0;
}

/* A shipped-file variable left empty names the file's place beside the executable (the build tree's
 * share/parity, which links to the sources; an installed tree's share/parity); a set one is kept. */
static void shipped_files_are_found_beside_the_executable(void **state)
{
  (void)state;
  set_valid_secrets();
  setenv("STATIC_DIR", "/srv/parity/www", 1);
  struct parity_config cfg;
  assert_int_equal(parity_config_load(&cfg, PARITY_ROLE_OPERATIONAL, stderr), PARITY_OK);
  assert_string_equal(cfg.static_dir, "/srv/parity/www");
  assert_true(ends_with(cfg.migrations_dir, "/share/parity/migrations"));
  assert_true(ends_with(cfg.openapi_file, "/share/parity/openapi.yaml"));
  assert_true(ends_with(cfg.bundled_data_file, "/share/parity/data/etf_daily.csv.gz"));
  char first[4096];
  snprintf(first, sizeof(first), "%s/0001_init.sql", cfg.migrations_dir);
  assert_int_equal(access(first, R_OK), 0);
  assert_int_equal(access(cfg.openapi_file, R_OK), 0);
  assert_int_equal(access(cfg.bundled_data_file, R_OK), 0);
  parity_config_free(&cfg);
}

/* What the CLI reads one variable at a time: the environment, else the table's default, shipped files
 * resolved; a name outside the table has no value. */
static void one_variable_on_its_own(void **state)
{
  (void)state;
  assert_null(parity_config_env_dup("NOT_A_PARITY_VARIABLE"));
  char *v = parity_config_env_dup("DATABASE_URL");
  assert_string_equal(v, "postgresql://parity@127.0.0.1:55432/parity");
  free(v);
  setenv("PARITY_MIGRATIONS_DIR", "/opt/parity/migrations", 1);
  v = parity_config_env_dup("PARITY_MIGRATIONS_DIR");
  assert_string_equal(v, "/opt/parity/migrations");
  free(v);
  setenv("PARITY_MIGRATIONS_DIR", "", 1);
  v = parity_config_env_dup("PARITY_MIGRATIONS_DIR");
  assert_true(ends_with(v, "/share/parity/migrations"));
  free(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(defaults_load, reset),
    cmocka_unit_test_setup(every_bad_variable_is_listed, reset),
    cmocka_unit_test_setup(missing_secrets_refuse_operational_only, reset),
    cmocka_unit_test_setup(production_forbids_dev_defaults, reset),
    cmocka_unit_test_setup(secrets_are_redacted_when_printed, reset),
    cmocka_unit_test_setup(shipped_files_are_found_beside_the_executable, reset),
    cmocka_unit_test_setup(one_variable_on_its_own, reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
