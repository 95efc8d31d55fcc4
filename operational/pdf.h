/* A small PDF 1.4 writer: pages of left-aligned text lines in Helvetica, nothing else (statements, confirmations). */
#ifndef PARITY_PDF_H
#define PARITY_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/*
 * Decisions:
 * - The fonts are the standard Type 1 Helvetica and Helvetica-Bold, which every PDF reader carries (the
 *   base-14 fonts): nothing is embedded and nothing is fetched, so a document is a few kilobytes.
 * - Text is WinAnsiEncoding. Printable ASCII is written as is (with '(', ')' and '\' escaped); every other
 *   byte, including the bytes of a UTF-8 sequence and control characters, becomes one '?', so a name in
 *   another script prints as question marks instead of as garbage or a broken string.
 * - A US Letter page (612 x 792 points) with a 54-point margin. parity_pdf_text() writes at the cursor
 *   and moves it down by the line's leading; a line that would cross the bottom margin opens a new page.
 * - Content is uncompressed (no zlib needed to read it; pdftotext and a test can see the text directly).
 */

#define PARITY_PDF_PAGE_WIDTH 612
#define PARITY_PDF_PAGE_HEIGHT 792
#define PARITY_PDF_MARGIN 54
#define PARITY_PDF_MAX_PAGES 200                 /* a document longer than this is refused (PARITY_ETOOBIG) */
#define PARITY_PDF_MAX_PAGE_BYTES (256u * 1024u) /* one page's content stream */
#define PARITY_PDF_MAX_LINE 512                  /* characters of one text call; the rest is cut */

enum parity_pdf_font { PARITY_PDF_REGULAR, PARITY_PDF_BOLD };

struct parity_pdf {
  struct parity_buf pages[PARITY_PDF_MAX_PAGES]; /* each page's content stream */
  size_t npages;
  double y;  /* the cursor: the baseline of the next line, in points from the bottom */
  int error; /* the first error of a call; every later call does nothing and finish returns it */
};

/* An empty document with one empty page, the cursor at the top margin. Free with parity_pdf_free(). */
void parity_pdf_init(struct parity_pdf *pdf);
void parity_pdf_free(struct parity_pdf *pdf);

/* Starts a new page; the cursor goes to its top. */
void parity_pdf_page(struct parity_pdf *pdf);

/*
 * Writes one line of text at x points from the left edge, at the cursor, in the font and size given, then
 * moves the cursor down by 1.4 x size. With advance false the cursor stays (for columns on one line).
 */
void parity_pdf_text(struct parity_pdf *pdf, double x, enum parity_pdf_font font, double size, const char *text,
                     bool advance);

/* parity_pdf_text() with the text's right edge at x_right (figures in a column). */
void parity_pdf_text_right(struct parity_pdf *pdf, double x_right, enum parity_pdf_font font, double size,
                           const char *text, bool advance);

/* Moves the cursor down by points (a gap); the next line goes on a new page when that crosses the bottom margin. */
void parity_pdf_skip(struct parity_pdf *pdf, double points);

/* A horizontal rule across the text width at the cursor, then a small gap. */
void parity_pdf_rule(struct parity_pdf *pdf);

/* The width of text in the font at size, in points (Helvetica's metrics), for right-aligned figures. */
double parity_pdf_text_width(enum parity_pdf_font font, double size, const char *text);

/*
 * Appends the whole document (header, objects, xref table with each object's byte offset, trailer) to out.
 * Returns 0, or the first error of the calls before (PARITY_ETOOBIG past a limit) or of out's growth.
 */
int parity_pdf_finish(struct parity_pdf *pdf, struct parity_buf *out);

#endif
