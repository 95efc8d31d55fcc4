/* parity-decisional: consume commands, compute, write results, publish events; drain on SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "common/daemon.h"
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

int main(int argc, char **argv)
{
  int status = parity_daemon_start(argc, argv, "decisional",
                                   "Consumes decisional.interactive, decisional.pipeline and decisional.rebalance.",
                                   PARITY_ROLE_DECISIONAL, &shared.cfg);
  if (status != PARITY_DAEMON_CONTINUE)
    return status;
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
  pthread_t threads[PARITY_WORKER_THREADS];
  int rc = parity_probe_start(&shared, &probe);
  if (!rc)
    rc = parity_worker_start(&shared, threads);
  if (!rc) {
    parity_log(PARITY_LOG_INFO, "ready", "{s:s}", "market_source", shared.cfg.market_source);
    while (!shared.stopping)
      usleep(100000);
    parity_log(PARITY_LOG_INFO, "draining", NULL);
    for (int i = 0; i < PARITY_WORKER_THREADS; i++)
      pthread_join(threads[i], NULL);
  }
  parity_probe_stop(probe);
  parity_metrics_shutdown();
  parity_config_free(&shared.cfg);
  curl_global_cleanup();
  parity_log(PARITY_LOG_INFO, "stopped", "{s:b}", "clean", rc == PARITY_OK);
  return rc ? 1 : 0;
}
