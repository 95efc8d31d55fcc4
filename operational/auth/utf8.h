/* Strict UTF-8 validation and code-point counting for untrusted text (passwords, emails). */
#ifndef PARITY_AUTH_UTF8_H
#define PARITY_AUTH_UTF8_H

#include <stddef.h>

/*
 * Checks that s[0..len) is well-formed UTF-8 as RFC 3629 defines it (no overlong forms, no
 * surrogates U+D800..U+DFFF, nothing above U+10FFFF, no truncated sequence) and contains no
 * NUL byte. On success stores the number of code points in *codepoints (may be NULL).
 * Returns PARITY_OK or PARITY_EINVAL.
 */
int parity_utf8_validate(const char *s, size_t len, size_t *codepoints);

#endif
