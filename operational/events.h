/* The consumers of operational.events: react to results decisional has committed. */
#ifndef PARITY_EVENTS_H
#define PARITY_EVENTS_H

struct parity_app;

/* Starts cfg.apply_threads consumers (the first one also sweeps). */
int parity_events_start(struct parity_app *app);
/* Joins every consumer started (after app->stopping is set). */
void parity_events_join(void);

#endif
