/* The route table: a route is a row (method, path, listeners, auth, handler, metrics name). */
#include "operational/handlers.h"

#define PUB PARITY_LISTEN_PUBLIC
#define INT PARITY_LISTEN_INTERNAL

const struct parity_route parity_routes[] = {
  { "GET", "/livez", PUB | INT, PARITY_AUTH_NONE, h_livez, "probe" },
  { "GET", "/readyz", PUB | INT, PARITY_AUTH_NONE, h_readyz, "probe" },
  { "GET", "/metrics", INT, PARITY_AUTH_NONE, h_metrics, "metrics" },
  { "GET", "/api/v1/openapi.json", PUB, PARITY_AUTH_NONE, h_openapi, "openapi" },

  { "GET", "/api/v1/market/status", PUB, PARITY_AUTH_NONE, h_market_status, "market_status" },
  { "GET", "/api/v1/market/prices/{symbol}", PUB, PARITY_AUTH_NONE, h_market_prices, "market_prices" },

  { "POST", "/internal/pipeline/daily", INT, PARITY_AUTH_INTERNAL, h_pipeline_daily, "pipeline_daily" },
  { "POST", "/internal/pipeline/intraday", INT, PARITY_AUTH_INTERNAL, h_pipeline_intraday, "pipeline_intraday" },
  { "POST", "/internal/models/generate", INT, PARITY_AUTH_INTERNAL, h_pipeline_generate, "models_generate" },
  { "POST", "/internal/cleanup", INT, PARITY_AUTH_INTERNAL, h_cleanup, "cleanup" },
};

const size_t parity_routes_count = sizeof(parity_routes) / sizeof(parity_routes[0]);
