/* Mean and sample variance by Welford's method (Knuth TAOCP vol. 2, 4.2.2). */
#include "decisional/quant/stats.h"

double parity_stats_mean(const double *x, size_t n)
{
  double mean = 0.0;
  for (size_t i = 0; i < n; i++)
    mean += (x[i] - mean) / (double)(i + 1);
  return mean;
}

double parity_stats_sample_var(const double *x, size_t n)
{
  if (n < 2)
    return 0.0;
  double mean = 0.0, m2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double delta = x[i] - mean;
    mean += delta / (double)(i + 1);
    m2 += delta * (x[i] - mean);
  }
  return m2 / (double)(n - 1);
}
