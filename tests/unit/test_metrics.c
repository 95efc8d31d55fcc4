/* Prometheus exposition: counters, gauges, histograms with labels, escaping, cumulative buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/metrics.h"

static void renders_the_text_format(void **state)
{
  (void)state;
  struct parity_metric *c =
      parity_metric_register(PARITY_COUNTER, "t_requests_total", "Requests", "route,status", NULL, 0);
  struct parity_metric *g = parity_metric_register(PARITY_GAUGE, "t_pending", "Pending", NULL, NULL, 0);
  static const double b[] = { 0.1, 1 };
  struct parity_metric *h = parity_metric_register(PARITY_HISTOGRAM, "t_seconds", "Latency", "route", b, 2);
  parity_metric_add(c, 1, "a", "200");
  parity_metric_add(c, 2, "a", "200");
  parity_metric_add(c, 1, "b\"x", "500");
  parity_metric_set(g, 7);
  parity_metric_observe(h, 0.05, "a");
  parity_metric_observe(h, 0.5, "a");
  parity_metric_observe(h, 5, "a");
  char *text = parity_metrics_render_new();
  assert_non_null(strstr(text, "# TYPE t_requests_total counter\n"));
  assert_non_null(strstr(text, "t_requests_total{route=\"a\",status=\"200\"} 3\n"));
  assert_non_null(strstr(text, "t_requests_total{route=\"b\\\"x\",status=\"500\"} 1\n"));
  assert_non_null(strstr(text, "t_pending 7\n"));
  /* Buckets are cumulative: <=0.1 holds one, <=1 two, +Inf all three. */
  assert_non_null(strstr(text, "t_seconds_bucket{route=\"a\",le=\"0.1\"} 1\n"));
  assert_non_null(strstr(text, "t_seconds_bucket{route=\"a\",le=\"1\"} 2\n"));
  assert_non_null(strstr(text, "t_seconds_bucket{route=\"a\",le=\"+Inf\"} 3\n"));
  assert_non_null(strstr(text, "t_seconds_sum{route=\"a\"} 5.5499999999999998\n"));
  assert_non_null(strstr(text, "t_seconds_count{route=\"a\"} 3\n"));
  free(text);
  /* Registering the same name again returns the same metric. */
  assert_ptr_equal(parity_metric_register(PARITY_GAUGE, "t_pending", "Pending", NULL, NULL, 0), g);
  parity_metrics_shutdown();
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(renders_the_text_format) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
