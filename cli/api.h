/*
 * The parity CLI's client of operational's internal API (the endpoints the CronJobs call), authenticated the
 * way they are: X-Internal-Secret. Where: PARITY_INTERNAL_URL, else http://127.0.0.1:INTERNAL_PORT; the
 * secret: INTERNAL_SECRET. Each from the environment, else the checkout's var/env (`make run` records them).
 */
#ifndef PARITY_CLI_API_H
#define PARITY_CLI_API_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "operational/sse.h"

#define PARITY_CLI_API_TIMEOUT_SECONDS 60
#define PARITY_CLI_API_MAX_ANSWER (16u * 1024u * 1024u)

struct parity_cli_api {
  char *base;   /* owned: "http://host:port", no trailing slash */
  char *secret; /* owned */
  const char *cmd;
};

/* Finds the URL and secret; 1 (said on stderr) when there is no secret. */
int parity_cli_api_open(struct parity_cli_api *api, const char *cmd);
void parity_cli_api_close(struct parity_cli_api *api);
/* METHOD base+path (no body); *status the HTTP status (0: no answer), *body the JSON answer (new, or NULL). */
int parity_cli_api_call(const struct parity_cli_api *api, const char *method, const char *path, long *status,
                        json_t **body);
/* GET base+path as text (*text new, NULL when empty). */
int parity_cli_api_get_text(const struct parity_cli_api *api, const char *path, long *status, char **text);
/* GET base+path as Server-Sent Events until the stream ends or on_event says stop. *status as above,
 * *retry_after the Retry-After of a 503 (0 when none). */
int parity_cli_api_events(const struct parity_cli_api *api, const char *path, parity_sse_on_event on_event, void *cls,
                          long *status, long *retry_after);
/* Follows job `id` to its final state on `out`: a bar on a terminal, a line per change elsewhere. The
 * exit code: 0 succeeded, 1 failed or aborted (or the stream could not be followed). */
int parity_cli_follow(const struct parity_cli_api *api, int64_t id, FILE *out);
/* Prints an API error answer as "parity CMD: STATUS CODE: message" on stderr and returns 1. */
int parity_cli_api_fail(const struct parity_cli_api *api, long status, const json_t *body);

#endif
