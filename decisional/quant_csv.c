/* Wide date-by-symbol CSV for `parity hrp`: strict parsing with limits, and returns from prices. */
#include "decisional/quant_csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/buf.h"
#include "decisional/bars.h"

#define READ_CHUNK (1u << 16)

void parity_wide_csv_free(struct parity_wide_csv *csv)
{
  free(csv->names);
  free(csv->days);
  free(csv->values);
  memset(csv, 0, sizeof(*csv));
}

/* The next line of buf[*pos..len) without its \n or \r\n; returns 0 at the end. */
static int next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n)
{
  if (*pos >= len)
    return 0;
  const char *start = buf + *pos;
  const char *nl = memchr(start, '\n', len - *pos);
  size_t l = nl ? (size_t)(nl - start) : len - *pos;
  *pos += l + (nl ? 1 : 0);
  if (l > 0 && start[l - 1] == '\r')
    l--;
  *line = start;
  *n = l;
  return 1;
}

static size_t count_fields(const char *line, size_t n)
{
  size_t f = 1;
  for (size_t i = 0; i < n; i++)
    f += line[i] == ',';
  return f;
}

/* A finite decimal number and nothing else (strtod alone would take "nan", "inf" and hex). */
static int parse_number(const char *s, size_t n, double *out)
{
  char tmp[PARITY_QCSV_MAX_NUMBER + 1];
  if (n == 0 || n > PARITY_QCSV_MAX_NUMBER)
    return -1;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E'))
      return -1;
  }
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  char *end;
  double v = strtod(tmp, &end);
  if (end != tmp + n || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

static int parse_header(const char *name, const char *line, size_t n, struct parity_wide_csv *out,
                        struct parity_quant_err *err)
{
  size_t fields = count_fields(line, n);
  if (fields < 2)
    return parity_quant_fail(err, PARITY_EINVAL, "%s:1: the header needs a date column and at least one symbol", name);
  if (fields - 1 > PARITY_QCSV_MAX_COLUMNS)
    return parity_quant_fail(err, PARITY_ETOOBIG, "%s:1: %zu columns; at most %d", name, fields - 1,
                             PARITY_QCSV_MAX_COLUMNS);
  out->ncols = fields - 1;
  out->names = calloc(out->ncols, sizeof(*out->names));
  if (!out->names)
    return parity_quant_fail(err, PARITY_ENOMEM, "out of memory");
  const char *p = (const char *)memchr(line, ',', n) + 1, *end = line + n;
  for (size_t j = 0; j < out->ncols; j++) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    size_t l = comma ? (size_t)(comma - p) : (size_t)(end - p);
    if (l == 0 || l >= PARITY_QCSV_MAX_NAME)
      return parity_quant_fail(err, PARITY_EINVAL, "%s:1: column %zu has an empty or overlong name", name, j + 2);
    for (size_t i = 0; i < l; i++)
      if ((unsigned char)p[i] < 0x21 || p[i] == '"' || (unsigned char)p[i] == 0x7f)
        return parity_quant_fail(err, PARITY_EINVAL,
                                 "%s:1: column %zu has a blank, quote or control character in its name", name, j + 2);
    memcpy(out->names[j], p, l);
    out->names[j][l] = '\0';
    for (size_t k = 0; k < j; k++)
      if (strcmp(out->names[k], out->names[j]) == 0)
        return parity_quant_fail(err, PARITY_EINVAL, "%s:1: column %s appears twice", name, out->names[j]);
    p = comma ? comma + 1 : end;
  }
  return PARITY_OK;
}

int parity_quant_csv_parse_wide(const char *name, const char *buf, size_t len, struct parity_wide_csv *out,
                                struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  int rc = PARITY_OK;
  size_t pos = 0, lineno = 0, n;
  const char *line;
  if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;
  if (len > PARITY_QCSV_MAX_BYTES) {
    rc = parity_quant_fail(err, PARITY_ETOOBIG, "%s: %zu bytes; at most %u", name, len, PARITY_QCSV_MAX_BYTES);
    goto out;
  }
  if (!next_line(buf, len, &pos, &line, &n) || n == 0) {
    rc = parity_quant_fail(err, PARITY_EINVAL, "%s: empty file: no header", name);
    goto out;
  }
  lineno = 1;
  if (n > PARITY_QCSV_MAX_LINE) {
    rc = parity_quant_fail(err, PARITY_ETOOBIG, "%s:1: line longer than %u bytes", name, PARITY_QCSV_MAX_LINE);
    goto out;
  }
  rc = parse_header(name, line, n, out, err);
  if (rc)
    goto out;

  /* Count rows first so the column-major matrix is allocated once. */
  size_t rows = 0, scan = pos;
  const char *l2;
  size_t n2;
  while (next_line(buf, len, &scan, &l2, &n2))
    rows++;
  if (rows == 0) {
    rc = parity_quant_fail(err, PARITY_EINVAL, "%s: no data rows after the header", name);
    goto out;
  }
  if (rows > PARITY_QCSV_MAX_ROWS || (double)rows * (double)out->ncols > PARITY_QCSV_MAX_CELLS) {
    rc = parity_quant_fail(err, PARITY_ETOOBIG, "%s: %zu rows of %zu columns is over the limit (%d rows, %d cells)",
                           name, rows, out->ncols, PARITY_QCSV_MAX_ROWS, PARITY_QCSV_MAX_CELLS);
    goto out;
  }
  out->days = malloc(rows * sizeof(int32_t));
  out->values = malloc(rows * out->ncols * sizeof(double));
  if (!out->days || !out->values) {
    rc = parity_quant_fail(err, PARITY_ENOMEM, "out of memory for %zu x %zu values", rows, out->ncols);
    goto out;
  }
  size_t r = 0;
  while (next_line(buf, len, &pos, &line, &n)) {
    lineno++;
    if (n > PARITY_QCSV_MAX_LINE) {
      rc = parity_quant_fail(err, PARITY_ETOOBIG, "%s:%zu: line longer than %u bytes", name, lineno,
                             PARITY_QCSV_MAX_LINE);
      goto out;
    }
    size_t fields = count_fields(line, n);
    if (fields != out->ncols + 1) {
      rc = parity_quant_fail(err, PARITY_EINVAL, "%s:%zu: %zu fields, the header has %zu", name, lineno, fields,
                             out->ncols + 1);
      goto out;
    }
    const char *p = line, *end = line + n;
    const char *comma = memchr(p, ',', n);
    if (parity_day_parse(p, (size_t)(comma - p), &out->days[r]) != 0) {
      rc = parity_quant_fail(err, PARITY_EINVAL, "%s:%zu: \"%.*s\" is not a YYYY-MM-DD date", name, lineno,
                             (int)((size_t)(comma - p) < 32 ? (size_t)(comma - p) : 32), p);
      goto out;
    }
    if (r > 0 && out->days[r] <= out->days[r - 1]) {
      rc = parity_quant_fail(err, PARITY_EINVAL, "%s:%zu: dates must increase", name, lineno);
      goto out;
    }
    p = comma + 1;
    for (size_t j = 0; j < out->ncols; j++) {
      const char *c2 = memchr(p, ',', (size_t)(end - p));
      size_t l = c2 ? (size_t)(c2 - p) : (size_t)(end - p);
      double v = NAN;
      if (l > 0 && parse_number(p, l, &v) != 0) {
        rc = parity_quant_fail(err, PARITY_EINVAL, "%s:%zu: column %s: \"%.*s\" is not a finite number", name, lineno,
                               out->names[j], (int)(l < 32 ? l : 32), p);
        goto out;
      }
      out->values[j * rows + r] = v;
      p = c2 ? c2 + 1 : end;
    }
    r++;
  }
  out->nrows = rows;
out:
  if (rc)
    parity_wide_csv_free(out);
  return rc;
}

int parity_quant_csv_read_wide(const char *path, struct parity_wide_csv *out, struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  gzFile f = gzopen(path, "rb");
  if (!f)
    return parity_quant_fail(err, PARITY_EIO, "%s: cannot open", path);
  struct parity_buf text;
  parity_buf_init(&text, PARITY_QCSV_MAX_BYTES);
  char chunk[READ_CHUNK];
  int rc = PARITY_OK;
  for (;;) {
    int got = gzread(f, chunk, READ_CHUNK);
    if (got < 0) {
      int zerr;
      rc = parity_quant_fail(err, PARITY_EIO, "%s: read error: %s", path, gzerror(f, &zerr));
      goto out;
    }
    if (got == 0)
      break;
    if (parity_buf_add(&text, chunk, (size_t)got)) {
      rc = parity_quant_fail(err, PARITY_ETOOBIG, "%s: more than %u bytes", path, PARITY_QCSV_MAX_BYTES);
      goto out;
    }
  }
  rc = parity_quant_csv_parse_wide(path, text.data ? text.data : "", text.len, out, err);
out:
  gzclose(f);
  parity_buf_free(&text);
  return rc;
}

int parity_quant_csv_returns(const struct parity_wide_csv *csv, double *r, struct parity_quant_err *err)
{
  size_t t = csv->nrows;
  for (size_t j = 0; j < csv->ncols; j++) {
    const double *p = csv->values + j * t;
    double prev = NAN;
    for (size_t i = 0; i < t; i++) {
      if (isnan(p[i])) {
        r[j * t + i] = NAN;
        continue;
      }
      if (!(p[i] > 0.0))
        return parity_quant_fail(err, PARITY_EINVAL, "column %s: price %g on row %zu is not positive", csv->names[j],
                                 p[i], i + 2);
      r[j * t + i] = isnan(prev) ? NAN : p[i] / prev - 1.0;
      prev = p[i];
    }
  }
  return PARITY_OK;
}
