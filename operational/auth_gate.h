/* The checks every request passes before its handler: client IP, rate limit, CORS, authentication. */
#ifndef PARITY_AUTH_GATE_H
#define PARITY_AUTH_GATE_H

#include <microhttpd.h>

#include "operational/http.h"

struct parity_app;

/* Most bytes of X-Forwarded-For collected from all its header lines (client_ip.c reads the last 4 KiB). */
#define PARITY_GATE_XFF_COLLECT_MAX (16u * 1024u)
/* CORS preflight answers may be cached this long by the browser. */
#define PARITY_GATE_CORS_MAX_AGE "600"

/*
 * Process-wide set-up, read-only afterwards: crypto libraries and the dummy password hash, the JWT
 * key (JWT_SECRET, at least 32 bytes), the TOTP sealing key (TOTP_ENC_KEY, 64 hex digits), the
 * trusted proxies (TRUSTED_PROXIES) and the per-IP rate limiter (RATE_LIMIT_RPS/BURST). Logs the
 * offending variable and returns an error when any is unusable: the daemon must not start.
 */
int parity_auth_gate_init(struct parity_app *app);
void parity_auth_gate_shutdown(struct parity_app *app);

/*
 * Before routing: computes the client IP into req->client_ip (the peer, or X-Forwarded-For when
 * the peer is a trusted proxy), then takes a token from that IP's bucket on the public listener.
 * Returns PARITY_ERATE (429, Retry-After) or PARITY_OK.
 */
int parity_auth_gate_before_route(struct parity_request *req, struct parity_response *res);
/* Answers a CORS preflight (OPTIONS) for FRONTEND_ORIGIN; other origins get 403. */
int parity_auth_gate_preflight(struct parity_request *req, struct parity_response *res);
/*
 * Enforces the route's auth mode. PARITY_AUTH_USER: `Authorization: Bearer <jwt>` verified with
 * the pinned HS256 key and every claim, and its session still live; sets req->user_id and
 * req->token_id. Any failure is 401 INVALID_TOKEN. PARITY_AUTH_USER_SESSION_IN_HANDLER: the same but
 * the session, which the handler checks. PARITY_AUTH_INTERNAL: X-Internal-Secret in constant time.
 */
int parity_auth_gate_check(struct parity_request *req, struct parity_response *res);
/* The answer (401 INVALID_TOKEN, logged) of a PARITY_AUTH_USER_SESSION_IN_HANDLER route whose statement
 * found the access token's session ended: the same as the gate gives on a PARITY_AUTH_USER route. */
int parity_auth_gate_session_ended(struct parity_request *req, struct parity_response *res);
/* Adds the CORS headers (credentials allowed) when the request's Origin is FRONTEND_ORIGIN. */
void parity_auth_gate_cors_headers(struct parity_request *req, struct MHD_Response *response);

#endif
