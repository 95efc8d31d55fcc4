/* Metrics registry and Prometheus text rendering. Few series per metric, so lookups are linear. */
#include "common/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

#define MAX_METRICS 96
#define MAX_BUCKETS 16
#define MAX_LABEL_VALUE 96

static const double default_buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };

struct series {
  char *values[PARITY_METRIC_MAX_LABELS];
  double value;             /* counter, gauge; histogram sum */
  unsigned long long count; /* histogram */
  unsigned long long buckets[MAX_BUCKETS];
};

struct parity_metric {
  enum parity_metric_kind kind;
  char *name, *help;
  char *labels[PARITY_METRIC_MAX_LABELS];
  size_t n_labels;
  double bounds[MAX_BUCKETS];
  size_t n_bounds;
  struct series *series;
  size_t n_series, cap_series;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct parity_metric *registry[MAX_METRICS];
static size_t n_registry;

struct parity_metric *parity_metric_register(enum parity_metric_kind kind, const char *name, const char *help,
                                             const char *labels, const double *buckets, size_t n_buckets)
{
  pthread_mutex_lock(&registry_lock);
  for (size_t i = 0; i < n_registry; i++) {
    if (strcmp(registry[i]->name, name) == 0) {
      pthread_mutex_unlock(&registry_lock);
      return registry[i];
    }
  }
  if (n_registry == MAX_METRICS)
    abort(); /* a programming error: raise MAX_METRICS */
  struct parity_metric *m = parity_xcalloc(1, sizeof(*m));
  m->kind = kind;
  m->name = parity_xstrdup(name);
  m->help = parity_xstrdup(help);
  if (labels && *labels) {
    char *copy = parity_xstrdup(labels), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && m->n_labels < PARITY_METRIC_MAX_LABELS;
         tok = strtok_r(NULL, ",", &save))
      m->labels[m->n_labels++] = parity_xstrdup(tok);
    free(copy);
  }
  if (kind == PARITY_HISTOGRAM) {
    if (!buckets) {
      buckets = default_buckets;
      n_buckets = sizeof(default_buckets) / sizeof(default_buckets[0]);
    }
    m->n_bounds = n_buckets < MAX_BUCKETS ? n_buckets : MAX_BUCKETS;
    memcpy(m->bounds, buckets, m->n_bounds * sizeof(double));
  }
  registry[n_registry++] = m;
  pthread_mutex_unlock(&registry_lock);
  return m;
}

/* Finds or creates the series for these label values; called with the lock held. */
static struct series *find_series(struct parity_metric *m, va_list ap)
{
  const char *values[PARITY_METRIC_MAX_LABELS];
  for (size_t i = 0; i < m->n_labels; i++) {
    values[i] = va_arg(ap, const char *);
    if (!values[i])
      values[i] = "";
  }
  for (size_t s = 0; s < m->n_series; s++) {
    size_t i;
    for (i = 0; i < m->n_labels && strcmp(m->series[s].values[i], values[i]) == 0; i++)
      ;
    if (i == m->n_labels)
      return &m->series[s];
  }
  if (m->n_series >= PARITY_METRIC_MAX_SERIES) {
    /* Bounded cardinality: fold new combinations into the last series instead of growing forever. */
    return &m->series[m->n_series - 1];
  }
  if (m->n_series == m->cap_series) {
    m->cap_series = m->cap_series ? m->cap_series * 2 : 8;
    m->series = parity_xrealloc(m->series, m->cap_series * sizeof(*m->series));
  }
  struct series *s = &m->series[m->n_series++];
  memset(s, 0, sizeof(*s));
  for (size_t i = 0; i < m->n_labels; i++)
    s->values[i] = strndup(values[i], MAX_LABEL_VALUE);
  return s;
}

void parity_metric_add(struct parity_metric *m, double delta, ...)
{
  va_list ap;
  va_start(ap, delta);
  pthread_mutex_lock(&registry_lock);
  find_series(m, ap)->value += delta;
  pthread_mutex_unlock(&registry_lock);
  va_end(ap);
}

void parity_metric_set(struct parity_metric *m, double value, ...)
{
  va_list ap;
  va_start(ap, value);
  pthread_mutex_lock(&registry_lock);
  find_series(m, ap)->value = value;
  pthread_mutex_unlock(&registry_lock);
  va_end(ap);
}

void parity_metric_observe(struct parity_metric *m, double value, ...)
{
  va_list ap;
  va_start(ap, value);
  pthread_mutex_lock(&registry_lock);
  struct series *s = find_series(m, ap);
  s->value += value;
  s->count++;
  for (size_t b = 0; b < m->n_bounds; b++)
    if (value <= m->bounds[b])
      s->buckets[b]++;
  pthread_mutex_unlock(&registry_lock);
  va_end(ap);
}

/* Label values are escaped as the exposition format requires: backslash, quote, newline. */
static void put_labels(FILE *out, const struct parity_metric *m, const struct series *s, const char *extra_key,
                       const char *extra_value)
{
  if (m->n_labels == 0 && !extra_key)
    return;
  fputc('{', out);
  for (size_t i = 0; i < m->n_labels; i++) {
    fprintf(out, "%s%s=\"", i ? "," : "", m->labels[i]);
    for (const char *c = s->values[i]; *c; c++) {
      if (*c == '\\' || *c == '"')
        fputc('\\', out);
      if (*c == '\n')
        fputs("\\n", out);
      else
        fputc(*c, out);
    }
    fputc('"', out);
  }
  if (extra_key)
    fprintf(out, "%s%s=\"%s\"", m->n_labels ? "," : "", extra_key, extra_value);
  fputc('}', out);
}

static void render_metric(FILE *out, const struct parity_metric *m)
{
  static const char *const kinds[] = { "counter", "gauge", "histogram" };
  fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, kinds[m->kind]);
  if (m->n_series == 0 && m->n_labels == 0 && m->kind != PARITY_HISTOGRAM) {
    fprintf(out, "%s 0\n", m->name); /* an unlabelled series exists from the start */
    return;
  }
  for (size_t i = 0; i < m->n_series; i++) {
    const struct series *s = &m->series[i];
    if (m->kind != PARITY_HISTOGRAM) {
      fputs(m->name, out);
      put_labels(out, m, s, NULL, NULL);
      fprintf(out, " %.17g\n", s->value);
      continue;
    }
    for (size_t b = 0; b < m->n_bounds; b++) {
      char le[32];
      snprintf(le, sizeof(le), "%g", m->bounds[b]);
      fprintf(out, "%s_bucket", m->name);
      put_labels(out, m, s, "le", le);
      fprintf(out, " %llu\n", s->buckets[b]);
    }
    fprintf(out, "%s_bucket", m->name);
    put_labels(out, m, s, "le", "+Inf");
    fprintf(out, " %llu\n%s_sum", s->count, m->name);
    put_labels(out, m, s, NULL, NULL);
    fprintf(out, " %.17g\n%s_count", s->value, m->name);
    put_labels(out, m, s, NULL, NULL);
    fprintf(out, " %llu\n", s->count);
  }
}

char *parity_metrics_render_new(void)
{
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (!out)
    abort();
  pthread_mutex_lock(&registry_lock);
  for (size_t i = 0; i < n_registry; i++)
    render_metric(out, registry[i]);
  pthread_mutex_unlock(&registry_lock);
  fclose(out);
  return text;
}

void parity_metrics_shutdown(void)
{
  pthread_mutex_lock(&registry_lock);
  for (size_t i = 0; i < n_registry; i++) {
    struct parity_metric *m = registry[i];
    for (size_t s = 0; s < m->n_series; s++)
      for (size_t l = 0; l < m->n_labels; l++)
        free(m->series[s].values[l]);
    for (size_t l = 0; l < m->n_labels; l++)
      free(m->labels[l]);
    free(m->series);
    free(m->name);
    free(m->help);
    free(m);
  }
  n_registry = 0;
  pthread_mutex_unlock(&registry_lock);
}
