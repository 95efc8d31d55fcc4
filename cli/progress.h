/* How `parity job --follow` shows a job moving: a bar with rate and ETA on a terminal, plain lines elsewhere. */
#ifndef PARITY_CLI_PROGRESS_H
#define PARITY_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A job's state as its events carry it. */
struct parity_progress {
  int64_t id;
  const char *type, *status, *unit;
  int64_t done, total; /* total < 0: not known yet */
  double seconds;      /* since the job started (or until it finished) */
};

/* "45s", "4m05s", "2h03m"; "-" for a negative or non-finite duration. */
void parity_progress_duration(double seconds, char *out, size_t n);
/* Units done per second so far, 0 when nothing can be said yet. */
double parity_progress_rate(const struct parity_progress *p);
/* Seconds left at the rate so far; < 0 when unknown (no total, no rate yet, or not running). */
double parity_progress_eta(const struct parity_progress *p);
/*
 * One line for p. bar: "[#########...........]  45%  2250/5000 portfolios  85.3/s  ETA 32s  running", the
 * bar `width` cells wide (a bar of '?' while the total is unknown). Not bar: "job 12 monthly_rebalance
 * running 2250/5000 portfolios (45%) 85.3/s ETA 32s", for logs and pipes.
 */
void parity_progress_render(const struct parity_progress *p, bool bar, int width, char *out, size_t n);

#endif
