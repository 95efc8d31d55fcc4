/* Strict UTF-8 decoder used to validate and count code points of untrusted input. */
#include "operational/auth/utf8.h"

#include <stdint.h>

#include "common/errors.h"

/* Largest Unicode code point (RFC 3629 restricts UTF-8 to it). */
#define UTF8_MAX_CODEPOINT 0x10FFFFu

/* Decodes one sequence starting at s[i]; returns its length in bytes, or 0 when invalid. */
static size_t utf8_decode_one(const unsigned char *s, size_t len, size_t i)
{
  unsigned char b0 = s[i];
  size_t need;
  uint32_t cp;
  uint32_t min;

  if (b0 < 0x80)
    return b0 == 0 ? 0 : 1;
  if ((b0 & 0xE0) == 0xC0) {
    need = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    need = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    need = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else {
    return 0; /* a continuation byte or 0xF8..0xFF cannot start a sequence */
  }
  if (len - i < need)
    return 0;
  for (size_t k = 1; k < need; k++) {
    if ((s[i + k] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i + k] & 0x3Fu);
  }
  /* Overlong forms let the same text have two spellings, surrogates are not characters. */
  if (cp < min || cp > UTF8_MAX_CODEPOINT || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return need;
}

int parity_utf8_validate(const char *s, size_t len, size_t *codepoints)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t count = 0;

  if (!s && len)
    return PARITY_EINVAL;
  for (size_t i = 0; i < len;) {
    size_t n = utf8_decode_one(u, len, i);
    if (n == 0)
      return PARITY_EINVAL;
    i += n;
    count++;
  }
  if (codepoints)
    *codepoints = count;
  return PARITY_OK;
}
