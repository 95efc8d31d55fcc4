/* The checks every request passes before its handler: rate limit, CORS, authentication. */
#ifndef PARITY_AUTH_GATE_H
#define PARITY_AUTH_GATE_H

#include <microhttpd.h>

#include "operational/http.h"

struct parity_app;

/* Process-wide set-up (the HMAC of INTERNAL_SECRET, the rate limiter). */
int parity_auth_gate_init(struct parity_app *app);
void parity_auth_gate_shutdown(struct parity_app *app);

/* Before routing: the per-IP rate limit. Returns an error (429) or PARITY_OK. */
int parity_auth_gate_before_route(struct parity_request *req, struct parity_response *res);
/* Answers a CORS preflight (OPTIONS). */
int parity_auth_gate_preflight(struct parity_request *req, struct parity_response *res);
/* Enforces the route's auth mode; sets req->user_id for PARITY_AUTH_USER. */
int parity_auth_gate_check(struct parity_request *req, struct parity_response *res);
/* Adds the CORS headers for FRONTEND_ORIGIN to an answer. */
void parity_auth_gate_cors_headers(struct parity_request *req, struct MHD_Response *response);

#endif
