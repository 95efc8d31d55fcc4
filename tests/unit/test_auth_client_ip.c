/* Unit tests of operational/auth/client_ip.c: parsing, TRUSTED_PROXIES, X-Forwarded-For rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/client_ip.h"

static struct sockaddr_storage sa_of(const char *text)
{
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *in = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(40000);
  } else {
    assert_int_equal(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(40000);
  }
  return ss;
}

/* The client address as text, for peer `peer`, header `xff` and TRUSTED_PROXIES `trusted`. */
static const char *resolve(const char *peer, const char *xff, const char *trusted)
{
  static char out[PARITY_IP_STRLEN];
  struct parity_trusted_proxies tp;
  struct sockaddr_storage ss = sa_of(peer);
  struct parity_ip ip;
  assert_int_equal(parity_trusted_proxies_parse(trusted, &tp), PARITY_OK);
  assert_int_equal(parity_client_ip((struct sockaddr *)&ss, xff, &tp, &ip), PARITY_OK);
  assert_int_equal(parity_ip_format(&ip, out), PARITY_OK);
  return out;
}

static void test_parse_and_format(void **state)
{
  struct parity_ip ip;
  char out[PARITY_IP_STRLEN];
  (void)state;
  assert_int_equal(parity_ip_parse("192.0.2.1", 9, &ip), PARITY_OK);
  assert_int_equal(ip.family, AF_INET);
  assert_int_equal(parity_ip_parse("2001:DB8::1", 11, &ip), PARITY_OK);
  assert_int_equal(parity_ip_format(&ip, out), PARITY_OK);
  assert_string_equal(out, "2001:db8::1");
  /* IPv4-mapped IPv6 is the IPv4 address. */
  assert_int_equal(parity_ip_parse("::ffff:192.0.2.1", 16, &ip), PARITY_OK);
  assert_int_equal(ip.family, AF_INET);
  assert_int_equal(parity_ip_format(&ip, out), PARITY_OK);
  assert_string_equal(out, "192.0.2.1");
  const char *const bad[] = { "",           "1.2.3",        "1.2.3.4.5",   "256.1.1.1", "1.2.3.4:80",
                              "[::1]",      "fe80::1%eth0", "example.com", " 1.2.3.4",  "01.2.3.4",
                              "1.2.3.4/32", "::1::2",       "unknown" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(parity_ip_parse(bad[i], strlen(bad[i]), &ip), PARITY_EINVAL);
  char big[100];
  memset(big, '1', sizeof(big));
  assert_int_equal(parity_ip_parse(big, sizeof(big), &ip), PARITY_EINVAL);
  assert_int_equal(parity_ip_parse("1.2.3.4\0", 8, &ip), PARITY_EINVAL);
}

static void test_trusted_proxies_parse(void **state)
{
  struct parity_trusted_proxies tp;
  struct parity_ip ip;
  (void)state;
  assert_int_equal(parity_trusted_proxies_parse("", &tp), PARITY_OK);
  assert_int_equal(tp.count, 0);
  assert_int_equal(parity_trusted_proxies_parse("  ", &tp), PARITY_OK);
  assert_int_equal(tp.count, 0);
  assert_int_equal(parity_trusted_proxies_parse(NULL, &tp), PARITY_OK);
  assert_int_equal(parity_trusted_proxies_parse("10.0.0.1, 10.1.0.0/16 ,fd00::/8,::1", &tp), PARITY_OK);
  assert_int_equal(tp.count, 4);
  assert_int_equal(parity_ip_parse("10.1.255.3", 10, &ip), PARITY_OK);
  assert_true(parity_trusted_proxies_contains(&tp, &ip));
  assert_int_equal(parity_ip_parse("10.2.0.1", 8, &ip), PARITY_OK);
  assert_false(parity_trusted_proxies_contains(&tp, &ip));
  assert_int_equal(parity_ip_parse("fdab::7", 7, &ip), PARITY_OK);
  assert_true(parity_trusted_proxies_contains(&tp, &ip));
  assert_int_equal(parity_ip_parse("fe00::7", 7, &ip), PARITY_OK);
  assert_false(parity_trusted_proxies_contains(&tp, &ip));
  /* Host bits are cleared: 10.9.9.9/8 is 10.0.0.0/8. */
  assert_int_equal(parity_trusted_proxies_parse("10.9.9.9/8", &tp), PARITY_OK);
  assert_int_equal(parity_ip_parse("10.200.1.1", 10, &ip), PARITY_OK);
  assert_true(parity_trusted_proxies_contains(&tp, &ip));
  /* A /12 that does not fall on a byte boundary. */
  assert_int_equal(parity_trusted_proxies_parse("172.16.0.0/12", &tp), PARITY_OK);
  assert_int_equal(parity_ip_parse("172.31.255.255", 14, &ip), PARITY_OK);
  assert_true(parity_trusted_proxies_contains(&tp, &ip));
  assert_int_equal(parity_ip_parse("172.32.0.0", 10, &ip), PARITY_OK);
  assert_false(parity_trusted_proxies_contains(&tp, &ip));
  /* A mapped network counts its prefix over 128 bits. */
  assert_int_equal(parity_trusted_proxies_parse("::ffff:10.0.0.0/104", &tp), PARITY_OK);
  assert_int_equal(tp.nets[0].prefix, 8);
  const char *const bad[] = { "10.0.0.1,",  ",10.0.0.1", "10.0.0.1,,10.0.0.2", "10.0.0.0/33", "10.0.0.0/",
                              "10.0.0.0/x", "::/129",    "example.com",        "10.0.0.0/-1", "::ffff:10.0.0.0/64" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(parity_trusted_proxies_parse(bad[i], &tp), PARITY_EINVAL);
  /* Over the entry limit. */
  char many[PARITY_TRUSTED_PROXIES_STRLEN_MAX];
  size_t pos = 0;
  for (int i = 0; i <= PARITY_TRUSTED_PROXIES_MAX; i++)
    pos += (size_t)snprintf(many + pos, sizeof(many) - pos, "%s10.0.0.%d", i ? "," : "", i);
  assert_int_equal(parity_trusted_proxies_parse(many, &tp), PARITY_ETOOBIG);
}

/* Whether `addr` falls in the TRUSTED_PROXIES value `trusted`. */
static bool trusted_by(const char *trusted, const char *addr)
{
  struct parity_trusted_proxies tp;
  struct parity_ip ip;
  assert_int_equal(parity_trusted_proxies_parse(trusted, &tp), PARITY_OK);
  assert_int_equal(parity_ip_parse(addr, strlen(addr), &ip), PARITY_OK);
  return parity_trusted_proxies_contains(&tp, &ip);
}

static void test_trusted_proxies_cidr(void **state)
{
  struct parity_trusted_proxies tp;
  (void)state;
  /* k3s's pod range, as the k8s overlay sets it. */
  assert_true(trusted_by("10.42.0.0/16", "10.42.0.1"));
  assert_true(trusted_by("10.42.0.0/16", "10.42.255.255"));
  assert_false(trusted_by("10.42.0.0/16", "10.43.0.1"));
  assert_false(trusted_by("10.42.0.0/16", "10.41.255.255"));
  /* /0 is every address of its family, and only of its family. */
  assert_true(trusted_by("0.0.0.0/0", "203.0.113.9"));
  assert_true(trusted_by("0.0.0.0/0", "::ffff:198.51.100.1"));
  assert_false(trusted_by("0.0.0.0/0", "2001:db8::1"));
  assert_true(trusted_by("::/0", "2001:db8::1"));
  assert_false(trusted_by("::/0", "203.0.113.9"));
  /* /32 and /128 are one address, like an entry without a prefix. */
  assert_true(trusted_by("192.0.2.7/32", "192.0.2.7"));
  assert_false(trusted_by("192.0.2.7/32", "192.0.2.6"));
  assert_false(trusted_by("192.0.2.7/32", "192.0.2.8"));
  assert_true(trusted_by("2001:db8::7/128", "2001:db8::7"));
  assert_false(trusted_by("2001:db8::7/128", "2001:db8::6"));
  assert_int_equal(parity_trusted_proxies_parse("192.0.2.7, 2001:db8::7", &tp), PARITY_OK);
  assert_int_equal(tp.nets[0].prefix, 32);
  assert_int_equal(tp.nets[1].prefix, 128);
  /* IPv6 networks off a byte boundary; a mixed list. */
  assert_true(trusted_by("fd00::/7", "fdff:ffff::1"));
  assert_true(trusted_by("fd00::/7", "fc00::1"));
  assert_false(trusted_by("fd00::/7", "fe00::1"));
  assert_true(trusted_by("10.42.0.0/16, fd42::/48", "fd42::9"));
  assert_true(trusted_by("10.42.0.0/16, fd42::/48", "10.42.3.4"));
  assert_false(trusted_by("10.42.0.0/16, fd42::/48", "fd42:0:1::9"));
  /* Bad prefixes are refused when the value is read (the daemon does not start). */
  const char *const bad[] = { "10.42.0.0/33",  "::/129",        "10.42.0.0/016",   "10.42.0.0/00",  "::/064",
                              "10.42.0.0/ 16", "10.42.0.0/+16", "10.42.0.0/16/16", "10.42.0.0/1 6", "/16",
                              "10.42.0.0/",    "10.42/16",      "10.42.0.0/1000",  "fd00::/x" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(parity_trusted_proxies_parse(bad[i], &tp), PARITY_EINVAL);
}

static void test_untrusted_peer_ignores_xff(void **state)
{
  (void)state;
  /* No proxy configured: whatever the header says, the peer is the client. */
  assert_string_equal(resolve("203.0.113.5", "1.1.1.1", ""), "203.0.113.5");
  /* A proxy is configured but this peer is not it. */
  assert_string_equal(resolve("203.0.113.5", "1.1.1.1", "10.0.0.1"), "203.0.113.5");
  assert_string_equal(resolve("203.0.113.5", NULL, "10.0.0.1"), "203.0.113.5");
}

static void test_trusted_peer_uses_xff(void **state)
{
  (void)state;
  assert_string_equal(resolve("10.0.0.1", "198.51.100.7", "10.0.0.1"), "198.51.100.7");
  /* The client's own forged entries on the left do not matter: right-most untrusted wins. */
  assert_string_equal(resolve("10.0.0.1", "6.6.6.6, 198.51.100.7", "10.0.0.1"), "198.51.100.7");
  /* Two proxy hops: skip every trusted address from the right. */
  assert_string_equal(resolve("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", "10.0.0.0/24"), "198.51.100.7");
  /* All trusted: the left-most is the best we know. */
  assert_string_equal(resolve("10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.0/24"), "10.0.0.3");
  /* IPv6 client behind an IPv4 proxy, and a dual-stack peer written as mapped IPv6. */
  assert_string_equal(resolve("10.0.0.1", "2001:db8::42", "10.0.0.1"), "2001:db8::42");
  assert_string_equal(resolve("::ffff:10.0.0.1", "198.51.100.7", "10.0.0.1"), "198.51.100.7");
  /* Tabs and spaces around entries (optional whitespace). */
  assert_string_equal(resolve("10.0.0.1", "\t198.51.100.7 ", "10.0.0.1"), "198.51.100.7");
}

static void test_malformed_xff_ignored(void **state)
{
  (void)state;
  const char *const bad[] = {
    "",        "not-an-ip",       "198.51.100.7:4711", "[2001:db8::1]", "198.51.100.7,", "198.51.100.7, ,",
    "unknown", "1.2.3.4 5.6.7.8", "10.0.0.2, garbage"
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_string_equal(resolve("10.0.0.1", bad[i], "10.0.0.0/24"), "10.0.0.1");
  /* Garbage left of the answer is never examined. */
  assert_string_equal(resolve("10.0.0.1", "garbage, 198.51.100.7", "10.0.0.1"), "198.51.100.7");
  assert_string_equal(resolve("10.0.0.1", ", 198.51.100.7", "10.0.0.1"), "198.51.100.7");
  /* An empty left-most entry behind trusted hops is malformed. */
  assert_string_equal(resolve("10.0.0.1", ",10.0.0.2", "10.0.0.0/24"), "10.0.0.1");
}

/* Long headers: only the last PARITY_XFF_MAX_BYTES / MAX_ENTRIES are examined. */
static void test_long_xff(void **state)
{
  size_t cap = 3 * PARITY_XFF_MAX_BYTES;
  char *xff = malloc(cap);
  size_t pos = 0;
  (void)state;
  assert_non_null(xff);
  while (pos < 2 * PARITY_XFF_MAX_BYTES)
    pos += (size_t)snprintf(xff + pos, cap - pos, "6.6.6.6, ");
  snprintf(xff + pos, cap - pos, "198.51.100.7");
  assert_true(strlen(xff) > PARITY_XFF_MAX_BYTES);
  assert_string_equal(resolve("10.0.0.1", xff, "10.0.0.1"), "198.51.100.7");
  /* 40 trusted hops exceed PARITY_XFF_MAX_ENTRIES before an answer: the peer is used. */
  pos = 0;
  for (int i = 0; i < 40; i++)
    pos += (size_t)snprintf(xff + pos, cap - pos, "%s10.0.0.%d", i ? "," : "", i + 2);
  assert_string_equal(resolve("10.0.0.1", xff, "10.0.0.0/24"), "10.0.0.1");
  free(xff);
}

static void test_non_ip_peer(void **state)
{
  struct sockaddr sa;
  struct parity_ip ip;
  struct parity_trusted_proxies tp;
  (void)state;
  memset(&sa, 0, sizeof(sa));
  sa.sa_family = AF_UNIX;
  assert_int_equal(parity_trusted_proxies_parse("", &tp), PARITY_OK);
  assert_int_equal(parity_client_ip(&sa, NULL, &tp, &ip), PARITY_EINVAL);
  assert_int_equal(parity_client_ip(NULL, NULL, &tp, &ip), PARITY_EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_and_format),
    cmocka_unit_test(test_trusted_proxies_parse),
    cmocka_unit_test(test_trusted_proxies_cidr),
    cmocka_unit_test(test_untrusted_peer_ignores_xff),
    cmocka_unit_test(test_trusted_peer_uses_xff),
    cmocka_unit_test(test_malformed_xff_ignored),
    cmocka_unit_test(test_long_xff),
    cmocka_unit_test(test_non_ip_peer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
