/* The decisional metrics port: /livez, /readyz and /metrics for Kubernetes and Prometheus. */
#ifndef PARITY_PROBE_H
#define PARITY_PROBE_H

#include "decisional/worker.h"

struct MHD_Daemon;

/* Starts the listener on METRICS_PORT (all interfaces: the port carries no data, only health). */
int parity_probe_start(struct parity_worker_shared *shared, struct MHD_Daemon **out);
void parity_probe_stop(struct MHD_Daemon *daemon);

#endif
