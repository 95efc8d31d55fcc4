/* Prometheus metrics: a process-wide registry of counters, gauges and histograms with labels. */
#ifndef PARITY_METRICS_H
#define PARITY_METRICS_H

#include <stddef.h>

enum parity_metric_kind { PARITY_COUNTER, PARITY_GAUGE, PARITY_HISTOGRAM };

struct parity_metric;

#define PARITY_METRIC_MAX_LABELS 4
#define PARITY_METRIC_MAX_SERIES 512 /* label combinations per metric; more are folded into "other" */

/*
 * Registers a metric (once, at start). `labels` is a comma-separated list of label names or NULL.
 * Histograms use `buckets` (ascending upper bounds) or default latency buckets when NULL.
 * The returned handle lives for the whole process.
 */
struct parity_metric *parity_metric_register(enum parity_metric_kind kind, const char *name, const char *help,
                                             const char *labels, const double *buckets, size_t n_buckets);

/* Label values follow in the order the labels were registered (exactly as many). Thread-safe. */
void parity_metric_add(struct parity_metric *m, double delta, ...);
void parity_metric_set(struct parity_metric *m, double value, ...);
void parity_metric_observe(struct parity_metric *m, double value, ...);

/* The text exposition format (version 0.0.4) of every metric; the caller frees it. */
char *parity_metrics_render_new(void);

/* Frees the registry (end of process; keeps sanitizers' leak reports meaningful). */
void parity_metrics_shutdown(void);

#endif
