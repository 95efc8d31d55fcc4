/* The `parity` subcommands. Each takes argv starting at its own name and returns the exit code:
 * 0 success, 1 failure (message on stderr), 2 usage error. Results go to stdout as JSON. */
#ifndef PARITY_CLI_COMMANDS_H
#define PARITY_CLI_COMMANDS_H

struct parity_cli_command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
};

int parity_cli_migrate(int argc, char **argv);      /* cli/cmd_db.c */
int parity_cli_load_prices(int argc, char **argv);  /* cli/cmd_db.c */
int parity_cli_audit(int argc, char **argv);        /* cli/cmd_audit.c */
int parity_cli_hrp(int argc, char **argv);          /* cli/cmd_quant.c */
int parity_cli_models(int argc, char **argv);       /* cli/cmd_quant.c */
int parity_cli_forecast(int argc, char **argv);     /* cli/cmd_quant.c */
int parity_cli_rebalance_check(int argc, char **argv); /* cli/cmd_quant.c */
int parity_cli_seed_investors(int argc, char **argv); /* cli/cmd_seed.c */

/* DATABASE_URL, or the local `make run` database when unset (cli/cmd_db.c). */
const char *parity_cli_database_url(void);

#endif
