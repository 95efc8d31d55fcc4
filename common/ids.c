/* Ticker symbol and UUID rules, and fresh UUIDs from libsodium's generator. */
#include "common/ids.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

bool parity_symbol_valid(const char *symbol)
{
  if (!symbol)
    return false;
  size_t n = strlen(symbol);
  if (n < 1 || n > PARITY_SYMBOL_MAX_LEN)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = symbol[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(".^=-", c)))
      return false;
  }
  return true;
}

bool parity_uuid_valid(const char *text)
{
  if (!text || strlen(text) != PARITY_UUID_LEN)
    return false;
  for (int i = 0; i < PARITY_UUID_LEN; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !strchr("0123456789abcdefABCDEF", text[i]))
      return false;
  }
  return true;
}

void parity_uuid_v4(char buf[PARITY_UUID_TEXT])
{
  unsigned char b[16];
  randombytes_buf(b, sizeof(b));
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  snprintf(buf, PARITY_UUID_TEXT, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
           b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
