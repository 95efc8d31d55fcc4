/* parity: the operator's and quant's command-line tool. Subcommands are rows of one table. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/version.h"

static int cmd_version(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  printf("{\"version\":\"%s\"}\n", parity_version());
  return 0;
}

static const struct parity_cli_command commands[] = {
  /* BEGIN COMMANDS (one row per subcommand; keep sorted by name) */
  { "audit", "check the ledger invariant for every user", parity_cli_audit },
  { "backtest", "walk-forward backtest of the 15 models vs SPY and 60/40", parity_cli_backtest },
  { "demo-history", "the demo investor's simulated past (deposits, invests, monthly rebalances)",
    parity_cli_demo_history },
  { "forecast", "Monte Carlo forecast cone (GBM) as JSON", parity_cli_forecast },
  { "hrp", "HRP weights of a wide price or return CSV", parity_cli_hrp },
  { "job", "one job as JSON, or --follow it until it ends", parity_cli_job },
  { "jobs", "the newest jobs as a table (--watch)", parity_cli_jobs },
  { "load-prices", "load a daily-price CSV into daily_prices", parity_cli_load_prices },
  { "migrate", "apply the schema migrations", parity_cli_migrate },
  { "models", "generate the 15 model portfolios from a price CSV", parity_cli_models },
  { "ops-status", "last run of each job type, data freshness, queues, dead letters", parity_cli_ops_status },
  { "pipeline", "start the daily|intraday|generate|cleanup job (--follow)", parity_cli_pipeline },
  { "rebalance", "start the monthly rebalance run of --period (--follow)", parity_cli_rebalance },
  { "rebalance-check", "rebalance targets for JSON cases", parity_cli_rebalance_check },
  { "risk", "risk metrics of a weighted portfolio vs a benchmark", parity_cli_risk },
  { "seed-investors", "create N synthetic investors for scale tests (COPY)", parity_cli_seed_investors },
  { "version", "print the version as JSON", cmd_version },
  { "data-quality", "open market-data quality findings (a table on a terminal)", parity_cli_data_quality },
  { "apply-splits", "apply recorded splits to the held positions, once", parity_cli_apply_splits },
  /* END COMMANDS */
};

static void usage(FILE *out)
{
  fprintf(out, "usage: parity <command> [options]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n'parity <command> --help' describes a command.\n");
  fprintf(out,
          "\nThe database commands (audit, load-prices, migrate) connect to DATABASE_URL when it is set.\n"
          "Otherwise, in a checkout where `make run` ran, to the DATABASE_URL it recorded in var/env: the\n"
          "checkout is $PARITY_ROOT when set (make sets it), else the current directory, so run them from\n"
          "the checkout's top directory. Without a var/env there, %s.\n"
          "A var/env that cannot be read or names no database is an error, never a reason to guess.\n",
          parity_cli_database_default());
  fprintf(out, "\nThe operator's commands (jobs, job, pipeline, rebalance, ops-status) call operational's internal\n"
               "API as the CronJobs do: PARITY_INTERNAL_URL (else http://127.0.0.1:$INTERNAL_PORT) with\n"
               "INTERNAL_SECRET, each from the environment or the checkout's var/env (`make run` records both).\n");
}

int main(int argc, char **argv)
{
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "parity: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
