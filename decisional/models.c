/* Model portfolios and forecast inputs from in-memory daily prices: alignment, Sharpe, HRP, blend. */
#include "decisional/models.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decisional/quant/blend.h"
#include "decisional/quant/hrp.h"
#include "decisional/quant/sharpe.h"
#include "decisional/quant/stats.h"

_Static_assert(PARITY_QUANT_SYMBOL_MAX == PARITY_SYMBOL_MAX, "quant/weights.h and common/ids.h disagree on symbols");

#define WEIGHT_SUM_TOLERANCE 1e-6 /* forecast weights may sum to at most 1 + this */

void parity_models_params_defaults(struct parity_models_params *p)
{
  p->lookback = PARITY_DEFAULT_MODEL_LOOKBACK_DAYS;
  p->min_common_days = PARITY_DEFAULT_MODEL_MIN_COMMON_DAYS;
  p->top_equities = PARITY_DEFAULT_MODEL_TOP_EQUITIES;
  p->min_weight = PARITY_DEFAULT_MODEL_MIN_WEIGHT;
  p->threads = 0;
}

void parity_models_params_from_config(const struct parity_config *cfg, struct parity_models_params *p)
{
  parity_models_params_defaults(p);
  p->lookback = (int)cfg->model_lookback_days;
  p->min_common_days = (int)cfg->model_min_common_days;
  p->top_equities = (int)cfg->model_top_equities;
  p->min_weight = cfg->model_min_weight;
}

static int check_params(const struct parity_models_params *p, struct parity_quant_err *err)
{
  if (p->lookback < 2 || p->min_common_days < 1 || p->min_common_days > p->lookback)
    return parity_quant_fail(err, PARITY_EINVAL, "lookback %d and minimum common days %d are inconsistent", p->lookback,
                             p->min_common_days);
  if (p->top_equities < 1)
    return parity_quant_fail(err, PARITY_EINVAL, "top equities must be at least 1, got %d", p->top_equities);
  if (!(p->min_weight >= 0.0 && p->min_weight < 0.5))
    return parity_quant_fail(err, PARITY_EINVAL, "minimum weight %g is outside [0, 0.5)", p->min_weight);
  return PARITY_OK;
}

int parity_models_parse_symbols(const char *list, char (*out)[PARITY_SYMBOL_MAX], size_t max, size_t *n,
                                struct parity_quant_err *err)
{
  *n = 0;
  if (!list || strlen(list) > PARITY_MODELS_UNIVERSE_TEXT_MAX)
    return parity_quant_fail(err, PARITY_EINVAL, "the symbol list is missing or longer than %d bytes",
                             PARITY_MODELS_UNIVERSE_TEXT_MAX);
  const char *p = list;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (*n == max)
      return parity_quant_fail(err, PARITY_ETOOBIG, "more than %zu symbols in \"%.40s...\"", max, list);
    if (len == 0 || len >= PARITY_SYMBOL_MAX)
      return parity_quant_fail(err, PARITY_EINVAL, "empty or overlong symbol in \"%.60s\"", list);
    memcpy(out[*n], p, len);
    out[*n][len] = '\0';
    if (!parity_symbol_valid(out[*n]))
      return parity_quant_fail(err, PARITY_EINVAL, "\"%s\" is not a valid symbol", out[*n]);
    for (size_t i = 0; i < *n; i++)
      if (strcmp(out[i], out[*n]) == 0)
        return parity_quant_fail(err, PARITY_EINVAL, "%s is listed twice", out[*n]);
    (*n)++;
    p += len;
    if (*p == ',')
      p++;
    if (end && *p == '\0')
      return parity_quant_fail(err, PARITY_EINVAL, "the symbol list ends with a comma");
  }
  return PARITY_OK;
}

/* ---- alignment ---------------------------------------------------------------------------- */

/* A candidate series cut to the bars on or before the as-of day. */
struct cand {
  const struct parity_bar_series *s;
  size_t end;   /* bars [0, end) are on or before the as-of day */
  size_t lo;    /* first bar inside the window */
  size_t count; /* bars inside the window */
  int kept;
};

struct aligned {
  size_t n;      /* kept candidates, in candidate order */
  size_t *which; /* [n] candidate index of each kept series */
  size_t m;      /* common days */
  int32_t *days; /* [m] */
  double *ret;   /* [n * (m - 1)], series j at ret[j * (m - 1)] */
};

static void aligned_free(struct aligned *a)
{
  free(a->which);
  free(a->days);
  free(a->ret);
  memset(a, 0, sizeof(*a));
}

/* Index of the first bar with day >= day in bars[0..n). */
static size_t lower_bound(const struct parity_bar *bars, size_t n, int32_t day)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (bars[mid].day < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int parity_models_check_bars(const struct parity_bar_series *s, size_t from, size_t end, struct parity_quant_err *err)
{
  char d[PARITY_DAY_TEXT];
  for (size_t i = from; i < end; i++) {
    if (i > 0 && s->bars[i].day <= s->bars[i - 1].day) {
      parity_day_format(s->bars[i].day, d);
      return parity_quant_fail(err, PARITY_EINVAL, "%s: bars are not in increasing day order at %s", s->symbol, d);
    }
    if (!isfinite(s->bars[i].adj_close) || !(s->bars[i].adj_close > 0.0)) {
      parity_day_format(s->bars[i].day, d);
      return parity_quant_fail(err, PARITY_EINVAL, "%s: adj_close on %s is %g; it must be positive", s->symbol, d,
                               s->bars[i].adj_close);
    }
  }
  return PARITY_OK;
}

/*
 * Aligns the candidates (see models.h). With `excluded` set, short candidates are appended there and
 * left out; without it they are an error. Sets the window bounds even when nothing is kept.
 */
static int align(struct cand *c, size_t nc, const struct parity_models_params *p, int32_t as_of, json_t *excluded,
                 struct aligned *out, struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  size_t want = (size_t)p->lookback + 1;
  for (size_t i = 0; i < nc; i++) {
    const struct parity_bar_series *s = c[i].s;
    c[i].end = as_of == PARITY_MODELS_AS_OF_LATEST ? s->n : lower_bound(s->bars, s->n, as_of + 1);
    c[i].lo = c[i].end > want ? c[i].end - want : 0;
    int rc = parity_models_check_bars(s, c[i].lo, c[i].end, err);
    if (rc)
      return rc;
  }
  int rc = PARITY_ENOMEM;
  /* The union calendar's last `want` days, found by merging the series backwards from the as-of day:
   * each series is increasing, so the latest remaining bar among them is the next calendar day. Only
   * each series' last `want` bars can contribute. (The same days as sorting all those bars and removing
   * duplicates, without the sort, which dominated a generation.) */
  int32_t *cal = malloc((want ? want : 1) * sizeof(int32_t));
  size_t *hits = NULL, head[PARITY_MODELS_MAX_SYMBOLS];
  if (!cal || nc > PARITY_MODELS_MAX_SYMBOLS)
    goto out;
  for (size_t i = 0; i < nc; i++)
    head[i] = c[i].end;
  size_t u = 0;
  while (u < want) {
    int32_t latest = INT32_MIN;
    int any = 0;
    for (size_t i = 0; i < nc; i++)
      if (head[i] > c[i].lo && (!any || c[i].s->bars[head[i] - 1].day > latest)) {
        latest = c[i].s->bars[head[i] - 1].day;
        any = 1;
      }
    if (!any)
      break;
    cal[u++] = latest;
    for (size_t i = 0; i < nc; i++)
      if (head[i] > c[i].lo && c[i].s->bars[head[i] - 1].day == latest)
        head[i]--;
  }
  for (size_t a = 0, b = u; a + 1 < b; a++, b--) {
    int32_t tmp = cal[a];
    cal[a] = cal[b - 1];
    cal[b - 1] = tmp;
  }
  size_t nwin = u;
  int32_t *win = cal;

  size_t nkept = 0;
  for (size_t i = 0; i < nc; i++) {
    const struct parity_bar_series *s = c[i].s;
    size_t lo = nwin ? lower_bound(s->bars, c[i].end, win[0]) : c[i].end;
    c[i].lo = lo;
    c[i].count = c[i].end - lo;
    c[i].kept = c[i].count >= (size_t)p->min_common_days + 1;
    if (c[i].kept) {
      nkept++;
      continue;
    }
    char reason[128];
    snprintf(reason, sizeof(reason), "%zu prices in the %zu-day window; at least %d are needed", c[i].count, nwin,
             p->min_common_days + 1);
    if (!excluded) {
      rc = parity_quant_fail(err, PARITY_ENUMERIC, "%s has too little history: %s", s->symbol, reason);
      goto out;
    }
    json_array_append_new(
        excluded, json_pack("{s:s, s:s, s:I}", "symbol", s->symbol, "reason", reason, "days", (json_int_t)c[i].count));
  }
  out->n = nkept;
  if (nkept == 0) {
    rc = PARITY_OK;
    goto out;
  }

  /* Count, per window day, how many kept series have it; the common days are those all have. */
  hits = calloc(nwin, sizeof(size_t));
  out->which = malloc(nkept * sizeof(size_t));
  if (!hits || !out->which)
    goto out;
  for (size_t i = 0, j = 0; i < nc; i++) {
    if (!c[i].kept)
      continue;
    out->which[j++] = i;
    size_t w = 0;
    for (size_t k = c[i].lo; k < c[i].end; k++) {
      while (win[w] < c[i].s->bars[k].day)
        w++;
      hits[w]++;
    }
  }
  out->days = malloc(nwin * sizeof(int32_t));
  if (!out->days)
    goto out;
  for (size_t w = 0; w < nwin; w++)
    if (hits[w] == nkept)
      out->days[out->m++] = win[w];
  if (out->m < (size_t)p->min_common_days + 1) {
    rc = parity_quant_fail(err, PARITY_ENUMERIC,
                           "the %zu symbols with enough history share only %zu days; at least %d are needed", nkept,
                           out->m, p->min_common_days + 1);
    goto out;
  }
  size_t t = out->m - 1;
  out->ret = malloc(nkept * t * sizeof(double));
  if (!out->ret)
    goto out;
  for (size_t j = 0; j < nkept; j++) {
    const struct cand *ci = &c[out->which[j]];
    size_t k = ci->lo;
    double prev = 0.0;
    for (size_t d = 0; d < out->m; d++) {
      while (ci->s->bars[k].day < out->days[d])
        k++;
      double px = ci->s->bars[k].adj_close;
      if (d > 0)
        out->ret[j * t + d - 1] = px / prev - 1.0;
      prev = px;
    }
  }
  rc = PARITY_OK;
out:
  free(cal);
  free(hits);
  if (rc)
    aligned_free(out);
  return rc;
}

/* ---- generation --------------------------------------------------------------------------- */

const struct parity_bar_series *parity_models_find_series(const struct parity_bar_series *s, size_t n,
                                                          const char *symbol)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(s[i].symbol, symbol) == 0)
      return &s[i];
  return NULL;
}

/* One asset class after HRP: the chosen symbols (candidate indices), their weights and diagnostics. */
struct class_model {
  size_t n;
  size_t *cand;   /* [n] candidate indices, in HRP column order */
  double *weight; /* [n] */
  json_t *diag;   /* NULL unless diagnostics were asked for */
};

static void class_free(struct class_model *m)
{
  free(m->cand);
  free(m->weight);
  json_decref(m->diag);
  memset(m, 0, sizeof(*m));
}

static json_t *hrp_diagnostics(const struct parity_hrp_result *h, const struct cand *c, const size_t *cand)
{
  json_t *columns = json_array(), *order = json_array(), *linkage = json_array(), *splits = json_array(),
         *var = json_object();
  for (size_t i = 0; i < h->n; i++) {
    json_array_append_new(columns, json_string(c[cand[i]].s->symbol));
    json_array_append_new(order, json_string(c[cand[h->order[i]]].s->symbol));
    json_object_set_new(var, c[cand[i]].s->symbol, json_real(h->variances[i]));
  }
  for (size_t k = 0; k + 1 < h->n; k++) {
    const struct parity_linkage_step *z = &h->linkage[k];
    json_array_append_new(
        linkage, json_pack("[I, I, f, I]", (json_int_t)z->a, (json_int_t)z->b, z->height, (json_int_t)z->size));
    const struct parity_hrp_split *s = &h->splits[k];
    json_array_append_new(splits, json_pack("{s:I, s:I, s:I, s:f, s:f, s:f}", "lo", (json_int_t)s->lo, "mid",
                                            (json_int_t)s->mid, "hi", (json_int_t)s->hi, "var_left", s->var_left,
                                            "var_right", s->var_right, "alpha", s->alpha));
  }
  return json_pack("{s:o, s:o, s:o, s:o, s:o}", "columns", columns, "order", order, "linkage", linkage,
                   "cluster_variances", splits, "variances", var);
}

/* HRP over the chosen series (rows of a->ret, in the given column order); one asset simply gets weight 1. */
static int model_class(const struct aligned *a, const struct cand *c, const size_t *rows, size_t n,
                       const struct parity_models_params *p, int with_diag, struct class_model *out,
                       struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  size_t t = a->m - 1;
  int rc = PARITY_ENOMEM;
  double *x = malloc(n * t * sizeof(double));
  const char **names = malloc(n * sizeof(char *));
  out->n = n;
  out->cand = malloc(n * sizeof(size_t));
  out->weight = malloc(n * sizeof(double));
  if (!x || !names || !out->cand || !out->weight)
    goto out;
  for (size_t j = 0; j < n; j++) {
    memcpy(x + j * t, a->ret + rows[j] * t, t * sizeof(double));
    out->cand[j] = a->which[rows[j]];
    names[j] = c[out->cand[j]].s->symbol;
  }
  if (n == 1) {
    out->weight[0] = 1.0;
    rc = PARITY_OK;
    if (with_diag) {
      out->diag = json_pack("{s:[s], s:[s], s:[], s:[], s:{s:f}}", "columns", names[0], "order", names[0], "linkage",
                            "cluster_variances", "variances", names[0], parity_stats_sample_var(x, t));
      rc = out->diag ? PARITY_OK : PARITY_ENOMEM;
    }
    goto out;
  }
  struct parity_cov_opts opts = {
    .missing = PARITY_COV_LISTWISE, .threads = p->threads, .kernel = PARITY_COV_KERNEL_AUTO, .names = names
  };
  struct parity_hrp_result h;
  rc = parity_hrp_run(x, t, n, &opts, &h, err);
  if (rc)
    goto out;
  memcpy(out->weight, h.weights, n * sizeof(double));
  if (with_diag)
    out->diag = hrp_diagnostics(&h, c, out->cand);
  parity_hrp_result_free(&h);
  rc = !with_diag || out->diag ? PARITY_OK : PARITY_ENOMEM;
out:
  free(x);
  free(names);
  if (rc)
    class_free(out);
  return rc;
}

static int add_excluded_missing(json_t *excluded, const char *symbol)
{
  return json_array_append_new(excluded, json_pack("{s:s, s:s, s:I}", "symbol", symbol, "reason",
                                                   "no prices on or before the as-of day", "days", (json_int_t)0));
}

static int check_universe(const struct parity_models_universe *u, struct parity_quant_err *err)
{
  size_t total = u->nequities + u->nbonds;
  if (u->nequities == 0 || u->nbonds == 0)
    return parity_quant_fail(err, PARITY_EINVAL, "the universe needs equities and bonds (%zu and %zu given)",
                             u->nequities, u->nbonds);
  if (total > PARITY_MODELS_MAX_SYMBOLS)
    return parity_quant_fail(err, PARITY_ETOOBIG, "%zu symbols; at most %d", total, PARITY_MODELS_MAX_SYMBOLS);
  for (size_t i = 0; i < total; i++) {
    const char *s = i < u->nequities ? u->equities[i] : u->bonds[i - u->nequities];
    if (!s || !parity_symbol_valid(s))
      return parity_quant_fail(err, PARITY_EINVAL, "\"%s\" is not a valid symbol", s ? s : "(null)");
    for (size_t k = 0; k < i; k++) {
      const char *o = k < u->nequities ? u->equities[k] : u->bonds[k - u->nequities];
      if (strcmp(o, s) == 0)
        return parity_quant_fail(err, PARITY_EINVAL, "%s appears twice in the universe", s);
    }
  }
  return PARITY_OK;
}

static json_t *params_json(const struct parity_models_params *p)
{
  return json_pack("{s:i, s:i, s:i, s:f}", "lookback", p->lookback, "min_common_days", p->min_common_days,
                   "top_equities", p->top_equities, "min_weight", p->min_weight);
}

/* What both entry points share: the aligned window, the Sharpe ranks and each class's HRP. */
struct core {
  struct cand c[PARITY_MODELS_MAX_SYMBOLS];
  size_t nc;
  struct aligned a;
  size_t eq_rows[PARITY_MODELS_MAX_SYMBOLS], neq;    /* rows of a.ret holding equities, universe order */
  double *sharpe;                                    /* [neq] */
  size_t chosen[PARITY_MODELS_MAX_SYMBOLS], nchosen; /* indices into eq_rows, by decreasing Sharpe */
  struct class_model eq, bd;
};

static void core_free(struct core *k)
{
  free(k->sharpe);
  class_free(&k->eq);
  class_free(&k->bd);
  aligned_free(&k->a);
}

/*
 * Aligns the universe as of the day, ranks the equities by Sharpe and runs HRP on the top ones and on
 * the bonds. Symbols without prices or with too little history are appended to `excluded`.
 */
static int core_run(const struct parity_bar_series *series, size_t nseries, const struct parity_models_universe *u,
                    const struct parity_models_params *params, int32_t as_of_day, int with_diag, json_t *excluded,
                    struct core *k, struct parity_quant_err *err)
{
  memset(&k->a, 0, sizeof(k->a));
  memset(&k->eq, 0, sizeof(k->eq));
  memset(&k->bd, 0, sizeof(k->bd));
  k->sharpe = NULL;
  k->nc = k->neq = k->nchosen = 0;
  int rc = check_params(params, err);
  if (!rc)
    rc = check_universe(u, err);
  if (rc)
    return rc;
  int is_equity[PARITY_MODELS_MAX_SYMBOLS];
  size_t bd_rows[PARITY_MODELS_MAX_SYMBOLS], nbd = 0;
  double *eq_ret = NULL;
  for (size_t i = 0; i < u->nequities + u->nbonds; i++) {
    const char *sym = i < u->nequities ? u->equities[i] : u->bonds[i - u->nequities];
    const struct parity_bar_series *s = parity_models_find_series(series, nseries, sym);
    if (!s || s->n == 0 || (as_of_day != PARITY_MODELS_AS_OF_LATEST && s->bars[0].day > as_of_day)) {
      add_excluded_missing(excluded, sym);
      continue;
    }
    is_equity[k->nc] = i < u->nequities;
    k->c[k->nc++] = (struct cand){ .s = s };
  }
  rc = align(k->c, k->nc, params, as_of_day, excluded, &k->a, err);
  if (rc)
    return rc;
  for (size_t j = 0; j < k->a.n; j++) {
    if (is_equity[k->a.which[j]])
      k->eq_rows[k->neq++] = j;
    else
      bd_rows[nbd++] = j;
  }
  if (k->neq == 0 || nbd == 0)
    return parity_quant_fail(err, PARITY_ENUMERIC, "no %s has enough history on or before the as-of day",
                             k->neq == 0 ? "equity" : "bond");
  size_t t = k->a.m - 1;
  rc = PARITY_ENOMEM;
  k->sharpe = malloc(k->neq * sizeof(double));
  eq_ret = malloc(k->neq * t * sizeof(double));
  if (!k->sharpe || !eq_ret)
    goto out;
  for (size_t j = 0; j < k->neq; j++)
    memcpy(eq_ret + j * t, k->a.ret + k->eq_rows[j] * t, t * sizeof(double));
  rc = parity_sharpe_top(eq_ret, t, k->neq, (size_t)params->top_equities, k->sharpe, k->chosen, &k->nchosen, err);
  if (rc)
    goto out;
  /* The selected equities enter HRP in decreasing Sharpe order (ties to the universe's earlier symbol),
   * as the original service's nlargest hands them over: recursive bisection cuts the ordered list by
   * position and SciPy's leaf order follows column indices, so the order moves weight between
   * near-twins such as VTI and VOO. Bonds keep universe order. */
  size_t sel_rows[PARITY_MODELS_MAX_SYMBOLS];
  for (size_t j = 0; j < k->nchosen; j++)
    sel_rows[j] = k->eq_rows[k->chosen[j]];
  rc = model_class(&k->a, k->c, sel_rows, k->nchosen, params, with_diag, &k->eq, err);
  if (!rc)
    rc = model_class(&k->a, k->c, bd_rows, nbd, params, with_diag, &k->bd, err);
out:
  free(eq_ret);
  if (rc == PARITY_ENOMEM)
    parity_quant_fail(err, rc, "out of memory generating models");
  return rc;
}

static int build_buckets(const struct class_model *eq, const struct class_model *bd, const struct cand *c,
                         const struct parity_models_params *p, json_t *shared, struct parity_models_result *out,
                         struct parity_quant_err *err)
{
  size_t n = eq->n + bd->n;
  int64_t *micros = malloc(n * sizeof(int64_t));
  if (!micros)
    return parity_quant_fail(err, PARITY_ENOMEM, "out of memory");
  int rc = PARITY_OK;
  for (int risk = 1; risk <= PARITY_BLEND_RISKS && !rc; risk++)
    for (int h = 0; h < PARITY_BLEND_HORIZONS && !rc; h++) {
      char key[PARITY_BLEND_KEY_MAX];
      parity_blend_bucket_key(risk, (enum parity_horizon)h, key);
      double share = parity_blend_equity_share(risk, (enum parity_horizon)h);
      rc = parity_blend(eq->weight, eq->n, bd->weight, bd->n, share, p->min_weight, micros, err);
      if (rc)
        break;
      json_t *weights = json_object(), *cut = json_array();
      for (size_t i = 0; i < n; i++) {
        const char *sym = c[i < eq->n ? eq->cand[i] : bd->cand[i - eq->n]].s->symbol;
        if (micros[i] > 0)
          json_object_set_new(weights, sym, json_real((double)micros[i] / PARITY_WEIGHT_MICROS));
        else
          json_array_append_new(cut, json_string(sym));
      }
      json_t *diag = json_deep_copy(shared);
      json_object_set_new(diag, "bucket", json_string(key));
      json_object_set_new(diag, "equity_share", json_real(share));
      json_object_set_new(diag, "cut", cut);
      json_object_set_new(out->buckets, key, weights);
      json_object_set_new(out->diagnostics, key, diag);
    }
  free(micros);
  return rc;
}

int parity_models_generate(const struct parity_bar_series *series, size_t nseries,
                           const struct parity_models_universe *universe, const struct parity_models_params *params,
                           int32_t as_of_day, struct parity_models_result *out, struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  struct core *k = malloc(sizeof(*k));
  json_t *shared = NULL;
  int rc = PARITY_ENOMEM;
  out->excluded = json_array();
  out->buckets = json_object();
  out->diagnostics = json_object();
  if (!k || !out->excluded || !out->buckets || !out->diagnostics) {
    free(k);
    parity_models_result_free(out);
    return parity_quant_fail(err, PARITY_ENOMEM, "out of memory generating models");
  }
  rc = core_run(series, nseries, universe, params, as_of_day, 1, out->excluded, k, err);
  if (rc)
    goto out;
  const struct aligned *a = &k->a;
  json_t *sharpe_json = json_object(), *selected = json_array();
  for (size_t j = 0; j < k->neq; j++)
    json_object_set_new(sharpe_json, k->c[a->which[k->eq_rows[j]]].s->symbol, json_real(k->sharpe[j]));
  for (size_t j = 0; j < k->nchosen; j++)
    json_array_append_new(selected, json_string(k->c[a->which[k->eq_rows[k->chosen[j]]]].s->symbol));
  char from[PARITY_DAY_TEXT], to[PARITY_DAY_TEXT];
  parity_day_format(a->days[0], from);
  parity_day_format(a->days[a->m - 1], to);
  json_object_set_new(k->eq.diag, "sharpe", sharpe_json);
  json_object_set_new(k->eq.diag, "selected", selected);
  shared = json_pack("{s:{s:s, s:s, s:I}, s:O, s:O, s:O, s:o}", "window", "from", from, "to", to, "returns",
                     (json_int_t)(a->m - 1), "equities", k->eq.diag, "bonds", k->bd.diag, "excluded", out->excluded,
                     "params", params_json(params));
  rc = PARITY_ENOMEM;
  if (!shared) {
    parity_quant_fail(err, rc, "out of memory generating models");
    goto out;
  }
  rc = build_buckets(&k->eq, &k->bd, k->c, params, shared, out, err);
  if (rc)
    goto out;
  out->as_of_day = a->days[a->m - 1];
  out->from_day = a->days[0];
  out->returns_used = a->m - 1;
out:
  json_decref(shared);
  core_free(k);
  free(k);
  if (rc)
    parity_models_result_free(out);
  return rc;
}

int parity_models_generate_exact(const struct parity_bar_series *series, size_t nseries,
                                 const struct parity_models_universe *universe,
                                 const struct parity_models_params *params, int32_t as_of_day,
                                 struct parity_models_exact *out, struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  struct core *k = malloc(sizeof(*k));
  json_t *excluded = json_array();
  int rc = PARITY_ENOMEM;
  if (!k || !excluded) {
    parity_quant_fail(err, rc, "out of memory generating models");
    goto out_nocore;
  }
  rc = core_run(series, nseries, universe, params, as_of_day, 0, excluded, k, err);
  if (rc)
    goto out;
  out->neq = k->eq.n;
  out->n = k->eq.n + k->bd.n;
  for (size_t i = 0; i < out->n; i++)
    out->symbols[i] = k->c[i < k->eq.n ? k->eq.cand[i] : k->bd.cand[i - k->eq.n]].s->symbol;
  for (int risk = 1; risk <= PARITY_BLEND_RISKS && !rc; risk++)
    for (int h = 0; h < PARITY_BLEND_HORIZONS && !rc; h++) {
      double share = parity_blend_equity_share(risk, (enum parity_horizon)h);
      rc = parity_blend_exact(k->eq.weight, k->eq.n, k->bd.weight, k->bd.n, share, params->min_weight,
                              out->weights[(risk - 1) * PARITY_BLEND_HORIZONS + h], err);
    }
  if (rc)
    goto out;
  out->nexcluded = json_array_size(excluded);
  out->as_of_day = k->a.days[k->a.m - 1];
  out->from_day = k->a.days[0];
  out->returns_used = k->a.m - 1;
out:
  core_free(k);
out_nocore:
  free(k);
  json_decref(excluded);
  if (rc)
    memset(out, 0, sizeof(*out));
  return rc;
}

void parity_models_result_free(struct parity_models_result *res)
{
  json_decref(res->buckets);
  json_decref(res->diagnostics);
  json_decref(res->excluded);
  memset(res, 0, sizeof(*res));
}

json_t *parity_models_result_json(const struct parity_models_result *res, int with_diagnostics)
{
  char day[PARITY_DAY_TEXT];
  parity_day_format(res->as_of_day, day);
  json_t *o = json_pack("{s:s, s:O, s:O}", "as_of", day, "excluded", res->excluded, "buckets", res->buckets);
  if (o && with_diagnostics)
    json_object_set(o, "diagnostics", res->diagnostics);
  return o;
}

/* ---- forecast inputs ---------------------------------------------------------------------- */

int parity_models_weights_from_json(const json_t *obj, struct parity_weight *out, size_t max, size_t *n,
                                    struct parity_quant_err *err)
{
  *n = 0;
  if (!json_is_object(obj))
    return parity_quant_fail(err, PARITY_EINVAL, "weights must be a JSON object of symbol: number");
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)obj, key, val) {
    if (*n == max)
      return parity_quant_fail(err, PARITY_ETOOBIG, "more than %zu weights", max);
    if (!json_is_number(val))
      return parity_quant_fail(err, PARITY_EINVAL, "the weight of \"%.20s\" is not a number", key);
    if (strcmp(key, PARITY_QUANT_CASH) != 0 && !parity_symbol_valid(key))
      return parity_quant_fail(err, PARITY_EINVAL, "\"%.20s\" is not a valid symbol", key);
    snprintf(out[*n].symbol, sizeof(out[*n].symbol), "%s", key);
    out[*n].w = json_number_value(val);
    (*n)++;
  }
  return PARITY_OK;
}

int parity_models_forecast_inputs(const struct parity_bar_series *series, size_t nseries, const struct parity_weight *w,
                                  size_t nw, const struct parity_models_params *params, int32_t as_of_day,
                                  struct parity_forecast_inputs *out, struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  int rc = check_params(params, err);
  if (rc)
    return rc;
  if (nw > PARITY_MODELS_MAX_SYMBOLS)
    return parity_quant_fail(err, PARITY_ETOOBIG, "%zu weights; at most %d", nw, PARITY_MODELS_MAX_SYMBOLS);
  struct cand c[PARITY_MODELS_MAX_SYMBOLS];
  double cw[PARITY_MODELS_MAX_SYMBOLS];
  size_t nc = 0;
  double sum = 0.0;
  for (size_t i = 0; i < nw; i++) {
    if (!isfinite(w[i].w) || w[i].w < 0.0)
      return parity_quant_fail(err, PARITY_EINVAL, "the weight of %s is %g", w[i].symbol, w[i].w);
    if (parity_weights_find(w, i, w[i].symbol) >= 0)
      return parity_quant_fail(err, PARITY_EINVAL, "%s is listed twice", w[i].symbol);
    sum += w[i].w;
    if (strcmp(w[i].symbol, PARITY_QUANT_CASH) == 0 || w[i].w == 0.0)
      continue; /* cash earns 0: it only dilutes the portfolio's return */
    const struct parity_bar_series *s = parity_models_find_series(series, nseries, w[i].symbol);
    if (!s || s->n == 0)
      return parity_quant_fail(err, PARITY_ENUMERIC, "no prices for %s", w[i].symbol);
    cw[nc] = w[i].w;
    c[nc++] = (struct cand){ .s = s };
  }
  if (sum > 1.0 + WEIGHT_SUM_TOLERANCE)
    return parity_quant_fail(err, PARITY_EINVAL, "weights sum to %.17g, more than 1", sum);
  if (nc == 0)
    return PARITY_OK; /* all cash: no growth and no risk */
  struct aligned a;
  rc = align(c, nc, params, as_of_day, NULL, &a, err);
  if (rc)
    return rc;
  size_t t = a.m - 1;
  double *l = malloc(t * sizeof(double));
  if (!l) {
    aligned_free(&a);
    return parity_quant_fail(err, PARITY_ENOMEM, "out of memory");
  }
  for (size_t k = 0; k < t; k++) {
    double r = 0.0;
    for (size_t j = 0; j < a.n; j++)
      r += cw[j] * a.ret[j * t + k];
    l[k] = log1p(r);
  }
  out->sigma = sqrt((double)PARITY_TRADING_DAYS * parity_stats_sample_var(l, t));
  out->log_drift = PARITY_TRADING_DAYS * parity_stats_mean(l, t);
  out->mu = out->log_drift + 0.5 * out->sigma * out->sigma;
  out->returns_used = t;
  out->from_day = a.days[0];
  out->to_day = a.days[a.m - 1];
  free(l);
  aligned_free(&a);
  if (!isfinite(out->mu) || !isfinite(out->sigma))
    return parity_quant_fail(err, PARITY_ENUMERIC, "the portfolio's returns give mu %g and sigma %g", out->mu,
                             out->sigma);
  return PARITY_OK;
}
