/* Largest-remainder rounding of weights to micro-units that sum to exactly one. */
#include "decisional/quant/weights.h"

#include <math.h>
#include <stdlib.h>

#include "common/errors.h"

#define SUM_TOLERANCE 1e-9

int parity_weights_round_micros(const double *w, size_t n, int64_t *micros)
{
  if (n == 0)
    return PARITY_EINVAL;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(w[i]) || w[i] < 0.0)
      return PARITY_EINVAL;
    sum += w[i];
  }
  if (fabs(sum - 1.0) > SUM_TOLERANCE)
    return PARITY_EINVAL;
  double *rem = malloc(n * sizeof(double));
  if (!rem)
    return PARITY_ENOMEM;
  int64_t total = 0;
  for (size_t i = 0; i < n; i++) {
    double scaled = w[i] / sum * PARITY_WEIGHT_MICROS;
    double fl = floor(scaled);
    micros[i] = (int64_t)fl;
    rem[i] = scaled - fl;
    total += micros[i];
  }
  /* At most n micros are missing (each floor loses less than one); hand them out one at a time. */
  for (size_t k = 0; k < n && total < PARITY_WEIGHT_MICROS; k++) {
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
      if (rem[i] > rem[best])
        best = i;
    micros[best]++;
    rem[best] = -1.0;
    total++;
  }
  free(rem);
  return total == PARITY_WEIGHT_MICROS ? PARITY_OK : PARITY_EINVAL;
}
