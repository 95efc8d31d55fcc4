/* Outgoing email: formats RFC 5322 messages and delivers them from one sender thread (SMTP or .eml). */
#include "operational/mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/auth/utf8.h"

/* Random bytes in a Message-ID and in an .eml file name (hex doubles them). */
#define MAIL_ID_BYTES 12
/* Longest path of an .eml file we build. */
#define MAIL_PATH_MAX 4096
#define MAIL_KIND_MAX 32

struct mail_item {
  char kind[MAIL_KIND_MAX];
  char *to;
  char *message;
  size_t len;
};

struct parity_mail {
  struct parity_mail_settings settings;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  struct mail_item items[PARITY_MAIL_QUEUE_MAX];
  size_t head, count;
  bool stopping;
  time_t drain_deadline;
  atomic_ulong sent, dropped;
};

/* ------------------------------------------------------------------ formatting */

static bool header_text_ok(const char *s, size_t max, bool ascii_only)
{
  size_t n = strnlen(s, max + 1);
  if (n == 0 || n > max || parity_utf8_validate(s, n, NULL) != PARITY_OK)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    /* CR or LF would start a new header (injection); other controls have no place in a header. */
    if (c < 0x20 || c == 0x7f || (ascii_only && c >= 0x80))
      return false;
  }
  return true;
}

/*
 * Characters that mean more than "part of the address" in a To header or an SMTP path: they would end
 * the <path>, open a comment, a group, a domain literal or a quoted string, or list a second recipient.
 */
#define MAIL_ADDRESS_SPECIALS "<>()[]\\,;:\""

bool parity_mail_address_ok(const char *addr)
{
  if (!addr)
    return false;
  size_t n = strnlen(addr, PARITY_MAIL_ADDR_MAX + 1);
  if (n < 3 || n > PARITY_MAIL_ADDR_MAX || parity_utf8_validate(addr, n, NULL) != PARITY_OK)
    return false;
  const char *at = strchr(addr, '@');
  if (!at || at == addr || at[1] == '\0' || strchr(at + 1, '@'))
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)addr[i];
    if (c <= ' ' || c == 0x7f || (c < 0x80 && strchr(MAIL_ADDRESS_SPECIALS, c)))
      return false;
  }
  return true;
}

int parity_mail_address(const char *from, char *out, size_t cap)
{
  if (!from || !out || cap == 0)
    return PARITY_EINVAL;
  const char *start = from, *end = from + strlen(from);
  const char *lt = strrchr(from, '<');
  if (lt) {
    const char *gt = strchr(lt, '>');
    if (!gt || gt[1] != '\0')
      return PARITY_EINVAL;
    start = lt + 1;
    end = gt;
  }
  size_t n = (size_t)(end - start);
  if (n > PARITY_MAIL_ADDR_MAX)
    return PARITY_EINVAL;
  if (n + 1 > cap)
    return PARITY_ETOOBIG;
  memcpy(out, start, n);
  out[n] = '\0';
  if (!parity_mail_address_ok(out)) {
    out[0] = '\0';
    return PARITY_EINVAL;
  }
  return PARITY_OK;
}

static void random_hex(char *out, size_t bytes)
{
  unsigned char raw[MAIL_ID_BYTES];
  if (bytes > sizeof(raw))
    bytes = sizeof(raw);
  randombytes_buf(raw, bytes);
  sodium_bin2hex(out, bytes * 2 + 1, raw, bytes);
}

/* RFC 5322 §3.3 date-time, always in UTC and with English names whatever the locale. */
static void rfc5322_date(time_t now, char out[40])
{
  static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  struct tm tm;
  gmtime_r(&now, &tm);
  snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Body lines end in CRLF on the wire (RFC 5322 §2.1); a bare CR is refused rather than guessed at. */
static int write_body(FILE *f, const char *body)
{
  size_t line = 0;
  for (const char *p = body; *p; p++) {
    if (*p == '\r')
      return PARITY_EINVAL;
    if (*p == '\n') {
      fputs("\r\n", f);
      line = 0;
      continue;
    }
    if (++line > PARITY_MAIL_LINE_MAX)
      return PARITY_EINVAL;
    fputc(*p, f);
  }
  if (line > 0)
    fputs("\r\n", f);
  return PARITY_OK;
}

int parity_mail_format_new(const char *from, const char *to, const char *subject, const char *body, time_t now,
                           char **out, size_t *len)
{
  char from_addr[PARITY_MAIL_ADDR_MAX + 1];
  *out = NULL;
  *len = 0;
  if (!from || !to || !subject || !body)
    return PARITY_EINVAL;
  size_t body_len = strnlen(body, PARITY_MAIL_BODY_MAX + 1);
  if (!header_text_ok(from, PARITY_MAIL_ADDR_MAX, false) || !header_text_ok(to, PARITY_MAIL_ADDR_MAX, false) ||
      !header_text_ok(subject, PARITY_MAIL_SUBJECT_MAX, true) || body_len > PARITY_MAIL_BODY_MAX ||
      parity_utf8_validate(body, body_len, NULL) != PARITY_OK)
    return PARITY_EINVAL;
  int rc = parity_mail_address(from, from_addr, sizeof(from_addr));
  if (rc)
    return PARITY_EINVAL;
  char to_addr[PARITY_MAIL_ADDR_MAX + 1];
  if (parity_mail_address(to, to_addr, sizeof(to_addr)) != PARITY_OK)
    return PARITY_EINVAL;

  char date[40], id[MAIL_ID_BYTES * 2 + 1];
  rfc5322_date(now, date);
  random_hex(id, MAIL_ID_BYTES);
  char *text = NULL;
  size_t text_len = 0;
  FILE *f = open_memstream(&text, &text_len);
  if (!f)
    abort();
  fprintf(f, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@%s>\r\n", date, from, to, subject, id,
          strchr(from_addr, '@') + 1);
  fputs("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n",
        f);
  rc = write_body(f, body);
  if (fclose(f) != 0)
    abort();
  if (rc) {
    free(text);
    return rc;
  }
  *out = text;
  *len = text_len;
  return PARITY_OK;
}

/* ------------------------------------------------------------------ delivery */

static int write_eml(const char *dir, const char *message, size_t len, char *path_out, size_t path_cap)
{
  char stamp[32], id[MAIL_ID_BYTES * 2 + 1], path[MAIL_PATH_MAX], tmp[MAIL_PATH_MAX];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  random_hex(id, 8);
  int n1 = snprintf(path, sizeof(path), "%s/%s-%s.eml", dir, stamp, id);
  int n2 = snprintf(tmp, sizeof(tmp), "%s/.%s-%s.tmp", dir, stamp, id);
  if (n1 < 0 || (size_t)n1 >= sizeof(path) || n2 < 0 || (size_t)n2 >= sizeof(tmp))
    return PARITY_EIO;
  /* Messages may carry a token: only the daemon's user may read them. */
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return PARITY_EIO;
  int rc = PARITY_OK;
  for (size_t done = 0; done < len;) {
    ssize_t w = write(fd, message + done, len - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      rc = PARITY_EIO;
      break;
    }
    done += (size_t)w;
  }
  if (close(fd) != 0)
    rc = PARITY_EIO;
  if (!rc && rename(tmp, path) != 0)
    rc = PARITY_EIO;
  if (rc) {
    unlink(tmp);
    return rc;
  }
  if (path_out)
    snprintf(path_out, path_cap, "%s", path);
  return PARITY_OK;
}

struct upload {
  const char *data;
  size_t len, pos;
};

static size_t upload_read(char *buf, size_t size, size_t nitems, void *userdata)
{
  struct upload *u = userdata;
  size_t room = size * nitems, left = u->len - u->pos;
  size_t n = left < room ? left : room;
  memcpy(buf, u->data + u->pos, n);
  u->pos += n;
  return n;
}

/* Credentials in the URL must never cross the network in clear: then TLS is required, not tried. */
static bool url_has_credentials(const char *url)
{
  const char *authority = strstr(url, "://");
  if (!authority)
    return false;
  authority += 3;
  size_t n = strcspn(authority, "/?#");
  return memchr(authority, '@', n) != NULL;
}

static int send_smtp(const struct parity_mail_settings *s, const char *to, const char *message, size_t len)
{
  char from_addr[PARITY_MAIL_ADDR_MAX + 3], to_addr[PARITY_MAIL_ADDR_MAX + 3], bare[PARITY_MAIL_ADDR_MAX + 1];
  if (parity_mail_address(s->from, bare, sizeof(bare)) != PARITY_OK)
    return PARITY_EINVAL;
  snprintf(from_addr, sizeof(from_addr), "<%s>", bare);
  if (parity_mail_address(to, bare, sizeof(bare)) != PARITY_OK)
    return PARITY_EINVAL;
  snprintf(to_addr, sizeof(to_addr), "<%s>", bare);

  int rc = PARITY_EUPSTREAM;
  struct upload up = { message, len, 0 };
  struct curl_slist *rcpt = curl_slist_append(NULL, to_addr);
  CURL *c = curl_easy_init();
  if (!c || !rcpt)
    abort();
  curl_easy_setopt(c, CURLOPT_URL, s->smtp_url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(url_has_credentials(s->smtp_url) ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_addr);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
  curl_easy_setopt(c, CURLOPT_READDATA, &up);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)PARITY_MAIL_CONNECT_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)PARITY_MAIL_SMTP_TIMEOUT_MS);
  CURLcode cc = curl_easy_perform(c);
  if (cc == CURLE_OK)
    rc = PARITY_OK;
  else
    parity_log(PARITY_LOG_WARN, "mail_smtp_failed", "{s:s}", "error", curl_easy_strerror(cc));
  curl_easy_cleanup(c);
  curl_slist_free_all(rcpt);
  return rc;
}

int parity_mail_deliver(const struct parity_mail_settings *settings, const char *to, const char *message, size_t len,
                        char *path_out, size_t path_cap)
{
  if (path_out && path_cap)
    path_out[0] = '\0';
  if (settings->smtp_url && settings->smtp_url[0])
    return send_smtp(settings, to, message, len);
  return write_eml(settings->dir, message, len, path_out, path_cap);
}

/* ------------------------------------------------------------------ the queue and its thread */

static void item_free(struct mail_item *it)
{
  free(it->to);
  free(it->message);
  memset(it, 0, sizeof(*it));
}

static void deliver_item(struct parity_mail *m, struct mail_item *it)
{
  char path[MAIL_PATH_MAX];
  int rc = PARITY_EIO;
  for (int attempt = 1; attempt <= PARITY_MAIL_ATTEMPTS; attempt++) {
    rc = parity_mail_deliver(&m->settings, it->to, it->message, it->len, path, sizeof(path));
    if (rc == PARITY_OK || rc == PARITY_EINVAL)
      break;
    pthread_mutex_lock(&m->lock);
    bool stopping = m->stopping;
    pthread_mutex_unlock(&m->lock);
    if (stopping || attempt == PARITY_MAIL_ATTEMPTS)
      break;
    sleep(PARITY_MAIL_RETRY_SECONDS);
  }
  if (rc == PARITY_OK) {
    atomic_fetch_add(&m->sent, 1);
    /* Never the body: it may hold a single-use token. */
    parity_log(PARITY_LOG_INFO, path[0] ? "mail_written" : "mail_sent", "{s:s, s:s, s:s?}", "kind", it->kind, "to",
               it->to, "file", path[0] ? path : NULL);
  } else {
    atomic_fetch_add(&m->dropped, 1);
    parity_log(PARITY_LOG_ERROR, "mail_dropped", "{s:s, s:s, s:s}", "kind", it->kind, "to", it->to, "error",
               parity_err_str(rc));
  }
}

static void *mail_thread(void *arg)
{
  struct parity_mail *m = arg;
  pthread_mutex_lock(&m->lock);
  for (;;) {
    while (m->count == 0 && !m->stopping)
      pthread_cond_wait(&m->wake, &m->lock);
    if (m->count == 0)
      break;
    struct mail_item it = m->items[m->head];
    memset(&m->items[m->head], 0, sizeof(m->items[m->head]));
    m->head = (m->head + 1) % PARITY_MAIL_QUEUE_MAX;
    m->count--;
    bool late = m->stopping && time(NULL) > m->drain_deadline;
    pthread_mutex_unlock(&m->lock);
    if (late) {
      atomic_fetch_add(&m->dropped, 1);
      parity_log(PARITY_LOG_ERROR, "mail_dropped", "{s:s, s:s, s:s}", "kind", it.kind, "to", it.to, "error",
                 "shutdown drain deadline passed");
    } else {
      deliver_item(m, &it);
    }
    item_free(&it);
    pthread_mutex_lock(&m->lock);
  }
  pthread_mutex_unlock(&m->lock);
  return NULL;
}

int parity_mail_start(const struct parity_config *cfg, struct parity_mail **out)
{
  char addr[PARITY_MAIL_ADDR_MAX + 1];
  *out = NULL;
  if (sodium_init() < 0)
    return PARITY_EINTERNAL;
  if (parity_mail_address(cfg->smtp_from, addr, sizeof(addr)) != PARITY_OK) {
    parity_log(PARITY_LOG_ERROR, "mail_bad_from", "{s:s}", "smtp_from", cfg->smtp_from);
    return PARITY_EINVAL;
  }
  bool files = !cfg->smtp_url || !cfg->smtp_url[0];
  if (files) {
    if (!cfg->mail_dir || !cfg->mail_dir[0] || (mkdir(cfg->mail_dir, 0700) != 0 && errno != EEXIST) ||
        access(cfg->mail_dir, W_OK) != 0) {
      parity_log(PARITY_LOG_ERROR, "mail_dir_unusable", "{s:s}", "dir", cfg->mail_dir ? cfg->mail_dir : "");
      return PARITY_EINVAL;
    }
  } else if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return PARITY_EINTERNAL;
  }
  struct parity_mail *m = parity_xcalloc(1, sizeof(*m));
  m->settings = (struct parity_mail_settings){ cfg->smtp_url ? cfg->smtp_url : "", cfg->smtp_from, cfg->mail_dir };
  pthread_mutex_init(&m->lock, NULL);
  pthread_cond_init(&m->wake, NULL);
  if (pthread_create(&m->thread, NULL, mail_thread, m) != 0) {
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    free(m);
    return PARITY_EINTERNAL;
  }
  parity_log(PARITY_LOG_INFO, "mail_ready", "{s:s, s:s?}", "transport", files ? "files" : "smtp", "dir",
             files ? cfg->mail_dir : NULL);
  *out = m;
  return PARITY_OK;
}

void parity_mail_stop(struct parity_mail *m)
{
  if (!m)
    return;
  pthread_mutex_lock(&m->lock);
  m->stopping = true;
  m->drain_deadline = time(NULL) + PARITY_MAIL_DRAIN_SECONDS;
  pthread_cond_broadcast(&m->wake);
  pthread_mutex_unlock(&m->lock);
  pthread_join(m->thread, NULL);
  for (size_t i = 0; i < PARITY_MAIL_QUEUE_MAX; i++)
    item_free(&m->items[i]);
  if (m->settings.smtp_url[0])
    curl_global_cleanup();
  pthread_cond_destroy(&m->wake);
  pthread_mutex_destroy(&m->lock);
  free(m);
}

int parity_mail_enqueue(struct parity_mail *m, const char *kind, const char *to, const char *subject, const char *body)
{
  char *message = NULL;
  size_t len = 0;
  int rc = parity_mail_format_new(m->settings.from, to, subject, body, time(NULL), &message, &len);
  if (rc)
    return rc;
  char *to_copy = parity_xstrdup(to);
  pthread_mutex_lock(&m->lock);
  if (m->stopping || m->count == PARITY_MAIL_QUEUE_MAX) {
    pthread_mutex_unlock(&m->lock);
    free(message);
    free(to_copy);
    atomic_fetch_add(&m->dropped, 1);
    parity_log(PARITY_LOG_ERROR, "mail_queue_full", "{s:s}", "kind", kind);
    return PARITY_EUNAVAILABLE;
  }
  struct mail_item *it = &m->items[(m->head + m->count) % PARITY_MAIL_QUEUE_MAX];
  snprintf(it->kind, sizeof(it->kind), "%s", kind);
  it->to = to_copy;
  it->message = message;
  it->len = len;
  m->count++;
  pthread_cond_signal(&m->wake);
  pthread_mutex_unlock(&m->lock);
  return PARITY_OK;
}

void parity_mail_counts(struct parity_mail *m, unsigned long *sent, unsigned long *dropped)
{
  *sent = atomic_load(&m->sent);
  *dropped = atomic_load(&m->dropped);
}
