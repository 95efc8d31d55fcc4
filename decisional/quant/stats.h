/* Small descriptive statistics over contiguous arrays (pure, no allocation). */
#ifndef PARITY_QUANT_STATS_H
#define PARITY_QUANT_STATS_H

#include <stddef.h>

/* Arithmetic mean of x[0..n); 0 when n == 0. */
double parity_stats_mean(const double *x, size_t n);
/* Sample variance (ddof = 1) by Welford's update, stable for large offsets; 0 when n < 2. */
double parity_stats_sample_var(const double *x, size_t n);

#endif
