/* The CLI's client of operational's internal API (api.h), on libcurl. */
#include "cli/api.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/errors.h"
#include "common/job_types.h"

#define FOLLOW_RECONNECT_PAUSE_SECONDS 1
#define FOLLOW_MAX_RECONNECTS 30
#define BAR_WIDTH 30

int parity_cli_api_open(struct parity_cli_api *api, const char *cmd)
{
  memset(api, 0, sizeof(*api));
  api->cmd = cmd;
  char *port = NULL;
  if (parity_cli_setting("PARITY_INTERNAL_URL", cmd, &api->base) || parity_cli_setting("INTERNAL_PORT", cmd, &port) ||
      parity_cli_setting("INTERNAL_SECRET", cmd, &api->secret)) {
    free(port);
    parity_cli_api_close(api);
    return 1;
  }
  if (!api->base) {
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%s",
             port && strspn(port, "0123456789") == strlen(port) ? port : "8082");
    api->base = parity_xstrdup(url);
  }
  free(port);
  size_t n = strlen(api->base);
  while (n > 0 && api->base[n - 1] == '/')
    api->base[--n] = '\0';
  if (!api->secret) {
    fprintf(stderr, "parity %s: no INTERNAL_SECRET (set it, or run from a checkout where `make run` wrote var/env)\n",
            cmd);
    parity_cli_api_close(api);
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return 0;
}

void parity_cli_api_close(struct parity_cli_api *api)
{
  free(api->base);
  if (api->secret)
    memset(api->secret, 0, strlen(api->secret));
  free(api->secret);
  api->base = api->secret = NULL;
}

static size_t collect(char *data, size_t size, size_t n, void *cls)
{
  return parity_buf_add(cls, data, size * n) ? 0 : size * n;
}

/* A handle for base+path with the secret and the CLI's trigger header; *headers to free with the handle. */
static CURL *handle_new(const struct parity_cli_api *api, const char *path, struct curl_slist **headers)
{
  CURL *h = curl_easy_init();
  if (!h)
    abort();
  char *url = parity_xmalloc(strlen(api->base) + strlen(path) + 1);
  strcpy(url, api->base);
  strcat(url, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  free(url);
  char *secret = parity_xmalloc(strlen(api->secret) + 32);
  sprintf(secret, "X-Internal-Secret: %s", api->secret);
  *headers = curl_slist_append(NULL, secret);
  memset(secret, 0, strlen(secret));
  free(secret);
  *headers = curl_slist_append(*headers, "X-Job-Trigger: cli");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, *headers);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  return h;
}

/* METHOD base+path; the answer's bytes in *answer. */
static int request(const struct parity_cli_api *api, const char *method, const char *path, long *status,
                   struct parity_buf *answer)
{
  *status = 0;
  struct curl_slist *headers = NULL;
  CURL *h = handle_new(api, path, &headers);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  if (strcmp(method, "POST") == 0)
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)PARITY_CLI_API_TIMEOUT_SECONDS);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, answer);
  CURLcode cc = curl_easy_perform(h);
  if (cc == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
  else
    fprintf(stderr, "parity %s: %s%s: %s\n", api->cmd, api->base, path, curl_easy_strerror(cc));
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  return cc == CURLE_OK ? PARITY_OK : PARITY_EIO;
}

int parity_cli_api_call(const struct parity_cli_api *api, const char *method, const char *path, long *status,
                        json_t **body)
{
  *body = NULL;
  struct parity_buf answer;
  parity_buf_init(&answer, PARITY_CLI_API_MAX_ANSWER);
  int rc = request(api, method, path, status, &answer);
  if (!rc && answer.data)
    *body = json_loads(answer.data, 0, NULL);
  parity_buf_free(&answer);
  return rc;
}

int parity_cli_api_get_text(const struct parity_cli_api *api, const char *path, long *status, char **text)
{
  struct parity_buf answer;
  parity_buf_init(&answer, PARITY_CLI_API_MAX_ANSWER);
  int rc = request(api, "GET", path, status, &answer);
  *text = parity_buf_take(&answer);
  parity_buf_free(&answer);
  return rc;
}

struct stream {
  struct parity_sse_parser parser;
  int stopped; /* the callback's answer that stopped the stream */
  long *retry_after;
};

static size_t stream_write(char *data, size_t size, size_t n, void *cls)
{
  struct stream *s = cls;
  int rc = parity_sse_parser_feed(&s->parser, data, size * n);
  if (rc)
    s->stopped = rc;
  return rc ? 0 : size * n;
}

static size_t stream_header(char *line, size_t size, size_t n, void *cls)
{
  struct stream *s = cls;
  static const char name[] = "retry-after:";
  if (size * n > sizeof(name) && strncasecmp(line, name, sizeof(name) - 1) == 0)
    *s->retry_after = strtol(line + sizeof(name) - 1, NULL, 10);
  return size * n;
}

int parity_cli_api_events(const struct parity_cli_api *api, const char *path, parity_sse_on_event on_event, void *cls,
                          long *status, long *retry_after)
{
  *status = 0;
  *retry_after = 0;
  struct curl_slist *headers = NULL;
  CURL *h = handle_new(api, path, &headers);
  headers = curl_slist_append(headers, "Accept: text/event-stream");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  struct stream s = { .retry_after = retry_after };
  parity_sse_parser_init(&s.parser, on_event, cls);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, stream_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
  /* No overall timeout: a job runs as long as it runs. Silence longer than three heartbeats is a dead peer. */
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 45L);
  CURLcode cc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
  parity_sse_parser_free(&s.parser);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  return cc == CURLE_OK || (cc == CURLE_WRITE_ERROR && s.stopped > 0) ? PARITY_OK : PARITY_EIO;
}

int parity_cli_api_fail(const struct parity_cli_api *api, long status, const json_t *body)
{
  const json_t *error = json_object_get(body, "error");
  fprintf(stderr, "parity %s: %ld %s: %s\n", api->cmd, status,
          json_string_value(json_object_get(error, "code")) ? json_string_value(json_object_get(error, "code")) : "",
          json_string_value(json_object_get(error, "message")) ? json_string_value(json_object_get(error, "message"))
                                                               : "no answer");
  return 1;
}

/* ------------------------------------------------------------------ following a job */

struct follow {
  FILE *out;
  bool tty;
  bool drawn;     /* a bar is on the current terminal line */
  char last[512]; /* the last plain line printed, so an unchanged state prints nothing */
  char final[16]; /* the final status, once seen */
  char reason[512];
};

static int on_job_event(const char *name, const char *data, void *cls)
{
  struct follow *f = cls;
  json_t *e = json_loads(data, 0, NULL);
  if (!json_is_object(e)) {
    json_decref(e);
    return 0;
  }
  const json_t *total = json_object_get(e, "total");
  struct parity_progress p = {
    json_integer_value(json_object_get(e, "id")),    json_string_value(json_object_get(e, "type")),
    json_string_value(json_object_get(e, "status")), json_string_value(json_object_get(e, "unit")),
    json_integer_value(json_object_get(e, "done")),  json_is_integer(total) ? json_integer_value(total) : -1,
    json_number_value(json_object_get(e, "seconds"))
  };
  char line[512];
  parity_progress_render(&p, f->tty, BAR_WIDTH, line, sizeof(line));
  if (f->tty) {
    fprintf(f->out, "\r\033[K%s", line);
    f->drawn = true;
  } else if (strcmp(line, f->last) != 0) {
    fprintf(f->out, "%s\n", line);
    snprintf(f->last, sizeof(f->last), "%s", line);
  }
  fflush(f->out);
  int stop = 0;
  if (strcmp(name, "end") == 0 || parity_job_status_final(p.status)) {
    snprintf(f->final, sizeof(f->final), "%s", p.status ? p.status : "failed");
    const char *reason = json_string_value(json_object_get(e, "reason"));
    snprintf(f->reason, sizeof(f->reason), "%s", reason ? reason : "");
    stop = 1;
  }
  json_decref(e);
  return stop;
}

int parity_cli_follow(const struct parity_cli_api *api, int64_t id, FILE *out)
{
  struct follow f = { .out = out, .tty = isatty(fileno(out)) != 0 };
  char path[64];
  snprintf(path, sizeof(path), "/internal/jobs/%lld/events", (long long)id);
  for (int attempt = 0; !f.final[0] && attempt <= FOLLOW_MAX_RECONNECTS; attempt++) {
    long status = 0, retry_after = 0;
    parity_cli_api_events(api, path, on_job_event, &f, &status, &retry_after);
    if (f.final[0])
      break;
    if (status == 404 || status == 401 || status == 403) {
      fprintf(stderr, "parity %s: job %lld: HTTP %ld\n", api->cmd, (long long)id, status);
      return 1;
    }
    /* Too many watchers (503), a restart, a lost connection: the job's state is in the database, so
     * following it again loses nothing. */
    sleep((unsigned)(retry_after > 0 && retry_after < 60 ? retry_after : FOLLOW_RECONNECT_PAUSE_SECONDS));
  }
  if (f.drawn)
    fputc('\n', out);
  if (!f.final[0]) {
    fprintf(stderr, "parity %s: lost job %lld's event stream\n", api->cmd, (long long)id);
    return 1;
  }
  fprintf(out, "job %lld %s%s%s\n", (long long)id, f.final, f.reason[0] ? ": " : "", f.reason);
  fflush(out);
  return strcmp(f.final, "succeeded") == 0 ? 0 : 1;
}
