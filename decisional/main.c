/* parity-decisional: consume commands, compute, write results, publish events; drain on SIGTERM. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "common/errors.h"
#include "common/log.h"
#include "decisional/probe.h"
#include "decisional/worker.h"

static struct parity_worker_shared shared;

static void on_signal(int sig)
{
  (void)sig;
  shared.stopping = 1; /* consumers finish the message in hand, then leave their loops */
}

static void usage(FILE *out)
{
  fprintf(out, "usage: parity-decisional [--print-config]\n"
               "Consumes decisional.interactive, decisional.pipeline and decisional.rebalance.\n"
               "Configuration comes from the environment; see --print-config.\n");
}

int main(int argc, char **argv)
{
  static const struct option options[] = { { "print-config", no_argument, NULL, 'p' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  bool print_config = false;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'p') {
      print_config = true;
    } else {
      usage(c == 'h' ? stdout : stderr);
      return c == 'h' ? 0 : 2;
    }
  }
  parity_log_init("decisional", getenv("LOG_LEVEL"));
  if (parity_config_load(&shared.cfg, PARITY_ROLE_DECISIONAL, stderr) != PARITY_OK) {
    fprintf(stderr, "parity-decisional: refusing to start with the configuration above\n");
    return 2;
  }
  if (print_config) {
    parity_config_print(&shared.cfg, stdout);
    parity_config_free(&shared.cfg);
    return 0;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return 1;

  parity_decisional_metrics_init(&shared.metrics);
  struct MHD_Daemon *probe = NULL;
  pthread_t threads[3];
  int rc = parity_probe_start(&shared, &probe);
  if (!rc)
    rc = parity_worker_start(&shared, threads);
  if (!rc) {
    parity_log(PARITY_LOG_INFO, "ready", "{s:s}", "market_source", shared.cfg.market_source);
    while (!shared.stopping)
      usleep(100000);
    parity_log(PARITY_LOG_INFO, "draining", NULL);
    for (int i = 0; i < 3; i++)
      pthread_join(threads[i], NULL);
  }
  parity_probe_stop(probe);
  parity_metrics_shutdown();
  parity_config_free(&shared.cfg);
  curl_global_cleanup();
  parity_log(PARITY_LOG_INFO, "stopped", "{s:b}", "clean", rc == PARITY_OK);
  return rc ? 1 : 0;
}
