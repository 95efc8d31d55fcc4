/* JSON-lines logger. One mutex-guarded write per line so threads never interleave. */
#include "common/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/calendar.h"

static const char *log_service = "parity";
static enum parity_log_level log_min_level = PARITY_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local const char *ctx_key;
static _Thread_local char ctx_id[64];

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void parity_log_init(const char *service, const char *min_level)
{
  if (service)
    log_service = service;
  if (!min_level)
    return;
  for (int i = 0; i < 4; i++)
    if (strcmp(min_level, level_names[i]) == 0)
      log_min_level = (enum parity_log_level)i;
}

void parity_log_set_context(const char *key, const char *id)
{
  ctx_key = id ? key : NULL;
  if (id)
    snprintf(ctx_id, sizeof(ctx_id), "%s", id);
}

void parity_log(enum parity_log_level level, const char *event, const char *fields, ...)
{
  if (level < log_min_level)
    return;
  json_t *line = NULL;
  if (fields) {
    va_list ap;
    va_start(ap, fields);
    json_error_t err;
    line = json_vpack_ex(&err, 0, fields, ap);
    va_end(ap);
    if (!line)
      line = json_pack("{s:s}", "log_format_error", err.text);
  }
  if (!line || !json_is_object(line)) {
    json_decref(line);
    line = json_object();
  }
  char ts[PARITY_TIMESTAMP_TEXT];
  parity_now_rfc3339(ts);
  /* The fixed keys first, so every line reads the same way; the event's fields follow. */
  json_t *head = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level_names[level], "svc", log_service, "event",
                           event ? event : "unknown");
  if (ctx_key)
    json_object_set_new(head, ctx_key, json_string(ctx_id));
  json_object_update_missing(head, line);
  json_decref(line);
  line = head;

  char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(line);
  if (!text)
    return;
  pthread_mutex_lock(&log_lock);
  fputs(text, stderr);
  fputc('\n', stderr);
  fflush(stderr);
  pthread_mutex_unlock(&log_lock);
  free(text);
}
