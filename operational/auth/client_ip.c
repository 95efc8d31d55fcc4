/* Client address: the socket peer, or X-Forwarded-For read right to left behind trusted proxies. */
#include "operational/auth/client_ip.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "common/errors.h"

/* ::ffff:0:0/96, the IPv4-mapped prefix (RFC 4291 §2.5.5.2). */
static const unsigned char v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void ip_set_v6(struct parity_ip *out, const unsigned char a[16])
{
  memset(out, 0, sizeof(*out));
  if (memcmp(a, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0) {
    out->family = AF_INET;
    memcpy(out->addr, a + 12, 4);
  } else {
    out->family = AF_INET6;
    memcpy(out->addr, a, 16);
  }
}

int parity_ip_parse(const char *s, size_t len, struct parity_ip *out)
{
  char buf[PARITY_IP_STRLEN];
  unsigned char a[16];

  if (!s || !out || len == 0 || len >= sizeof(buf))
    return PARITY_EINVAL;
  memcpy(buf, s, len);
  buf[len] = '\0';
  if (memchr(buf, '\0', len))
    return PARITY_EINVAL;
  if (inet_pton(AF_INET, buf, a) == 1) {
    memset(out, 0, sizeof(*out));
    out->family = AF_INET;
    memcpy(out->addr, a, 4);
    return PARITY_OK;
  }
  if (inet_pton(AF_INET6, buf, a) == 1) {
    ip_set_v6(out, a);
    return PARITY_OK;
  }
  return PARITY_EINVAL;
}

int parity_ip_from_sockaddr(const struct sockaddr *sa, struct parity_ip *out)
{
  if (!sa || !out)
    return PARITY_EINVAL;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
    memset(out, 0, sizeof(*out));
    out->family = AF_INET;
    memcpy(out->addr, &in->sin_addr, 4);
    return PARITY_OK;
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
    ip_set_v6(out, in6->sin6_addr.s6_addr);
    return PARITY_OK;
  }
  return PARITY_EINVAL;
}

int parity_ip_format(const struct parity_ip *ip, char out[PARITY_IP_STRLEN])
{
  if (!ip || (ip->family != AF_INET && ip->family != AF_INET6))
    return PARITY_EINVAL;
  return inet_ntop(ip->family, ip->addr, out, PARITY_IP_STRLEN) ? PARITY_OK : PARITY_EINVAL;
}

bool parity_ip_equal(const struct parity_ip *a, const struct parity_ip *b)
{
  size_t n = a->family == AF_INET ? 4 : 16;
  return a->family == b->family && memcmp(a->addr, b->addr, n) == 0;
}

static unsigned ip_bits(const struct parity_ip *ip)
{
  return ip->family == AF_INET ? 32 : 128;
}

static bool prefix_match(const struct parity_ip *net, unsigned prefix, const struct parity_ip *ip)
{
  unsigned full = prefix / 8, rest = prefix % 8;
  if (net->family != ip->family)
    return false;
  if (memcmp(net->addr, ip->addr, full) != 0)
    return false;
  if (rest == 0)
    return true;
  unsigned char mask = (unsigned char)(0xFF << (8 - rest));
  return (net->addr[full] & mask) == (ip->addr[full] & mask);
}

static void trim(const char **s, size_t *len)
{
  while (*len > 0 && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*len)--;
  }
  while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
    (*len)--;
}

static int proxy_entry_parse(const char *s, size_t len, struct parity_proxy_net *out)
{
  const char *slash = memchr(s, '/', len);
  size_t addr_len = slash ? (size_t)(slash - s) : len;
  unsigned prefix = 0;
  bool was_mapped;
  int rc;

  rc = parity_ip_parse(s, addr_len, &out->net);
  if (rc)
    return rc;
  /* A mapped address written as IPv6 has its prefix counted over 128 bits: rebase it to 32. */
  was_mapped = out->net.family == AF_INET && memchr(s, ':', addr_len) != NULL;
  if (!slash) {
    out->prefix = ip_bits(&out->net);
    return PARITY_OK;
  }
  size_t digits = len - addr_len - 1;
  /* A prefix is 1 to 3 decimal digits without a leading zero ("/08" is a typo, not /8). */
  if (digits == 0 || digits > 3 || (digits > 1 && slash[1] == '0'))
    return PARITY_EINVAL;
  for (size_t i = 0; i < digits; i++) {
    char c = slash[1 + i];
    if (c < '0' || c > '9')
      return PARITY_EINVAL;
    prefix = prefix * 10 + (unsigned)(c - '0');
  }
  if (was_mapped) {
    if (prefix < 96 || prefix > 128)
      return PARITY_EINVAL;
    prefix -= 96;
  }
  if (prefix > ip_bits(&out->net))
    return PARITY_EINVAL;
  out->prefix = prefix;
  /* Clear host bits so "10.1.2.3/8" means 10.0.0.0/8. */
  for (unsigned bit = prefix; bit < ip_bits(&out->net); bit++)
    out->net.addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
  return PARITY_OK;
}

int parity_trusted_proxies_parse(const char *csv, struct parity_trusted_proxies *out)
{
  const char *p, *end;
  size_t total;

  if (!out)
    return PARITY_EINVAL;
  memset(out, 0, sizeof(*out));
  if (!csv)
    return PARITY_OK;
  total = strnlen(csv, PARITY_TRUSTED_PROXIES_STRLEN_MAX + 1);
  if (total > PARITY_TRUSTED_PROXIES_STRLEN_MAX)
    return PARITY_ETOOBIG;
  p = csv;
  end = csv + total;
  trim(&p, &total);
  if (total == 0)
    return PARITY_OK; /* unset or blank: no trusted proxy */
  for (;;) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *entry = p;
    size_t len = (size_t)((comma ? comma : end) - p);
    trim(&entry, &len);
    /* "a,,b" or a trailing comma is a typo, not "no proxy". */
    if (len == 0)
      return PARITY_EINVAL;
    if (out->count == PARITY_TRUSTED_PROXIES_MAX)
      return PARITY_ETOOBIG;
    if (proxy_entry_parse(entry, len, &out->nets[out->count]) != PARITY_OK)
      return PARITY_EINVAL;
    out->count++;
    if (!comma)
      return PARITY_OK;
    p = comma + 1;
  }
}

bool parity_trusted_proxies_contains(const struct parity_trusted_proxies *tp, const struct parity_ip *ip)
{
  if (!tp || !ip)
    return false;
  for (size_t i = 0; i < tp->count; i++)
    if (prefix_match(&tp->nets[i].net, tp->nets[i].prefix, ip))
      return true;
  return false;
}

int parity_client_ip(const struct sockaddr *peer, const char *xff, const struct parity_trusted_proxies *tp,
                     struct parity_ip *out)
{
  struct parity_ip peer_ip, entry_ip, last_trusted;
  size_t len, entries = 0;
  const char *start, *end;
  bool truncated;
  int rc;

  rc = parity_ip_from_sockaddr(peer, &peer_ip);
  if (rc)
    return rc;
  *out = peer_ip;
  if (!xff || !tp || !parity_trusted_proxies_contains(tp, &peer_ip))
    return PARITY_OK;

  /* Only the right-most PARITY_XFF_MAX_BYTES matter; a cut first entry counts as malformed. */
  len = strlen(xff);
  truncated = len > PARITY_XFF_MAX_BYTES;
  start = truncated ? xff + len - PARITY_XFF_MAX_BYTES : xff;
  end = xff + len;
  for (const char *seg_end = end;;) {
    const char *seg_start = seg_end;
    while (seg_start > start && seg_start[-1] != ',')
      seg_start--;
    const char *entry = seg_start;
    size_t elen = (size_t)(seg_end - seg_start);
    bool cut = truncated && seg_start == start;
    trim(&entry, &elen);
    if (++entries > PARITY_XFF_MAX_ENTRIES || cut || parity_ip_parse(entry, elen, &entry_ip) != PARITY_OK) {
      *out = peer_ip; /* malformed before an untrusted address was found */
      return PARITY_OK;
    }
    if (!parity_trusted_proxies_contains(tp, &entry_ip)) {
      *out = entry_ip;
      return PARITY_OK;
    }
    last_trusted = entry_ip;
    if (seg_start == start)
      break;
    seg_end = seg_start - 1; /* the comma before this entry */
  }
  /* Every hop is a trusted proxy: the left-most one is the best we know. */
  *out = last_trusted;
  return PARITY_OK;
}
