/* Field-table validation of JSON objects: types, bounds, unknown keys, depth and size limits. */
#include "common/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/ids.h"

#define DEFAULT_STRING_MAX 1024
#define DEFAULT_ARRAY_MAX 10000

static bool valid_date(const char *s)
{
  int32_t day;
  return parity_day_parse(s, strlen(s), &day) == PARITY_OK;
}

#define FAIL(...)                                                                                                      \
  do {                                                                                                                 \
    snprintf(err, err_len, __VA_ARGS__);                                                                               \
    return PARITY_EINVAL;                                                                                              \
  } while (0)

static int check_value(const json_t *v, const struct parity_json_field *f, char *err, size_t err_len)
{
  size_t max_len = f->max_len;
  switch (f->kind) {
  case PJ_STRING: {
    if (!json_is_string(v))
      FAIL("field %s: expected a string", f->name);
    size_t len = json_string_length(v);
    if (len == 0 || len > (max_len ? max_len : DEFAULT_STRING_MAX))
      FAIL("field %s: length must be 1..%zu", f->name, max_len ? max_len : DEFAULT_STRING_MAX);
    if (strlen(json_string_value(v)) != len)
      FAIL("field %s: contains a NUL character", f->name);
    return PARITY_OK;
  }
  case PJ_INTEGER:
    if (!json_is_integer(v))
      FAIL("field %s: expected an integer", f->name);
    if ((double)json_integer_value(v) < f->min || (double)json_integer_value(v) > f->max)
      FAIL("field %s: must be between %.0f and %.0f", f->name, f->min, f->max);
    return PARITY_OK;
  case PJ_NUMBER:
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
      FAIL("field %s: expected a number", f->name);
    if (json_number_value(v) < f->min || json_number_value(v) > f->max)
      FAIL("field %s: must be between %g and %g", f->name, f->min, f->max);
    return PARITY_OK;
  case PJ_BOOL:
    if (!json_is_boolean(v))
      FAIL("field %s: expected true or false", f->name);
    return PARITY_OK;
  case PJ_UUID:
    if (!json_is_string(v) || !parity_uuid_valid(json_string_value(v)))
      FAIL("field %s: expected a UUID", f->name);
    return PARITY_OK;
  case PJ_DATE:
    if (!json_is_string(v) || !valid_date(json_string_value(v)))
      FAIL("field %s: expected a date YYYY-MM-DD", f->name);
    return PARITY_OK;
  case PJ_SYMBOLS: {
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n == 0 || n > (max_len ? max_len : DEFAULT_ARRAY_MAX))
      FAIL("field %s: expected a non-empty array of symbols", f->name);
    for (size_t i = 0; i < n; i++) {
      const json_t *s = json_array_get(v, i);
      if (!json_is_string(s) || !parity_symbol_valid(json_string_value(s)))
        FAIL("field %s[%zu]: not a ticker symbol", f->name, i);
      for (size_t j = 0; j < i; j++)
        if (json_equal(s, json_array_get(v, j)))
          FAIL("field %s: duplicate symbol %s", f->name, json_string_value(s));
    }
    return PARITY_OK;
  }
  case PJ_WEIGHTS: {
    size_t n = json_object_size(v);
    if (!json_is_object(v) || n == 0 || n > (max_len ? max_len : DEFAULT_ARRAY_MAX))
      FAIL("field %s: expected a non-empty object of weights", f->name);
    const char *key;
    const json_t *w;
    json_object_foreach((json_t *)v, key, w) {
      if (!parity_symbol_valid(key) && strcmp(key, "CASH") != 0)
        FAIL("field %s: %s is not a ticker symbol", f->name, key);
      if (!json_is_number(w) || !isfinite(json_number_value(w)) || json_number_value(w) < 0 || json_number_value(w) > 1)
        FAIL("field %s.%s: weight must be a number in [0, 1]", f->name, key);
    }
    return PARITY_OK;
  }
  case PJ_ARRAY:
    if (!json_is_array(v) || json_array_size(v) > (max_len ? max_len : DEFAULT_ARRAY_MAX))
      FAIL("field %s: expected an array of at most %zu elements", f->name, max_len ? max_len : DEFAULT_ARRAY_MAX);
    return PARITY_OK;
  case PJ_OBJECT:
    if (!json_is_object(v))
      FAIL("field %s: expected an object", f->name);
    return PARITY_OK;
  }
  FAIL("field %s: unsupported kind", f->name);
}

int parity_json_check(const json_t *obj, const struct parity_json_field *fields, size_t n_fields, char *err,
                      size_t err_len)
{
  if (!json_is_object(obj))
    FAIL("expected a JSON object");
  const char *key;
  const json_t *value;
  json_object_foreach((json_t *)obj, key, value) {
    size_t i;
    for (i = 0; i < n_fields && strcmp(fields[i].name, key) != 0; i++)
      ;
    if (i == n_fields)
      FAIL("field %.64s: unknown field", key);
  }
  for (size_t i = 0; i < n_fields; i++) {
    const json_t *v = json_object_get(obj, fields[i].name);
    if (!v || json_is_null(v)) {
      if (fields[i].required)
        FAIL("field %s: required", fields[i].name);
      if (v && json_is_null(v))
        FAIL("field %s: must not be null", fields[i].name);
      continue;
    }
    int rc = check_value(v, &fields[i], err, err_len);
    if (rc)
      return rc;
  }
  return PARITY_OK;
}

int parity_json_depth(const json_t *value)
{
  int deepest = 0;
  if (json_is_object(value)) {
    const char *key;
    const json_t *child;
    json_object_foreach((json_t *)value, key, child) {
      int d = parity_json_depth(child);
      deepest = d > deepest ? d : deepest;
    }
    return deepest + 1;
  }
  if (json_is_array(value)) {
    size_t i;
    const json_t *child;
    json_array_foreach(value, i, child) {
      int d = parity_json_depth(child);
      deepest = d > deepest ? d : deepest;
    }
    return deepest + 1;
  }
  return 0;
}

int parity_json_parse_object(const char *data, size_t len, size_t max_len, json_t **out, char *err, size_t err_len)
{
  *out = NULL;
  if (len > max_len) {
    snprintf(err, err_len, "body larger than %zu bytes", max_len);
    return PARITY_ETOOBIG;
  }
  if (len == 0)
    FAIL("empty body: expected a JSON object");
  if (memchr(data, '\0', len))
    FAIL("body contains a NUL byte");
  json_error_t jerr;
  /* jansson validates UTF-8 and, with REJECT_DUPLICATES, refuses a key given twice. */
  json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!doc)
    FAIL("malformed JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
  if (!json_is_object(doc)) {
    json_decref(doc);
    FAIL("expected a JSON object");
  }
  /* jansson itself caps depth at 2048; our inputs are shallow, so refuse anything deeper than ours. */
  if (parity_json_depth(doc) > PARITY_JSON_MAX_DEPTH) {
    json_decref(doc);
    FAIL("JSON nested deeper than %d levels", PARITY_JSON_MAX_DEPTH);
  }
  *out = doc;
  return PARITY_OK;
}

const char *parity_json_str(const json_t *obj, const char *key, const char *def)
{
  const json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : def;
}

int64_t parity_json_int(const json_t *obj, const char *key, int64_t def)
{
  const json_t *v = json_object_get(obj, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

double parity_json_num(const json_t *obj, const char *key, double def)
{
  const json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : def;
}

char *parity_json_answer_new(const json_t *value)
{
  char *text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(15));
  if (!text)
    abort();
  return text;
}

char *parity_json_dumps_new(const json_t *value)
{
  char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
  if (!text)
    abort();
  return text;
}

/* ------------------------------------------------------------------ shortest round-trip reals */

/* Unbounded: the text is Parity's own output, whose size its input already bounded. */
static void text_add(struct parity_buf *t, const char *s, size_t n)
{
  (void)parity_buf_add(t, s, n);
}

/* A string as JSON text (quoted and escaped), by jansson's own encoder. */
static void text_string(struct parity_buf *t, const json_t *str)
{
  char *quoted = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
  if (!quoted)
    abort();
  text_add(t, quoted, strlen(quoted));
  free(quoted);
}

static void text_real(struct parity_buf *t, double v)
{
  char num[40];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(num, sizeof(num), "%.*g", digits, v);
    if (strtod(num, NULL) == v)
      break;
  }
  if (!strpbrk(num, ".eE"))
    strcat(num, ".0"); /* keep it a real for readers that distinguish (jansson does) */
  text_add(t, num, strlen(num));
}

static void text_value(struct parity_buf *t, const json_t *v)
{
  char num[32];
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    const char *key;
    json_t *val;
    int first = 1;
    text_add(t, "{", 1);
    json_object_foreach((json_t *)v, key, val) {
      if (!first)
        text_add(t, ",", 1);
      first = 0;
      json_t *k = json_string(key);
      text_string(t, k);
      json_decref(k);
      text_add(t, ":", 1);
      text_value(t, val);
    }
    text_add(t, "}", 1);
    break;
  }
  case JSON_ARRAY:
    text_add(t, "[", 1);
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i)
        text_add(t, ",", 1);
      text_value(t, json_array_get(v, i));
    }
    text_add(t, "]", 1);
    break;
  case JSON_REAL:
    text_real(t, json_real_value(v));
    break;
  case JSON_INTEGER:
    snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    text_add(t, num, strlen(num));
    break;
  case JSON_STRING:
    text_string(t, v);
    break;
  case JSON_TRUE:
    text_add(t, "true", 4);
    break;
  case JSON_FALSE:
    text_add(t, "false", 5);
    break;
  case JSON_NULL:
    text_add(t, "null", 4);
    break;
  }
}

char *parity_json_dumps_exact_new(const json_t *value)
{
  struct parity_buf t;
  parity_buf_init(&t, PARITY_BUF_UNBOUNDED);
  text_value(&t, value);
  return parity_buf_take(&t);
}
