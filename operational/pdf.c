/* The small PDF 1.4 writer of pdf.h: text lines in the base-14 Helvetica fonts, an exact xref table. */
#include "operational/pdf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"

#define LEADING 1.4         /* line height as a multiple of the font size */
#define FIRST_PAGE_OBJECT 5 /* 1 catalog, 2 page tree, 3 Helvetica, 4 Helvetica-Bold, then page and content pairs */

/* Helvetica and Helvetica-Bold advance widths (1/1000 em) of the printable ASCII characters 32..126, from
 * Adobe's Core14 AFM files; every other byte is written as '?' and measured as one. */
static const unsigned short widths[2][95] = {
  { 278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333,  278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,  611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278,  556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,  500, 334, 260, 334, 584 },
  { 278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584 },
};

/* The byte written for an input byte: itself when printable ASCII, '?' otherwise. */
static unsigned char printable(unsigned char c)
{
  return c >= 32 && c <= 126 ? c : '?';
}

/* Appends formatted text to b; the first error sticks in pdf->error. */
__attribute__((format(printf, 3, 4))) static void put(struct parity_pdf *pdf, struct parity_buf *b, const char *fmt,
                                                      ...)
{
  if (pdf->error)
    return;
  char text[PARITY_PDF_MAX_LINE * 2 + 128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof(text)) {
    pdf->error = PARITY_EINTERNAL;
    return;
  }
  pdf->error = parity_buf_add(b, text, (size_t)n);
}

static double top(void)
{
  return PARITY_PDF_PAGE_HEIGHT - PARITY_PDF_MARGIN;
}

void parity_pdf_init(struct parity_pdf *pdf)
{
  memset(pdf, 0, sizeof(*pdf));
  parity_buf_init(&pdf->pages[0], PARITY_PDF_MAX_PAGE_BYTES);
  pdf->npages = 1;
  pdf->y = top();
}

void parity_pdf_free(struct parity_pdf *pdf)
{
  for (size_t i = 0; i < pdf->npages; i++)
    parity_buf_free(&pdf->pages[i]);
  pdf->npages = 0;
}

void parity_pdf_page(struct parity_pdf *pdf)
{
  if (pdf->error)
    return;
  if (pdf->npages == PARITY_PDF_MAX_PAGES) {
    pdf->error = PARITY_ETOOBIG;
    return;
  }
  parity_buf_init(&pdf->pages[pdf->npages++], PARITY_PDF_MAX_PAGE_BYTES);
  pdf->y = top();
}

/* A new page when a line of height h at the cursor would cross the bottom margin. */
static void make_room(struct parity_pdf *pdf, double h)
{
  if (pdf->y - h < PARITY_PDF_MARGIN)
    parity_pdf_page(pdf);
}

double parity_pdf_text_width(enum parity_pdf_font font, double size, const char *text)
{
  unsigned long units = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    units += widths[font == PARITY_PDF_BOLD][printable(*p) - 32];
  return (double)units * size / 1000.0;
}

void parity_pdf_text(struct parity_pdf *pdf, double x, enum parity_pdf_font font, double size, const char *text,
                     bool advance)
{
  if (pdf->error)
    return;
  /* The cursor is the baseline; a line needs its descent below it. */
  make_room(pdf, size * (LEADING - 1.0));
  char escaped[PARITY_PDF_MAX_LINE * 2 + 1];
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)text;
       *p && p - (const unsigned char *)text < PARITY_PDF_MAX_LINE; p++) {
    unsigned char c = printable(*p);
    if (c == '(' || c == ')' || c == '\\')
      escaped[n++] = '\\';
    escaped[n++] = (char)c;
  }
  escaped[n] = '\0';
  put(pdf, &pdf->pages[pdf->npages - 1], "BT /F%d %.1f Tf %.2f %.2f Td (%s) Tj ET\n", font == PARITY_PDF_BOLD ? 2 : 1,
      size, x, pdf->y, escaped);
  if (advance)
    parity_pdf_skip(pdf, size * LEADING);
}

void parity_pdf_text_right(struct parity_pdf *pdf, double x_right, enum parity_pdf_font font, double size,
                           const char *text, bool advance)
{
  parity_pdf_text(pdf, x_right - parity_pdf_text_width(font, size, text), font, size, text, advance);
}

void parity_pdf_skip(struct parity_pdf *pdf, double points)
{
  /* The page opens lazily, at the next line written, so a document never ends with an empty page. */
  if (!pdf->error)
    pdf->y -= points;
}

void parity_pdf_rule(struct parity_pdf *pdf)
{
  if (pdf->error)
    return;
  make_room(pdf, 0.0);
  put(pdf, &pdf->pages[pdf->npages - 1], "0.5 w %d %.2f m %d %.2f l S\n", PARITY_PDF_MARGIN, pdf->y + 4.0,
      PARITY_PDF_PAGE_WIDTH - PARITY_PDF_MARGIN, pdf->y + 4.0);
  parity_pdf_skip(pdf, 8.0);
}

/* Records where object `num` starts (its byte offset in out), then writes its header. */
static void object_start(struct parity_pdf *pdf, struct parity_buf *out, size_t *offsets, size_t num)
{
  offsets[num] = out->len;
  put(pdf, out, "%zu 0 obj\n", num);
}

int parity_pdf_finish(struct parity_pdf *pdf, struct parity_buf *out)
{
  if (pdf->error)
    return pdf->error;
  size_t objects = FIRST_PAGE_OBJECT + 2 * pdf->npages; /* object numbers 1 .. objects - 1 */
  size_t offsets[FIRST_PAGE_OBJECT + 2 * PARITY_PDF_MAX_PAGES] = { 0 };
  size_t base = out->len;
  /* The binary comment line tells transfer tools the file is binary (PDF 1.4, 7.5.2). */
  put(pdf, out, "%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n");
  object_start(pdf, out, offsets, 1);
  put(pdf, out, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
  object_start(pdf, out, offsets, 2);
  put(pdf, out, "<< /Type /Pages /Count %zu /Kids [", pdf->npages);
  for (size_t i = 0; i < pdf->npages; i++)
    put(pdf, out, "%s%zu 0 R", i ? " " : "", FIRST_PAGE_OBJECT + 2 * i);
  put(pdf, out, "] >>\nendobj\n");
  object_start(pdf, out, offsets, 3);
  put(pdf, out, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n");
  object_start(pdf, out, offsets, 4);
  put(pdf, out, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>\nendobj\n");
  for (size_t i = 0; i < pdf->npages; i++) {
    size_t page = FIRST_PAGE_OBJECT + 2 * i;
    object_start(pdf, out, offsets, page);
    put(pdf, out,
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
        "/Contents %zu 0 R >>\nendobj\n",
        PARITY_PDF_PAGE_WIDTH, PARITY_PDF_PAGE_HEIGHT, page + 1);
    object_start(pdf, out, offsets, page + 1);
    put(pdf, out, "<< /Length %zu >>\nstream\n", pdf->pages[i].len);
    if (!pdf->error && pdf->pages[i].len)
      pdf->error = parity_buf_add(out, pdf->pages[i].data, pdf->pages[i].len);
    put(pdf, out, "\nendstream\nendobj\n");
  }
  size_t xref = out->len - base;
  /* Each xref entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, type, CR LF. */
  put(pdf, out, "xref\n0 %zu\n0000000000 65535 f\r\n", objects);
  for (size_t i = 1; i < objects; i++)
    put(pdf, out, "%010zu 00000 n\r\n", offsets[i] - base);
  put(pdf, out, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", objects, xref);
  return pdf->error;
}
