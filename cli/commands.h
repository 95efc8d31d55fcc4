/* The `parity` subcommands. Each takes argv starting at its own name and returns the exit code:
 * 0 success, 1 failure (message on stderr), 2 usage error. Results go to stdout as JSON. */
#ifndef PARITY_CLI_COMMANDS_H
#define PARITY_CLI_COMMANDS_H

#include <limits.h>

struct parity_cli_command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
};

int parity_cli_migrate(int argc, char **argv);         /* cli/cmd_db.c */
int parity_cli_load_prices(int argc, char **argv);     /* cli/cmd_db.c */
int parity_cli_audit(int argc, char **argv);           /* cli/cmd_audit.c */
int parity_cli_hrp(int argc, char **argv);             /* cli/cmd_quant.c */
int parity_cli_models(int argc, char **argv);          /* cli/cmd_quant.c */
int parity_cli_forecast(int argc, char **argv);        /* cli/cmd_quant.c */
int parity_cli_rebalance_check(int argc, char **argv); /* cli/cmd_quant.c */
int parity_cli_risk(int argc, char **argv);            /* cli/cmd_quant.c */
int parity_cli_backtest(int argc, char **argv);        /* cli/cmd_quant.c */
int parity_cli_seed_investors(int argc, char **argv);  /* cli/cmd_seed.c */
int parity_cli_demo_history(int argc, char **argv);    /* cli/cmd_demo.c */
int parity_cli_data_quality(int argc, char **argv);    /* cli/cmd_market.c */
int parity_cli_apply_splits(int argc, char **argv);    /* cli/cmd_market.c */

/* The database a command connects to, and where that came from (for its messages). */
struct parity_cli_database {
  char *url;           /* owned; parity_cli_database_free releases it */
  char from[PATH_MAX]; /* "DATABASE_URL", the path of the env file read, or "the built-in default" */
};

/*
 * DATABASE_URL from the environment when set; else, when the checkout's var/env exists ($PARITY_ROOT/var/env
 * with PARITY_ROOT set, else ./var/env), the DATABASE_URL that `make run` recorded there; else the default
 * of config_vars.h. An env file that cannot be read or names no database is an error (said on stderr,
 * prefixed with "parity CMD:"), never a silent fall-back to the default, which may be another instance's.
 * cli/database.c
 */
int parity_cli_database_find(struct parity_cli_database *out, const char *cmd);
void parity_cli_database_free(struct parity_cli_database *d);
/* DATABASE_URL's default, for the help text. */
const char *parity_cli_database_default(void);
/* A setting the same way: the environment's NAME, else the checkout's var/env NAME= line; *value new, NULL
 * when neither has it. cli/database.c */
int parity_cli_setting(const char *name, const char *cmd, char **value);

/* The operator's commands, through operational's internal API (cli/api.c). */
int parity_cli_jobs(int argc, char **argv);       /* cli/cmd_jobs.c */
int parity_cli_job(int argc, char **argv);        /* cli/cmd_jobs.c */
int parity_cli_pipeline(int argc, char **argv);   /* cli/cmd_jobs.c */
int parity_cli_rebalance(int argc, char **argv);  /* cli/cmd_jobs.c */
int parity_cli_ops_status(int argc, char **argv); /* cli/cmd_ops.c */

#endif
