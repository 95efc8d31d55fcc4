/* Strict JSON input validation shared by HTTP bodies and AMQP payloads. */
#ifndef PARITY_JSON_H
#define PARITY_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARITY_JSON_MAX_DEPTH 16 /* nesting accepted in any input document */

enum parity_json_kind {
  PJ_STRING,  /* non-empty UTF-8 string of at most max_len bytes (0 = 1024) */
  PJ_INTEGER, /* JSON integer in [min, max] (a real like 1.5 or 1.0 is refused) */
  PJ_NUMBER,  /* integer or real, finite, in [min, max] */
  PJ_BOOL,
  PJ_UUID,    /* canonical 8-4-4-4-12 hex, either case (parity_uuid_valid) */
  PJ_DATE,    /* YYYY-MM-DD, a real date (parity_day_parse) */
  PJ_SYMBOLS, /* array of 1..max_len distinct ticker symbols (parity_symbol_valid) */
  PJ_WEIGHTS, /* object symbol (or "CASH") -> number in [0, 1], at least one, at most max_len entries */
  PJ_ARRAY,   /* any array of at most max_len elements (0 = 10000) */
  PJ_OBJECT,  /* any object */
};

struct parity_json_field {
  const char *name;
  enum parity_json_kind kind;
  bool required;
  double min, max; /* PJ_INTEGER, PJ_NUMBER */
  size_t max_len;  /* PJ_STRING bytes, PJ_SYMBOLS/PJ_WEIGHTS/PJ_ARRAY elements */
};

/*
 * Checks that `obj` is an object with exactly the allowed fields (unknown fields are errors), each of
 * the right kind. On failure writes "field X: what is wrong" into err and returns PARITY_EINVAL.
 */
int parity_json_check(const json_t *obj, const struct parity_json_field *fields, size_t n_fields, char *err,
                      size_t err_len);

/* Parses a request or message body: size-capped, depth-limited, no NUL bytes, object at the top. */
int parity_json_parse_object(const char *data, size_t len, size_t max_len, json_t **out, char *err, size_t err_len);

/* Depth of nesting of a value (a scalar is 0). */
int parity_json_depth(const json_t *value);

/* Convenience getters for validated objects (absent -> the default). */
const char *parity_json_str(const json_t *obj, const char *key, const char *def);
int64_t parity_json_int(const json_t *obj, const char *key, int64_t def);
double parity_json_num(const json_t *obj, const char *key, double def);

/* Dumps compactly; the caller frees the string. Aborts on allocation failure. */
char *parity_json_dumps_new(const json_t *value);

/*
 * An HTTP answer body as every answer is rendered: compact, reals with 15 significant digits. Bodies kept
 * rendered in memory (the model portfolios) go through here too, so they match a freshly built answer
 * byte for byte. The caller frees the string; aborts on allocation failure.
 */
char *parity_json_answer_new(const json_t *value);

/*
 * Dumps compactly with every real printed in the fewest significant digits (15 to 17) that read back as
 * the same double, so a weight of 0.123456 is stored as 0.123456 rather than 0.12345600000000001 (and a
 * real stays a real: 1.0, not 1). Keys keep the object's order. The caller frees the string; aborts on
 * allocation failure.
 */
char *parity_json_dumps_exact_new(const json_t *value);

#endif
