/* The PDF writer (operational/pdf.h): structure, exact xref offsets, stream lengths, escaping, pages, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "operational/pdf.h"

/* Writes a document of `lines` lines into out (a finished PDF) and returns finish's result. */
static int document(size_t lines, struct parity_buf *out)
{
  struct parity_pdf *pdf = malloc(sizeof(*pdf));
  parity_pdf_init(pdf);
  parity_pdf_text(pdf, PARITY_PDF_MARGIN, PARITY_PDF_BOLD, 16, "Monthly statement", true);
  parity_pdf_rule(pdf);
  char line[64];
  for (size_t i = 0; i < lines; i++) {
    snprintf(line, sizeof(line), "line %zu", i);
    parity_pdf_text(pdf, PARITY_PDF_MARGIN, PARITY_PDF_REGULAR, 10, line, true);
  }
  parity_buf_init(out, PARITY_BUF_UNBOUNDED);
  int rc = parity_pdf_finish(pdf, out);
  parity_pdf_free(pdf);
  free(pdf);
  return rc;
}

/* The number after `key` in the text (e.g. "/Count "), or -1. */
static long number_after(const char *text, const char *key)
{
  const char *p = strstr(text, key);
  return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* Every xref entry points at "N 0 obj" of its own object number; startxref points at "xref". */
static void check_xref(const struct parity_buf *b)
{
  const char *startxref = strstr(b->data, "startxref\n");
  assert_non_null(startxref);
  long xref = strtol(startxref + strlen("startxref\n"), NULL, 10);
  assert_true(xref > 0 && (size_t)xref < b->len);
  assert_memory_equal(b->data + xref, "xref\n0 ", 7);
  char *p = NULL;
  long count = strtol(b->data + xref + 7, &p, 10);
  assert_true(count > 4);
  assert_int_equal(count, number_after(b->data, "/Size "));
  p++; /* the newline after the count */
  assert_memory_equal(p, "0000000000 65535 f\r\n", 20);
  for (long i = 1; i < count; i++) {
    const char *entry = p + 20 * i;
    assert_memory_equal(entry + 10, " 00000 n\r\n", 10);
    long offset = strtol(entry, NULL, 10);
    char want[32];
    int n = snprintf(want, sizeof(want), "%ld 0 obj\n", i);
    assert_true(offset > 0 && (size_t)offset < b->len);
    assert_memory_equal(b->data + offset, want, (size_t)n);
  }
}

/* Each content stream's /Length is the byte count between "stream\n" and "\nendstream". */
static void check_stream_lengths(const struct parity_buf *b)
{
  size_t streams = 0;
  for (const char *p = strstr(b->data, "/Length "); p; p = strstr(p + 1, "/Length ")) {
    long length = strtol(p + 8, NULL, 10);
    const char *start = strstr(p, "stream\n") + 7;
    assert_memory_equal(start + length, "\nendstream", 10);
    streams++;
  }
  assert_int_equal(streams, number_after(b->data, "/Count "));
}

static void a_document_is_well_formed(void **state)
{
  (void)state;
  struct parity_buf b;
  assert_int_equal(document(3, &b), PARITY_OK);
  assert_memory_equal(b.data, "%PDF-1.4\n", 9);
  assert_string_equal(b.data + b.len - 6, "%%EOF\n");
  assert_int_equal(number_after(b.data, "/Count "), 1);
  assert_non_null(strstr(b.data, "/BaseFont /Helvetica "));
  assert_non_null(strstr(b.data, "/BaseFont /Helvetica-Bold "));
  assert_null(strstr(b.data, "FontFile")); /* nothing embedded */
  assert_non_null(strstr(b.data, "(Monthly statement) Tj"));
  assert_non_null(strstr(b.data, "(line 2) Tj"));
  check_xref(&b);
  check_stream_lengths(&b);
  parity_buf_free(&b);
}

static void long_text_flows_onto_new_pages(void **state)
{
  (void)state;
  struct parity_buf b;
  /* 14-point lines on a 684-point text height: 49 a page (47 under the title), so 200 lines need 5 pages. */
  assert_int_equal(document(200, &b), PARITY_OK);
  assert_int_equal(number_after(b.data, "/Count "), 5);
  assert_non_null(strstr(b.data, "(line 199) Tj"));
  check_xref(&b);
  check_stream_lengths(&b);
  /* no line is written below the bottom margin */
  for (const char *p = strstr(b.data, " Td ("); p; p = strstr(p + 1, " Td (")) {
    const char *y = p;
    while (y[-1] != ' ')
      y--;
    assert_true(strtod(y, NULL) >= PARITY_PDF_MARGIN);
  }
  parity_buf_free(&b);
}

static void too_many_pages_is_refused(void **state)
{
  (void)state;
  struct parity_buf b;
  assert_int_equal(document(50 * PARITY_PDF_MAX_PAGES, &b), PARITY_ETOOBIG);
  parity_buf_free(&b);
}

static void text_is_escaped_and_kept_ascii(void **state)
{
  (void)state;
  struct parity_pdf *pdf = malloc(sizeof(*pdf));
  parity_pdf_init(pdf);
  parity_pdf_text(pdf, 100, PARITY_PDF_REGULAR, 10, "a(b)c\\d", true);
  parity_pdf_text(pdf, 100, PARITY_PDF_REGULAR, 10, "caf\xc3\xa9\n", true);
  struct parity_buf b;
  parity_buf_init(&b, PARITY_BUF_UNBOUNDED);
  assert_int_equal(parity_pdf_finish(pdf, &b), PARITY_OK);
  assert_non_null(strstr(b.data, "(a\\(b\\)c\\\\d) Tj"));
  assert_non_null(strstr(b.data, "(caf??"
                                 "?) Tj"));
  check_xref(&b);
  check_stream_lengths(&b);
  parity_buf_free(&b);
  parity_pdf_free(pdf);
  free(pdf);
}

static void a_long_line_is_cut(void **state)
{
  (void)state;
  struct parity_pdf *pdf = malloc(sizeof(*pdf));
  parity_pdf_init(pdf);
  char line[PARITY_PDF_MAX_LINE * 2];
  memset(line, ')', sizeof(line) - 1);
  line[sizeof(line) - 1] = '\0';
  parity_pdf_text(pdf, 100, PARITY_PDF_REGULAR, 10, line, true);
  struct parity_buf b;
  parity_buf_init(&b, PARITY_BUF_UNBOUNDED);
  assert_int_equal(parity_pdf_finish(pdf, &b), PARITY_OK);
  const char *start = strstr(b.data, "Td (") + 4, *end = strstr(start, ") Tj");
  assert_int_equal(end - start, 2 * PARITY_PDF_MAX_LINE);
  parity_buf_free(&b);
  parity_pdf_free(pdf);
  free(pdf);
}

static void widths_are_helvetica_metrics(void **state)
{
  (void)state;
  /* digits are 556/1000 em in both weights; "$1,234.50" = 556 * 7 + 278 * 2 */
  assert_float_equal(parity_pdf_text_width(PARITY_PDF_REGULAR, 10, "0"), 5.56, 1e-9);
  assert_float_equal(parity_pdf_text_width(PARITY_PDF_BOLD, 10, "$1,234.50"), (556 * 7 + 278 * 2) / 100.0, 1e-9);
  assert_float_equal(parity_pdf_text_width(PARITY_PDF_REGULAR, 10, "W"), 9.44, 1e-9);
  assert_float_equal(parity_pdf_text_width(PARITY_PDF_BOLD, 10, "i"), 2.78, 1e-9);
  assert_float_equal(parity_pdf_text_width(PARITY_PDF_REGULAR, 10, "\xc3"), 5.56, 1e-9); /* as '?' */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_document_is_well_formed), cmocka_unit_test(long_text_flows_onto_new_pages),
    cmocka_unit_test(too_many_pages_is_refused), cmocka_unit_test(text_is_escaped_and_kept_ascii),
    cmocka_unit_test(a_long_line_is_cut),        cmocka_unit_test(widths_are_helvetica_metrics),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
