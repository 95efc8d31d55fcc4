/* GET /portfolio's body as text: the portfolio, its positions, weights, targets and drift. */
#include "operational/portfolio_body.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/calendar.h"

size_t parity_json_real_format(double value, char out[32])
{
  int n = snprintf(out, 32, "%.15g", value);
  size_t len = n > 0 && n < 32 ? (size_t)n : 0;
  out[len] = '\0';
  if (!strchr(out, '.') && !strchr(out, 'e') && len + 3 < 32) {
    memcpy(out + len, ".0", 3);
    len += 2;
  }
  /* As jansson does: no '+' in a positive exponent, no leading zeros in any. */
  char *start = strchr(out, 'e');
  if (start) {
    start++;
    char *end = start + 1;
    if (*start == '-')
      start++;
    while (*end == '0')
      end++;
    if (end != start) {
      memmove(start, end, len - (size_t)(end - out) + 1);
      len -= (size_t)(end - start);
    }
  }
  return len;
}

static void add(struct parity_buf *b, const char *text)
{
  parity_buf_add(b, text, strlen(text));
}

static void add_i64(struct parity_buf *b, int64_t v)
{
  char text[24];
  int n = snprintf(text, sizeof(text), "%" PRId64, v);
  parity_buf_add(b, text, (size_t)n);
}

static void add_real(struct parity_buf *b, double v)
{
  char text[32];
  parity_buf_add(b, text, parity_json_real_format(v, text));
}

/* A JSON string as jansson escapes it (without JSON_ENSURE_ASCII), or null for NULL or "" when empty_is_null. */
static void add_str(struct parity_buf *b, const char *s, bool empty_is_null)
{
  if (!s || (empty_is_null && !*s)) {
    add(b, "null");
    return;
  }
  add(b, "\"");
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    const char *esc = c == '"'    ? "\\\""
                      : c == '\\' ? "\\\\"
                      : c == '\b' ? "\\b"
                      : c == '\f' ? "\\f"
                      : c == '\n' ? "\\n"
                      : c == '\r' ? "\\r"
                      : c == '\t' ? "\\t"
                                  : NULL;
    char u[8];
    if (!esc && c < 0x20) {
      snprintf(u, sizeof(u), "\\u%04X", c);
      esc = u;
    }
    if (esc)
      add(b, esc);
    else
      parity_buf_add(b, p, 1);
  }
  add(b, "\"");
}

static double target_of(const struct parity_model_entry *model, const char *symbol, bool *found)
{
  *found = false;
  for (size_t i = 0; model && i < model->n_weights; i++)
    if (strcmp(model->weights[i].symbol, symbol) == 0) {
      *found = true;
      return model->weights[i].weight;
    }
  return 0.0;
}

/* The weight of position i in the portfolio's value (0 when it is worth nothing, as when absent). */
static double weight_of(const struct parity_portfolio_view *v, size_t i)
{
  return v->value_cents > 0 && v->positions[i].value_cents > 0
             ? (double)v->positions[i].value_cents / (double)v->value_cents
             : 0.0;
}

static bool held(const struct parity_portfolio_view *v, const char *symbol)
{
  if (strcmp(symbol, "CASH") == 0)
    return v->cash_cents > 0;
  for (size_t i = 0; i < v->n; i++)
    if (v->positions[i].value_cents > 0 && strcmp(v->positions[i].symbol, symbol) == 0)
      return true;
  return false;
}

/* Drift = Σ|actual − target| / 2 over every symbol of either side, cash's target being 0; summed in the
   order the jansson objects were iterated (actual weights, then targets not held), so the double is the same. */
static double drift(const struct parity_portfolio_view *v, const struct parity_model_entry *model)
{
  double sum = 0;
  bool found;
  for (size_t i = 0; i < v->n; i++)
    if (v->positions[i].value_cents > 0)
      sum += fabs(weight_of(v, i) - target_of(model, v->positions[i].symbol, &found));
  if (v->cash_cents > 0)
    sum += fabs((double)v->cash_cents / (double)v->value_cents - target_of(model, "CASH", &found));
  for (size_t i = 0; i < model->n_weights; i++)
    if (!held(v, model->weights[i].symbol))
      sum += fabs(model->weights[i].weight);
  return sum / 2.0;
}

void parity_portfolio_body_write(const struct parity_portfolio_view *v, const struct parity_model_entry *model,
                                 struct parity_buf *out)
{
  bool found;
  add(out, "{\"value_cents\":");
  add_i64(out, v->value_cents);
  add(out, ",\"cash_cents\":");
  add_i64(out, v->cash_cents);
  add(out, ",\"pending_cents\":");
  add_i64(out, v->pending_cents);
  add(out, ",\"positions_value_cents\":");
  add_i64(out, v->positions_value_cents);
  add(out, ",\"net_contributions_cents\":");
  add_i64(out, v->net_contributions_cents);
  add(out, ",\"pnl_cents\":");
  add_i64(out, v->value_cents - v->net_contributions_cents);
  add(out, ",\"bucket\":");
  add_str(out, v->bucket, true);
  add(out, ",\"model_as_of\":");
  add_str(out, model ? model->as_of : NULL, true);
  add(out, ",\"drift\":");
  add_real(out, model && v->value_cents > 0 ? drift(v, model) : 0.0);
  add(out, ",\"positions\":[");
  for (size_t i = 0; i < v->n; i++) {
    const struct parity_position_view *p = &v->positions[i];
    add(out, i ? ",{\"symbol\":" : "{\"symbol\":");
    add_str(out, p->symbol, false);
    add(out, ",\"shares_micro\":");
    add_i64(out, p->shares_micro);
    add(out, ",\"price\":");
    add_real(out, p->price);
    add(out, ",\"price_time\":");
    add_str(out, p->price_time, true);
    add(out, ",\"value_cents\":");
    add_i64(out, p->value_cents);
    add(out, ",\"cost_basis_cents\":");
    add_i64(out, p->cost_basis_cents);
    add(out, ",\"unrealized_pnl_cents\":");
    add_i64(out, p->value_cents - p->cost_basis_cents);
    add(out, ",\"weight\":");
    add_real(out, weight_of(v, i));
    add(out, ",\"target_weight\":");
    add_real(out, target_of(model, p->symbol, &found));
    add(out, "}");
  }
  add(out, "],\"weights\":{");
  bool first = true;
  for (size_t i = 0; v->value_cents > 0 && i < v->n; i++) {
    if (v->positions[i].value_cents <= 0)
      continue;
    add(out, first ? "" : ",");
    first = false;
    add_str(out, v->positions[i].symbol, false);
    add(out, ":");
    add_real(out, weight_of(v, i));
  }
  if (v->value_cents > 0 && v->cash_cents > 0) {
    add(out, first ? "\"CASH\":" : ",\"CASH\":");
    add_real(out, (double)v->cash_cents / (double)v->value_cents);
  }
  add(out, "},\"target_weights\":");
  add(out, model ? model->weights_body : "{}");
  /* The age of the prices that valued the positions: the SPA says so when they are old (offline data). */
  char day[PARITY_DAY_TEXT] = "";
  if (v->prices_as_of != INT32_MIN)
    parity_day_format(v->prices_as_of, day);
  add(out, ",\"prices_as_of\":");
  add_str(out, day, true);
  add(out, "}");
}
