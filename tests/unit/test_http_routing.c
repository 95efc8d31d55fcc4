/* Route matching and request-target safety of the HTTP layer, and the route table vs openapi.yaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>

#include "operational/http.h"

static void exact_and_templated_routes_match(void **state)
{
  (void)state;
  char p[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN];
  assert_true(parity_route_match("/api/v1/market/status", "/api/v1/market/status", p));
  assert_false(parity_route_match("/api/v1/market/status", "/api/v1/market/status/", p));
  assert_false(parity_route_match("/api/v1/market/status", "/api/v1/market", p));
  assert_true(parity_route_match("/api/v1/market/prices/{symbol}", "/api/v1/market/prices/SPY", p));
  assert_string_equal(p[0], "SPY");
  assert_false(parity_route_match("/api/v1/market/prices/{symbol}", "/api/v1/market/prices/", p));
  assert_false(parity_route_match("/api/v1/market/prices/{symbol}", "/api/v1/market/prices/SPY/x", p));
  assert_false(parity_route_match("/api/v1/market/prices/{symbol}", "/api/v1/market/prices/S%PY", p));
  char longer[200];
  memset(longer, 'A', sizeof(longer));
  memcpy(longer, "/api/v1/market/prices/", 22);
  longer[199] = '\0';
  assert_false(parity_route_match("/api/v1/market/prices/{symbol}", longer, p));
}

static void only_application_json_is_json(void **state)
{
  (void)state;
  const char *const json[] = { "application/json", "Application/JSON", "application/json; charset=utf-8",
                               "application/json ;charset=UTF-8", " application/json" };
  for (size_t i = 0; i < sizeof(json) / sizeof(json[0]); i++)
    assert_true(parity_content_type_is_json(json[i]));
  const char *const other[] = { "application/jsonx",
                                "application/json-seq",
                                "application/json+ld",
                                "application/jsonp; charset=utf-8",
                                "application/js",
                                "text/json",
                                "",
                                NULL };
  for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
    assert_false(parity_content_type_is_json(other[i]));
}

static void unsafe_targets_are_refused(void **state)
{
  (void)state;
  assert_true(parity_uri_is_safe("/api/v1/market/status"));
  assert_true(parity_uri_is_safe("/api/v1/market/prices/SPY?from=2024-01-01&to=2024-12-31"));
  assert_true(parity_uri_is_safe("/api/v1/x?q=a%2Fb")); /* an encoded slash in a query value is data */
  assert_false(parity_uri_is_safe("/api/v1/../internal/pipeline/daily"));
  assert_false(parity_uri_is_safe("/api/v1/%2e%2e/internal"));
  assert_false(parity_uri_is_safe("/api/v1/%2E./x"));
  assert_false(parity_uri_is_safe("/api//v1"));
  assert_false(parity_uri_is_safe("/api/v1/a%2fb"));
  assert_false(parity_uri_is_safe("/api/v1/a%00b"));
  assert_false(parity_uri_is_safe("/api/v1/a?x=%00"));
  assert_false(parity_uri_is_safe("/api/v1/a\\b"));
  assert_false(parity_uri_is_safe("/api/v1/a%zz"));
  assert_false(parity_uri_is_safe("/api/v1/a%4"));
  assert_false(parity_uri_is_safe("relative"));
  assert_false(parity_uri_is_safe(""));
}

/* Every public route is documented, and every documented path is served (a test the spec asks for). */
static void route_table_and_openapi_agree(void **state)
{
  (void)state;
  json_error_t err;
  json_t *doc = json_load_file(PARITY_OPENAPI_FILE, 0, &err);
  assert_non_null(doc);
  json_t *paths = json_object_get(doc, "paths");
  assert_non_null(paths);
  for (size_t i = 0; i < parity_routes_count; i++) {
    const struct parity_route *r = &parity_routes[i];
    if (r->listeners & PARITY_ROUTE_FALLBACK)
      continue; /* the SPA, not an API operation */
    json_t *item = json_object_get(paths, r->pattern);
    if (!item)
      fail_msg("route %s %s is missing from openapi.yaml", r->method, r->pattern);
    char method[8];
    size_t n = strlen(r->method);
    for (size_t c = 0; c <= n; c++)
      method[c] = (char)(r->method[c] >= 'A' && r->method[c] <= 'Z' ? r->method[c] + 32 : r->method[c]);
    if (!json_object_get(item, method))
      fail_msg("operation %s %s is missing from openapi.yaml", r->method, r->pattern);
  }
  const char *path;
  json_t *item;
  json_object_foreach(paths, path, item) {
    const char *method;
    json_t *op;
    json_object_foreach(item, method, op) {
      bool served = false;
      for (size_t i = 0; i < parity_routes_count && !served; i++)
        served = !(parity_routes[i].listeners & PARITY_ROUTE_FALLBACK) && strcmp(parity_routes[i].pattern, path) == 0 &&
                 strcasecmp(parity_routes[i].method, method) == 0;
      if (!served)
        fail_msg("openapi.yaml documents %s %s, which no route serves", method, path);
    }
  }
  json_decref(doc);
}

/* The method, path and listener that reach the SPA fallback row; NULL when another row or none answers. */
static const struct parity_route *fallback_for(const char *method, const char *path, enum parity_listener listener,
                                               bool *path_known)
{
  char p[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN];
  const struct parity_route *r = parity_route_find(method, path, listener, p, path_known);
  return r && (r->listeners & PARITY_ROUTE_FALLBACK) ? r : NULL;
}

/* The SPA row answers public GETs outside the API, internal and metrics paths, and nothing else. */
static void the_fallback_row_answers_public_gets_outside_the_api_only(void **state)
{
  (void)state;
  bool known;
  const char *const spa[] = { "/", "/index.html", "/assets/app.js", "/portfolio/history", "/apix", "/metricsx" };
  for (size_t i = 0; i < sizeof(spa) / sizeof(spa[0]); i++) {
    const struct parity_route *r = fallback_for("GET", spa[i], PARITY_LISTEN_PUBLIC, &known);
    if (!r)
      fail_msg("GET %s on the public listener does not reach the SPA", spa[i]);
    assert_false(known);
    assert_int_equal(r->auth, PARITY_AUTH_NONE);
    assert_string_equal(r->name, "unmatched"); /* the metrics label of any unrouted request */
  }
  const char *const reserved[] = { "/api/", "/api/v1/nothing", "/internal", "/internal/x", "/internalx", "/metrics" };
  for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
    if (fallback_for("GET", reserved[i], PARITY_LISTEN_PUBLIC, &known))
      fail_msg("GET %s on the public listener reaches the SPA", reserved[i]);
  /* other methods are 404 there (the fallback makes no path known), the internal listener has no SPA */
  assert_null(fallback_for("POST", "/portfolio", PARITY_LISTEN_PUBLIC, &known));
  assert_false(known);
  assert_null(fallback_for("HEAD", "/", PARITY_LISTEN_PUBLIC, &known));
  assert_null(fallback_for("GET", "/portfolio", PARITY_LISTEN_INTERNAL, &known));
  assert_false(known);
  /* an exact row wins over the fallback, and a known path with another method stays 405 */
  char p[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN];
  const struct parity_route *r = parity_route_find("GET", "/livez", PARITY_LISTEN_PUBLIC, p, &known);
  assert_non_null(r);
  assert_string_equal(r->name, "probe");
  assert_null(parity_route_find("POST", "/livez", PARITY_LISTEN_PUBLIC, p, &known));
  assert_true(known);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(exact_and_templated_routes_match),
    cmocka_unit_test(unsafe_targets_are_refused),
    cmocka_unit_test(only_application_json_is_json),
    cmocka_unit_test(route_table_and_openapi_agree),
    cmocka_unit_test(the_fallback_row_answers_public_gets_outside_the_api_only),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
