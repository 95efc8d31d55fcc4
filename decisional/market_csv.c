/* Streaming parser of the long daily-price CSV: bounded lines, per-row validation, one series per symbol. */
#include "decisional/market_csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/alloc.h"
#include "common/errors.h"

/* Bytes asked of zlib per read; lines straddling two reads are carried over. */
#define CSV_READ_CHUNK (256 * 1024)
/* zlib's own input buffer: larger than its 8 KiB default, which costs many small read(2) calls. */
#define CSV_GZ_BUFFER (128 * 1024)

enum csv_column { COL_DATE, COL_SYMBOL, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE, COL_ADJ_CLOSE, COL_VOLUME };

static const char *const column_names[PARITY_CSV_COLUMNS] = {
  "date", "symbol", "open", "high", "low", "close", "adj_close", "volume",
};

struct csv_reader {
  const char *name;
  long line;
  bool header_done;
  int column_at[PARITY_CSV_COLUMNS]; /* position in the row of each enum csv_column */
  int name_at[PARITY_CSV_COLUMNS];   /* enum csv_column found at each position */
  struct parity_bar_series cur;      /* the symbol being read; never handed over half-read */
  char seen[PARITY_CSV_MAX_SYMBOLS][PARITY_SYMBOL_MAX];
  size_t n_seen;
  parity_market_csv_fn on_series;
  void *ctx;
  struct parity_market_csv_stats stats;
  struct parity_market_error *err;
  const char *err_symbol; /* the symbol named in an error: the row's own, or the one being handed over */
};

/* Records "NAME:LINE: field FIELD: what (symbol SYM)" and returns rc. */
static int csv_error(struct csv_reader *r, int rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int csv_error(struct csv_reader *r, int rc, const char *field, const char *fmt, ...)
{
  struct parity_market_error *err = r->err;
  if (!err)
    return rc;
  int32_t day = err->day; /* kept when a bar check already set it */
  char what[PARITY_MARKET_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  parity_market_error_clear(err);
  err->line = r->line;
  err->day = day;
  snprintf(err->symbol, sizeof(err->symbol), "%s", r->err_symbol ? r->err_symbol : "");
  snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
  char where[PARITY_MARKET_ERROR_MAX];
  if (r->line)
    snprintf(where, sizeof(where), "%s:%ld", r->name, r->line);
  else
    snprintf(where, sizeof(where), "%s", r->name);
  char sym[PARITY_SYMBOL_MAX + 16] = "";
  if (err->symbol[0])
    snprintf(sym, sizeof(sym), " (symbol %s)", err->symbol);
  int n;
  if (field && field[0])
    n = snprintf(err->message, sizeof(err->message), "%s: field %s: %s%s", where, field, what, sym);
  else
    n = snprintf(err->message, sizeof(err->message), "%s: %s%s", where, what, sym);
  parity_market_text_fit(err->message, sizeof(err->message), n);
  return rc;
}

/* Hands the completed symbol to the consumer and starts afresh; a series is never delivered twice. */
static int deliver(struct csv_reader *r)
{
  if (r->cur.n == 0)
    return PARITY_OK;
  int rc = PARITY_OK;
  json_t *notes = json_array();
  if (!notes) {
    rc = PARITY_ENOMEM;
    goto out;
  }
  int noted = parity_price_report(&r->cur, notes);
  if (noted < 0) {
    rc = noted;
    goto out;
  }
  rc = r->on_series(r->ctx, &r->cur, notes);
  if (rc) {
    r->err_symbol = r->cur.symbol;
    long line = r->line;
    r->line = 0;
    csv_error(r, rc, NULL, "the consumer failed (%s)", parity_err_str(rc));
    r->line = line;
    goto out;
  }
  r->stats.symbols++;
out:
  json_decref(notes);
  parity_bar_series_free(&r->cur);
  r->cur.symbol[0] = '\0';
  return rc;
}

static int parse_header(struct csv_reader *r, const char *line, size_t len)
{
  static const char bom[] = "\xEF\xBB\xBF";
  if (len >= 3 && memcmp(line, bom, 3) == 0) {
    line += 3;
    len -= 3;
  }
  bool have[PARITY_CSV_COLUMNS] = { false };
  int pos = 0;
  const char *p = line, *end = line + len;
  for (;;) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *stop = comma ? comma : end;
    size_t n = (size_t)(stop - p);
    int col = -1;
    for (int c = 0; c < PARITY_CSV_COLUMNS; c++)
      if (strlen(column_names[c]) == n && memcmp(column_names[c], p, n) == 0)
        col = c;
    if (col < 0 || have[col] || pos >= PARITY_CSV_COLUMNS)
      return csv_error(r, PARITY_EINVAL, "header",
                       "expected the columns date,symbol,open,high,low,close,adj_close,volume; "
                       "column %d is \"%.*s\"%s",
                       pos + 1, (int)(n > 32 ? 32 : n), p, col >= 0 && have[col] ? " again" : "");
    have[col] = true;
    r->column_at[col] = pos;
    r->name_at[pos] = col;
    pos++;
    if (!comma)
      break;
    p = comma + 1;
  }
  if (pos != PARITY_CSV_COLUMNS) {
    for (int c = 0; c < PARITY_CSV_COLUMNS; c++)
      if (!have[c])
        return csv_error(r, PARITY_EINVAL, "header", "column %s is missing", column_names[c]);
  }
  r->header_done = true;
  return PARITY_OK;
}

/* Copies a field into a NUL-terminated buffer for strtod/strtoll, rejecting what they would skip. */
static int parse_price(struct csv_reader *r, const char *p, size_t n, int col, double *out)
{
  const char *field = column_names[col];
  if (n == 0)
    return csv_error(r, PARITY_EINVAL, field, "empty");
  if (n >= PARITY_CSV_MAX_NUMBER)
    return csv_error(r, PARITY_EINVAL, field, "number longer than %d characters", PARITY_CSV_MAX_NUMBER - 1);
  char buf[PARITY_CSV_MAX_NUMBER];
  for (size_t i = 0; i < n; i++) {
    /* Only plain decimal notation: strtod would also take spaces, hex, "nan" and "inf". */
    if (!strchr("0123456789+-.eE", p[i]) || p[i] == '\0')
      return csv_error(r, PARITY_EINVAL, field, "\"%.*s\" is not a number", (int)n, p);
    buf[i] = p[i];
  }
  buf[n] = '\0';
  char *end = NULL;
  errno = 0;
  double v = strtod(buf, &end);
  if (end != buf + n)
    return csv_error(r, PARITY_EINVAL, field, "\"%s\" is not a number", buf);
  if (errno == ERANGE && (v > 1 || v < -1))
    return csv_error(r, PARITY_EINVAL, field, "\"%s\" is out of range", buf);
  *out = v;
  return PARITY_OK;
}

static int parse_volume(struct csv_reader *r, const char *p, size_t n, int64_t *out)
{
  const char *field = column_names[COL_VOLUME];
  size_t i = 0;
  bool negative = n > 0 && p[0] == '-';
  if (negative)
    i = 1;
  if (i == n)
    return csv_error(r, PARITY_EINVAL, field, n ? "\"%.*s\" is not an integer" : "empty", (int)n, p);
  int64_t v = 0;
  for (; i < n; i++) {
    if (p[i] < '0' || p[i] > '9')
      return csv_error(r, PARITY_EINVAL, field, "\"%.*s\" is not an integer", (int)n, p);
    int digit = p[i] - '0';
    if (v > (INT64_MAX - digit) / 10)
      return csv_error(r, PARITY_EINVAL, field, "\"%.*s\" is out of range", (int)n, p);
    v = v * 10 + digit;
  }
  *out = negative ? -v : v;
  return PARITY_OK;
}

/* Starts a new symbol's block: the previous one is complete and goes to the consumer first. */
static int switch_symbol(struct csv_reader *r, const char *sym, size_t n)
{
  int rc = deliver(r);
  if (rc)
    return rc;
  for (size_t i = 0; i < r->n_seen; i++)
    if (strcmp(r->seen[i], sym) == 0)
      return csv_error(r, PARITY_EINVAL, "symbol",
                       "%s appears again after its rows ended (rows of a symbol must be contiguous)", sym);
  if (r->n_seen >= PARITY_CSV_MAX_SYMBOLS)
    return csv_error(r, PARITY_ETOOBIG, "symbol", "%s would be symbol number %d; the limit is %d", sym,
                     PARITY_CSV_MAX_SYMBOLS + 1, PARITY_CSV_MAX_SYMBOLS);
  memcpy(r->seen[r->n_seen++], sym, n + 1);
  memcpy(r->cur.symbol, sym, n + 1);
  return PARITY_OK;
}

static int parse_row(struct csv_reader *r, const char *line, size_t len)
{
  const char *start[PARITY_CSV_COLUMNS];
  size_t size[PARITY_CSV_COLUMNS];
  int count = 0;
  const char *p = line, *end = line + len, *extra = NULL;
  for (;;) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *stop = comma ? comma : end;
    if (count == PARITY_CSV_COLUMNS) {
      extra = p;
      break;
    }
    start[count] = p;
    size[count] = (size_t)(stop - p);
    count++;
    if (!comma)
      break;
    p = comma + 1;
  }

  if (r->err)
    r->err->day = INT32_MIN; /* no day of an earlier row on this row's errors */
  /* Name the row's own symbol in messages when it can be read, else none. */
  char sym[PARITY_SYMBOL_MAX] = "";
  int sym_pos = r->column_at[COL_SYMBOL];
  const char *sym_text = sym_pos < count ? start[sym_pos] : "";
  size_t sym_len = sym_pos < count ? size[sym_pos] : 0;
  if (sym_len > 0 && sym_len < PARITY_SYMBOL_MAX) {
    memcpy(sym, sym_text, sym_len);
    sym[sym_len] = '\0';
  }
  bool sym_ok = sym[0] && parity_symbol_valid(sym);
  r->err_symbol = sym_ok ? sym : "";

  if (extra)
    return csv_error(r, PARITY_EINVAL, "#9", "extra field \"%.*s\" (the header has %d columns)",
                     (int)((end - extra) > 32 ? 32 : (end - extra)), extra, PARITY_CSV_COLUMNS);
  if (count < PARITY_CSV_COLUMNS)
    return csv_error(r, PARITY_EINVAL, column_names[r->name_at[count]], "missing (%d of %d fields)", count,
                     PARITY_CSV_COLUMNS);
  if (!sym_ok)
    return csv_error(r, PARITY_EINVAL, "symbol", "\"%.*s\" is not a valid symbol (1 to %d of [A-Z0-9.^=-])",
                     (int)(sym_len > 32 ? 32 : sym_len), sym_text, PARITY_SYMBOL_MAX - 1);
  if (strcmp(sym, r->cur.symbol) != 0) {
    int rc = switch_symbol(r, sym, sym_len);
    if (rc)
      return rc;
  }
  r->err_symbol = r->cur.symbol;

  struct parity_bar bar;
  memset(&bar, 0, sizeof(bar));
  const char *date = start[r->column_at[COL_DATE]];
  size_t date_len = size[r->column_at[COL_DATE]];
  if (parity_day_parse(date, date_len, &bar.day))
    return csv_error(r, PARITY_EINVAL, "date", "\"%.*s\" is not a date YYYY-MM-DD (1900..2999)",
                     (int)(date_len > 32 ? 32 : date_len), date);
  /* A bad value further on names the row's day too, so the quality report can file it under it. */
  if (r->err)
    r->err->day = bar.day;
  double *const prices[] = { &bar.open, &bar.high, &bar.low, &bar.close, &bar.adj_close };
  for (int c = COL_OPEN; c <= COL_ADJ_CLOSE; c++) {
    int rc = parse_price(r, start[r->column_at[c]], size[r->column_at[c]], c, prices[c - COL_OPEN]);
    if (rc)
      return rc;
  }
  int rc = parse_volume(r, start[r->column_at[COL_VOLUME]], size[r->column_at[COL_VOLUME]], &bar.volume);
  if (rc)
    return rc;

  if (r->cur.n >= PARITY_CSV_MAX_BARS)
    return csv_error(r, PARITY_ETOOBIG, "symbol", "more than %d rows for one symbol", PARITY_CSV_MAX_BARS);
  const struct parity_bar *prev = r->cur.n ? &r->cur.bars[r->cur.n - 1] : NULL;
  struct parity_market_error check;
  rc = parity_price_check_bar(r->cur.symbol, prev, &bar, &check);
  if (rc) {
    if (r->err)
      r->err->day = check.day;
    return csv_error(r, rc, check.field, "%s", parity_market_error_what(&check));
  }
  parity_bar_series_push(&r->cur, &bar);
  r->stats.rows++;
  return PARITY_OK;
}

/* One line without its \n; the \r of a \r\n ending is dropped here. */
static int feed_line(struct csv_reader *r, const char *line, size_t len)
{
  r->line++;
  if (len && line[len - 1] == '\r')
    len--;
  if (len > PARITY_CSV_MAX_LINE)
    return csv_error(r, PARITY_ETOOBIG, NULL, "line longer than %d bytes", PARITY_CSV_MAX_LINE);
  if (memchr(line, '\0', len))
    return csv_error(r, PARITY_EINVAL, NULL, "NUL byte in line");
  if (len == 0)
    return csv_error(r, PARITY_EINVAL, NULL, "empty line");
  if (!r->header_done)
    return parse_header(r, line, len);
  return parse_row(r, line, len);
}

/* After the last line: a file without a header is an error; the last symbol is complete. */
static int finish(struct csv_reader *r)
{
  if (!r->header_done)
    return csv_error(r, PARITY_EINVAL, "header", "no header line (the input is empty)");
  return deliver(r);
}

static struct csv_reader *reader_new(const char *name, parity_market_csv_fn on_series, void *ctx,
                                     struct parity_market_error *err)
{
  struct csv_reader *r = parity_xcalloc(1, sizeof(*r));
  r->name = name;
  r->on_series = on_series;
  r->ctx = ctx;
  r->err = err;
  parity_market_error_clear(err);
  return r;
}

static void reader_free(struct csv_reader *r, struct parity_market_csv_stats *stats)
{
  if (stats)
    *stats = r->stats;
  parity_bar_series_free(&r->cur);
  free(r);
}

int parity_market_csv_parse(const char *name, const char *buf, size_t len, parity_market_csv_fn on_series, void *ctx,
                            struct parity_market_csv_stats *stats, struct parity_market_error *err)
{
  struct csv_reader *r = reader_new(name ? name : "<memory>", on_series, ctx, err);
  int rc = PARITY_OK;
  size_t pos = 0;
  while (pos < len) {
    const char *nl = memchr(buf + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
    rc = feed_line(r, buf + pos, n);
    if (rc)
      goto out;
    pos += n + (nl ? 1 : 0);
  }
  rc = finish(r);
out:
  reader_free(r, stats);
  return rc;
}

/* zlib prefixes its messages with the path, which the error already starts with. */
static const char *gz_reason(const char *path, const char *why)
{
  size_t n = strlen(path);
  if (why && strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0)
    return why + n + 2;
  return why ? why : "unknown zlib error";
}

int parity_market_csv_read_file(const char *path, parity_market_csv_fn on_series, void *ctx,
                                struct parity_market_csv_stats *stats, struct parity_market_error *err)
{
  struct csv_reader *r = reader_new(path, on_series, ctx, err);
  int rc = PARITY_OK;
  char *buf = NULL;
  gzFile gz = gzopen(path, "rb");
  if (!gz) {
    char why[128];
    /* GNU strerror_r (we build with _GNU_SOURCE): thread-safe, returns the text to use. */
    rc = csv_error(r, PARITY_EIO, NULL, "cannot open: %s", strerror_r(errno ? errno : ENOENT, why, sizeof(why)));
    goto out;
  }
  gzbuffer(gz, CSV_GZ_BUFFER);
  buf = parity_xmalloc(CSV_READ_CHUNK);
  size_t have = 0;
  for (;;) {
    int got = gzread(gz, buf + have, (unsigned)(CSV_READ_CHUNK - have));
    if (got < 0) {
      int zerr = Z_OK;
      const char *why = gzerror(gz, &zerr);
      rc = csv_error(r, PARITY_EIO, NULL, "read failed: %s", gz_reason(path, why));
      goto out;
    }
    if (got == 0) {
      /* zlib reports a gzip stream cut short only through gzerror (Z_BUF_ERROR), not as -1. */
      int zerr = Z_OK;
      const char *why = gzerror(gz, &zerr);
      if (zerr != Z_OK) {
        rc = csv_error(r, PARITY_EIO, NULL, "read failed: %s", gz_reason(path, why));
        goto out;
      }
      break;
    }
    have += (size_t)got;
    size_t pos = 0;
    for (;;) {
      const char *nl = memchr(buf + pos, '\n', have - pos);
      if (!nl)
        break;
      size_t n = (size_t)(nl - (buf + pos));
      rc = feed_line(r, buf + pos, n);
      if (rc)
        goto out;
      pos += n + 1;
    }
    /* The carried-over tail has no newline yet; if it is already too long it never becomes a line. */
    if (have - pos > PARITY_CSV_MAX_LINE + 1) {
      r->line++;
      rc = csv_error(r, PARITY_ETOOBIG, NULL, "line longer than %d bytes", PARITY_CSV_MAX_LINE);
      goto out;
    }
    memmove(buf, buf + pos, have - pos);
    have -= pos;
  }
  if (have) {
    rc = feed_line(r, buf, have);
    if (rc)
      goto out;
  }
  rc = finish(r);
out:
  free(buf);
  if (gz)
    gzclose(gz);
  reader_free(r, stats);
  return rc;
}
