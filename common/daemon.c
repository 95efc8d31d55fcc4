/* The shared start of parity-operational and parity-decisional. */
#include "common/daemon.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/version.h"

static void usage(FILE *out, const char *service, const char *about)
{
  fprintf(out,
          "usage: parity-%s [--print-config] [--version]\n%s\n"
          "Configuration comes from the environment; see --print-config.\n",
          service, about);
}

int parity_daemon_start(int argc, char **argv, const char *service, const char *about, enum parity_config_role role,
                        struct parity_config *cfg)
{
  static const struct option options[] = { { "print-config", no_argument, NULL, 'p' },
                                           { "version", no_argument, NULL, 'v' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  bool print_config = false;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'p') {
      print_config = true;
    } else if (c == 'v') {
      printf("parity-%s %s\n", service, parity_version());
      return 0;
    } else {
      usage(c == 'h' ? stdout : stderr, service, about);
      return c == 'h' ? 0 : 2;
    }
  }
  parity_log_init(service, getenv("LOG_LEVEL"));
  if (parity_config_load(cfg, role, stderr) != PARITY_OK) {
    fprintf(stderr, "parity-%s: refusing to start with the configuration above\n", service);
    return 2;
  }
  if (print_config) {
    parity_config_print(cfg, stdout);
    parity_config_free(cfg);
    return 0;
  }
  return PARITY_DAEMON_CONTINUE;
}
