/* Progress lines for `parity job --follow` (progress.h), pure. */
#include "cli/progress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void parity_progress_duration(double seconds, char *out, size_t n)
{
  if (!isfinite(seconds) || seconds < 0) {
    snprintf(out, n, "-");
    return;
  }
  long s = (long)ceil(seconds);
  if (s < 60)
    snprintf(out, n, "%lds", s);
  else if (s < 3600)
    snprintf(out, n, "%ldm%02lds", s / 60, s % 60);
  else
    snprintf(out, n, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
}

double parity_progress_rate(const struct parity_progress *p)
{
  return p->seconds > 0 && p->done > 0 ? (double)p->done / p->seconds : 0.0;
}

double parity_progress_eta(const struct parity_progress *p)
{
  double rate = parity_progress_rate(p);
  if (p->total < 0 || rate <= 0 || !p->status || strcmp(p->status, "running") != 0)
    return -1;
  return p->total > p->done ? (double)(p->total - p->done) / rate : 0.0;
}

void parity_progress_render(const struct parity_progress *p, bool bar, int width, char *out, size_t n)
{
  char eta[16], count[64], percent[16] = "";
  parity_progress_duration(parity_progress_eta(p), eta, sizeof(eta));
  double rate = parity_progress_rate(p);
  const char *unit = p->unit ? p->unit : "";
  if (p->total >= 0) {
    int pct = p->total > 0 ? (int)(100 * p->done / p->total) : 100;
    pct = pct < 0 ? 0 : pct;
    snprintf(percent, sizeof(percent), "%d%%", pct > 100 ? 100 : pct);
    snprintf(count, sizeof(count), "%lld/%lld %s", (long long)p->done, (long long)p->total, unit);
  } else {
    snprintf(count, sizeof(count), "%lld/? %s", (long long)p->done, unit);
  }
  if (!bar) {
    snprintf(out, n, "job %lld %s %s %s%s%s%s %.1f/s ETA %s", (long long)p->id, p->type ? p->type : "",
             p->status ? p->status : "", count, *percent ? " (" : "", percent, *percent ? ")" : "", rate, eta);
    return;
  }
  char cells[128];
  if (width > (int)sizeof(cells) - 1)
    width = (int)sizeof(cells) - 1;
  if (width < 1)
    width = 1;
  int filled = p->total > 0 ? (int)((double)width * (double)p->done / (double)p->total) : (p->total == 0 ? width : 0);
  if (filled > width)
    filled = width;
  for (int i = 0; i < width; i++)
    cells[i] = p->total < 0 ? '?' : (i < filled ? '#' : '.');
  cells[width] = '\0';
  snprintf(out, n, "[%s] %4s  %s  %.1f/s  ETA %s  %s", cells, percent, count, rate, eta, p->status ? p->status : "");
}
