/*
 * A worker's wake-up signal: other threads kick it when there is work; the worker sleeps until a kick,
 * a stop or the end of its poll interval. The kick is remembered, so one sent while the worker is busy
 * wakes its next wait at once.
 */
#ifndef PARITY_WAKEUP_H
#define PARITY_WAKEUP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct parity_wakeup {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool kicked;
};

void parity_wakeup_init(struct parity_wakeup *w);
void parity_wakeup_destroy(struct parity_wakeup *w);
void parity_wakeup_kick(struct parity_wakeup *w);
/* Returns after a kick (consumed), once *stopping is set (the stopper kicks too), or after wait_ms. */
void parity_wakeup_wait(struct parity_wakeup *w, long wait_ms, const atomic_int *stopping);

#endif
