/* A worker's wake-up signal (wakeup.h). */
#include "common/wakeup.h"

#include <time.h>

void parity_wakeup_init(struct parity_wakeup *w)
{
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
  w->kicked = false;
}

void parity_wakeup_destroy(struct parity_wakeup *w)
{
  pthread_cond_destroy(&w->cond);
  pthread_mutex_destroy(&w->lock);
}

void parity_wakeup_kick(struct parity_wakeup *w)
{
  pthread_mutex_lock(&w->lock);
  w->kicked = true;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

void parity_wakeup_wait(struct parity_wakeup *w, long wait_ms, const atomic_int *stopping)
{
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  long ns = until.tv_nsec + wait_ms * 1000000L;
  until.tv_sec += ns / 1000000000L;
  until.tv_nsec = ns % 1000000000L;
  pthread_mutex_lock(&w->lock);
  while (!w->kicked && !atomic_load(stopping)) {
    if (pthread_cond_timedwait(&w->cond, &w->lock, &until) != 0)
      break; /* the poll interval is up */
  }
  w->kicked = false;
  pthread_mutex_unlock(&w->lock);
}
