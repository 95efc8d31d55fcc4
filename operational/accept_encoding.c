/* Accept-Encoding, read as RFC 9110 §12.5.3 defines it: "coding;q=x, ..." with "*" for the rest. */
#include "operational/accept_encoding.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CODING_MAX 32

/* The q of `coding` in the header: its own entry's, else that of "*", else -1 (not mentioned). */
static double coding_q(const char *header, const char *coding)
{
  double own = -1.0, star = -1.0;
  if (!header)
    return -1.0;
  const char *p = header;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    if (!*p)
      break;
    char name[CODING_MAX];
    size_t n = 0;
    while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t') {
      if (n + 1 < sizeof(name))
        name[n++] = (char)tolower((unsigned char)*p);
      p++;
    }
    name[n] = '\0';
    double q = 1.0;
    /* Parameters up to the next comma: only q matters ("q=0", "q=0.5", "Q=1"). */
    while (*p && *p != ',') {
      if (*p == ';') {
        p++;
        while (*p == ' ' || *p == '\t')
          p++;
        if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
          char *end = NULL;
          q = strtod(p + 2, &end);
          if (end == p + 2 || q < 0.0 || q > 1.0)
            q = 0.0; /* a q we cannot read accepts nothing */
          p = end > p + 2 ? end : p + 2;
          continue;
        }
      }
      p++;
    }
    if (strcmp(name, coding) == 0 || (strcmp(coding, "gzip") == 0 && strcmp(name, "x-gzip") == 0))
      own = q > own ? q : own;
    else if (strcmp(name, "*") == 0)
      star = q;
  }
  return own >= 0.0 ? own : star;
}

bool parity_accepts_coding(const char *header, const char *coding)
{
  return header && coding_q(header, coding) > 0.0;
}

enum parity_coding parity_choose_coding(const char *header, bool have_gzip, bool have_br)
{
  if (!header)
    return PARITY_CODING_IDENTITY;
  double qb = have_br ? coding_q(header, "br") : -1.0;
  double qg = have_gzip ? coding_q(header, "gzip") : -1.0;
  if (qb > 0.0 && qb >= qg)
    return PARITY_CODING_BR;
  if (qg > 0.0)
    return PARITY_CODING_GZIP;
  return PARITY_CODING_IDENTITY;
}
