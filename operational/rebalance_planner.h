/* The rebalance planner thread: turns runs in status planning into batches, one keyset step at a time. */
#ifndef PARITY_REBALANCE_PLANNER_H
#define PARITY_REBALANCE_PLANNER_H

#include <pthread.h>

struct parity_app;

int parity_planner_start(struct parity_app *app, pthread_t *thread);

#endif
