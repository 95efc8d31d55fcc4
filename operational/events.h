/* The consumer of operational.events: reacts to results decisional has committed. */
#ifndef PARITY_EVENTS_H
#define PARITY_EVENTS_H

#include <pthread.h>

struct parity_app;

int parity_events_start(struct parity_app *app, pthread_t *thread);

#endif
