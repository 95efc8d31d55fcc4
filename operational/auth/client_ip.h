/* The client IP: the socket peer, or X-Forwarded-For when the peer is a trusted proxy. */
#ifndef PARITY_AUTH_CLIENT_IP_H
#define PARITY_AUTH_CLIENT_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Room for any address in text form with its NUL (INET6_ADDRSTRLEN). */
#define PARITY_IP_STRLEN 46
/* Most entries in TRUSTED_PROXIES, and the longest TRUSTED_PROXIES value. */
#define PARITY_TRUSTED_PROXIES_MAX 32
#define PARITY_TRUSTED_PROXIES_STRLEN_MAX 4096
/* Only the last this-many bytes and entries of X-Forwarded-For are examined (right to left). */
#define PARITY_XFF_MAX_BYTES 4096
#define PARITY_XFF_MAX_ENTRIES 32

/* An IPv4 (addr[0..4)) or IPv6 address. IPv4-mapped IPv6 (::ffff:a.b.c.d) is stored as IPv4. */
struct parity_ip {
  int family; /* AF_INET or AF_INET6 */
  unsigned char addr[16];
};

/* One TRUSTED_PROXIES entry: an address, or a network with its prefix length. */
struct parity_proxy_net {
  struct parity_ip net;
  unsigned prefix;
};

struct parity_trusted_proxies {
  size_t count;
  struct parity_proxy_net nets[PARITY_TRUSTED_PROXIES_MAX];
};

/* Parses the text address s[0..len) (dotted quad or RFC 4291 text). PARITY_OK or PARITY_EINVAL. */
int parity_ip_parse(const char *s, size_t len, struct parity_ip *out);
/* From a socket address (AF_INET or AF_INET6). PARITY_OK or PARITY_EINVAL (other families). */
int parity_ip_from_sockaddr(const struct sockaddr *sa, struct parity_ip *out);
/* Text form ("192.0.2.1", "2001:db8::1"). PARITY_OK or PARITY_EINVAL. */
int parity_ip_format(const struct parity_ip *ip, char out[PARITY_IP_STRLEN]);
bool parity_ip_equal(const struct parity_ip *a, const struct parity_ip *b);

/*
 * Parses TRUSTED_PROXIES: comma-separated addresses or CIDR networks, IPv4 or IPv6 ("10.42.0.0/16",
 * "fd00::/8", "192.0.2.7" = /32, "::1" = /128; "/0" trusts every address of that family), spaces around
 * entries ignored, empty string = no trusted proxy. Host bits under the prefix are cleared. A prefix
 * is 0..32 or 0..128 in decimal without a leading zero. Any bad entry makes the whole value invalid
 * (the daemon refuses to start).
 * Returns PARITY_OK, PARITY_EINVAL or PARITY_ETOOBIG (over the count or length limits).
 */
int parity_trusted_proxies_parse(const char *csv, struct parity_trusted_proxies *out);
bool parity_trusted_proxies_contains(const struct parity_trusted_proxies *tp, const struct parity_ip *ip);

/*
 * The client address of a request. When the peer is not a trusted proxy, or there is no
 * X-Forwarded-For, it is the peer. Otherwise X-Forwarded-For is read right to left (each proxy
 * appends the address it saw) and the first address that is not a trusted proxy is the client;
 * if every address is trusted, the left-most one. Entries left of the answer are never looked
 * at, so a client's own forged prefix cannot matter. A malformed entry reached before the
 * answer (not an IP, empty, a port, too many entries) means the chain cannot be trusted: the
 * peer is used. `xff` must be all X-Forwarded-For header lines joined with "," in the order
 * received (RFC 9110 §5.3), or NULL. Returns PARITY_OK or PARITY_EINVAL (peer not IPv4/IPv6).
 */
int parity_client_ip(const struct sockaddr *peer, const char *xff, const struct parity_trusted_proxies *tp,
                     struct parity_ip *out);

#endif
