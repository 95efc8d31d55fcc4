/* Unit tests of operational/mail.c: RFC 5322 formatting, header injection, .eml files, SMTP via libcurl
 * against a scripted in-process SMTP server (RFC 5321), and the sender queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/errors.h"
#include "operational/mail.h"

#define FROM "Parity <no-reply@parity.local>"
#define SMTP_CAPTURE_MAX 65536

/* ------------------------------------------------------------------ formatting */

static void formats_an_rfc5322_message(void **state)
{
  (void)state;
  char *msg = NULL;
  size_t len = 0;
  /* 1700000000 is Tue, 14 Nov 2023 22:13:20 UTC (Python's email.utils.formatdate agrees). */
  assert_int_equal(
      parity_mail_format_new(FROM, "ann@example.test", "Hello", "line one\nline two\n", 1700000000, &msg, &len),
      PARITY_OK);
  assert_int_equal(strlen(msg), len);
  assert_non_null(strstr(msg, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
  assert_non_null(strstr(msg, "\r\nFrom: " FROM "\r\n"));
  assert_non_null(strstr(msg, "\r\nTo: ann@example.test\r\n"));
  assert_non_null(strstr(msg, "\r\nSubject: Hello\r\n"));
  assert_non_null(strstr(msg, "\r\nMessage-ID: <"));
  assert_non_null(strstr(msg, "@parity.local>\r\n"));
  assert_non_null(strstr(msg, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"));
  /* Headers end with an empty line; the body's LFs became CRLFs; no bare LF anywhere. */
  const char *body = strstr(msg, "\r\n\r\n");
  assert_non_null(body);
  assert_string_equal(body + 4, "line one\r\nline two\r\n");
  for (size_t i = 0; i < len; i++)
    if (msg[i] == '\n')
      assert_true(i > 0 && msg[i - 1] == '\r');
  free(msg);

  /* A body without a final newline gets one; the Message-ID differs between two messages. */
  char *a = NULL, *b = NULL;
  assert_int_equal(parity_mail_format_new(FROM, "a@b.test", "S", "x", 0, &a, &len), PARITY_OK);
  assert_int_equal(parity_mail_format_new(FROM, "a@b.test", "S", "x", 0, &b, &len), PARITY_OK);
  assert_non_null(strstr(a, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
  assert_non_null(strstr(a, "\r\n\r\nx\r\n"));
  assert_string_not_equal(strstr(a, "Message-ID:"), strstr(b, "Message-ID:"));
  free(a);
  free(b);
}

static void refuses_header_injection_and_bad_text(void **state)
{
  (void)state;
  char *msg = NULL;
  size_t len = 0;
  char long_line[PARITY_MAIL_LINE_MAX + 2];
  memset(long_line, 'x', sizeof(long_line) - 1);
  long_line[sizeof(long_line) - 1] = '\0';
  struct {
    const char *to, *subject, *body;
  } bad[] = {
    { "a@b.test", "Hi\r\nBcc: victim@example.test", "x" },
    { "a@b.test\r\nBcc: victim@example.test", "Hi", "x" },
    { "a@b.test\nX: y", "Hi", "x" },
    { "a@b.test", "Hi\tthere", "x" },
    { "a@b.test", "Caf\xc3\xa9", "x" }, /* non-ASCII subjects would need RFC 2047 encoding */
    { "a@b.test", "", "x" },
    { "", "Hi", "x" },
    { "not an address", "Hi", "x" },
    { "a@b.test", "Hi", "bare\rCR" },
    { "a@b.test", "Hi", "bad \xff utf-8" },
    { "a@b.test", "Hi", long_line },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(parity_mail_format_new(FROM, bad[i].to, bad[i].subject, bad[i].body, 0, &msg, &len),
                     PARITY_EINVAL);
    assert_null(msg);
  }
  long_line[PARITY_MAIL_LINE_MAX] = '\0'; /* exactly 998 characters is allowed */
  assert_int_equal(parity_mail_format_new(FROM, "a@b.test", "Hi", long_line, 0, &msg, &len), PARITY_OK);
  free(msg);
  /* A UTF-8 recipient is fine (RFC 6532). */
  assert_int_equal(parity_mail_format_new(FROM, "j\xc3\xb6rg@example.test", "Hi", "x", 0, &msg, &len), PARITY_OK);
  free(msg);
}

static void extracts_the_address_of_a_from_value(void **state)
{
  (void)state;
  char out[PARITY_MAIL_ADDR_MAX + 1];
  assert_int_equal(parity_mail_address("Parity <no-reply@parity.local>", out, sizeof(out)), PARITY_OK);
  assert_string_equal(out, "no-reply@parity.local");
  assert_int_equal(parity_mail_address("ops@example.test", out, sizeof(out)), PARITY_OK);
  assert_string_equal(out, "ops@example.test");
  assert_int_equal(parity_mail_address("Name <broken@x.test", out, sizeof(out)), PARITY_EINVAL);
  assert_int_equal(parity_mail_address("Name <a@b.test> trailing", out, sizeof(out)), PARITY_EINVAL);
  assert_int_equal(parity_mail_address("no at sign", out, sizeof(out)), PARITY_EINVAL);
  assert_int_equal(parity_mail_address("a@b.test", out, 4), PARITY_ETOOBIG);
}

static void knows_the_addresses_it_can_send_to(void **state)
{
  (void)state;
  char longest[PARITY_MAIL_ADDR_MAX + 2];
  memset(longest, 'a', sizeof(longest) - 1);
  longest[sizeof(longest) - 1] = '\0';
  memcpy(longest + PARITY_MAIL_ADDR_MAX + 1 - 7, "@b.test", 7); /* PARITY_MAIL_ADDR_MAX + 1 bytes */
  const char *good[] = { "a@b.test",
                         "jane.doe+tag@example.test",
                         "o'brien@example.test",
                         "j\xc3\xb6rg@example.test",
                         "x!#$%&*/=?^_`{|}~-@example.test",
                         longest + 1 };
  const char *bad[] = {
    NULL,
    "",
    "a@",
    "@b.test",
    "ab",
    "a@b@c.test",
    "no-at.example.test",
    "a@b.test\r\nBcc: victim@example.test",
    "a\tb@example.test",
    "a b@example.test",
    "a\x7f@example.test",
    "<victim@example.test>",
    "a<b@example.test",
    "a>b@example.test",
    "a,victim@example.test",
    "a;b@example.test",
    "a:b@example.test",
    "\"a\"@example.test",
    "a(comment)@example.test",
    "a@[127.0.0.1]",
    "a\\b@example.test",
    "bad\xff@example.test",
    longest,
  };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    assert_true(parity_mail_address_ok(good[i]));
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_false(parity_mail_address_ok(bad[i]));
  /* What it refuses, the formatter refuses as a recipient too. */
  char *msg = NULL;
  size_t len = 0;
  assert_int_equal(parity_mail_format_new(FROM, "a,victim@example.test", "Hi", "x", 0, &msg, &len), PARITY_EINVAL);
  assert_null(msg);
}

/* ------------------------------------------------------------------ files */

static char *temp_dir_new(void)
{
  char *dir = strdup("/tmp/parity-test-mail-XXXXXX");
  assert_non_null(mkdtemp(dir));
  return dir;
}

static int count_files(const char *dir, const char *suffix)
{
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name), s = strlen(suffix);
    if (len > s && strcmp(e->d_name + len - s, suffix) == 0)
      n++;
  }
  closedir(d);
  return n;
}

static void remove_dir(char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[512];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')))
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(dir);
  free(dir);
}

static void writes_a_private_eml_file(void **state)
{
  (void)state;
  char *dir = temp_dir_new(), path[1024];
  struct parity_mail_settings s = { "", FROM, dir };
  const char *message = "Subject: x\r\n\r\nbody\r\n";
  assert_int_equal(parity_mail_deliver(&s, "a@b.test", message, strlen(message), path, sizeof(path)), PARITY_OK);
  assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal((size_t)st.st_size, strlen(message));
  FILE *f = fopen(path, "rb");
  char back[64] = { 0 };
  assert_int_equal(fread(back, 1, sizeof(back) - 1, f), strlen(message));
  fclose(f);
  assert_string_equal(back, message);
  assert_int_equal(count_files(dir, ".eml"), 1);
  assert_int_equal(count_files(dir, ".tmp"), 0);
  /* A directory that is not there is an I/O error, not a crash. */
  struct parity_mail_settings missing = { "", FROM, "/nonexistent/parity/mail" };
  assert_int_equal(parity_mail_deliver(&missing, "a@b.test", message, strlen(message), NULL, 0), PARITY_EIO);
  remove_dir(dir);
}

/* ------------------------------------------------------------------ SMTP */

/* A scripted SMTP server (RFC 5321 §3): one connection, records the envelope and the data. */
struct smtp_server {
  int fd;
  int port;
  bool refuse_rcpt;
  char mail_from[256], rcpt_to[256];
  char data[SMTP_CAPTURE_MAX];
  pthread_t thread;
};

static int read_line(int fd, char *buf, size_t cap)
{
  size_t n = 0;
  while (n + 1 < cap) {
    char c;
    if (recv(fd, &c, 1, 0) != 1)
      return -1;
    buf[n++] = c;
    if (c == '\n')
      break;
  }
  buf[n] = '\0';
  return (int)n;
}

static void say(int fd, const char *line)
{
  assert_int_equal(send(fd, line, strlen(line), MSG_NOSIGNAL), (ssize_t)strlen(line));
}

static void *smtp_serve(void *arg)
{
  struct smtp_server *s = arg;
  int c = accept(s->fd, NULL, NULL);
  char line[2048];
  say(c, "220 test.local ESMTP\r\n");
  while (read_line(c, line, sizeof(line)) > 0) {
    if (strncmp(line, "EHLO", 4) == 0 || strncmp(line, "HELO", 4) == 0) {
      say(c, "250 test.local\r\n");
    } else if (strncmp(line, "MAIL FROM:", 10) == 0) {
      snprintf(s->mail_from, sizeof(s->mail_from), "%.*s", (int)strcspn(line + 10, "\r\n"), line + 10);
      say(c, "250 OK\r\n");
    } else if (strncmp(line, "RCPT TO:", 8) == 0) {
      snprintf(s->rcpt_to, sizeof(s->rcpt_to), "%.*s", (int)strcspn(line + 8, "\r\n"), line + 8);
      say(c, s->refuse_rcpt ? "550 5.1.1 no such user\r\n" : "250 OK\r\n");
    } else if (strncmp(line, "DATA", 4) == 0) {
      say(c, "354 go ahead\r\n");
      size_t used = 0;
      while (read_line(c, line, sizeof(line)) > 0 && strcmp(line, ".\r\n") != 0) {
        /* RFC 5321 §4.5.2: the client doubled every leading dot; take one off. */
        const char *text = line[0] == '.' ? line + 1 : line;
        size_t n = strlen(text);
        if (used + n < sizeof(s->data)) {
          memcpy(s->data + used, text, n + 1);
          used += n;
        }
      }
      say(c, "250 queued\r\n");
    } else if (strncmp(line, "QUIT", 4) == 0) {
      say(c, "221 bye\r\n");
      break;
    } else {
      say(c, "502 not implemented\r\n");
    }
  }
  close(c);
  return NULL;
}

static void smtp_start(struct smtp_server *s, bool refuse_rcpt)
{
  memset(s, 0, sizeof(*s));
  s->refuse_rcpt = refuse_rcpt;
  s->fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t alen = sizeof(addr);
  assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
  assert_int_equal(listen(s->fd, 1), 0);
  assert_int_equal(getsockname(s->fd, (struct sockaddr *)&addr, &alen), 0);
  s->port = ntohs(addr.sin_port);
  assert_int_equal(pthread_create(&s->thread, NULL, smtp_serve, s), 0);
}

static void smtp_stop(struct smtp_server *s)
{
  pthread_join(s->thread, NULL);
  close(s->fd);
}

static void sends_over_smtp_with_the_right_envelope(void **state)
{
  (void)state;
  struct smtp_server server;
  smtp_start(&server, false);
  char url[64];
  snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", server.port);
  struct parity_mail_settings s = { url, FROM, "/nonexistent" };
  char *msg = NULL;
  size_t len = 0;
  /* A line starting with "." must survive the SMTP end-of-data convention. */
  assert_int_equal(parity_mail_format_new(FROM, "ann@example.test", "Hi", "first\n.second with a dot\n", 0, &msg, &len),
                   PARITY_OK);
  char path[64] = "unchanged";
  assert_int_equal(parity_mail_deliver(&s, "ann@example.test", msg, len, path, sizeof(path)), PARITY_OK);
  smtp_stop(&server);
  assert_string_equal(path, ""); /* no file when sent */
  assert_string_equal(server.mail_from, "<no-reply@parity.local>");
  assert_string_equal(server.rcpt_to, "<ann@example.test>");
  assert_string_equal(server.data, msg);
  free(msg);
}

static void a_refused_recipient_is_an_upstream_error(void **state)
{
  (void)state;
  struct smtp_server server;
  smtp_start(&server, true);
  char url[64];
  snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", server.port);
  struct parity_mail_settings s = { url, FROM, "/nonexistent" };
  const char *message = "Subject: x\r\n\r\nbody\r\n";
  assert_int_equal(parity_mail_deliver(&s, "ghost@example.test", message, strlen(message), NULL, 0), PARITY_EUPSTREAM);
  smtp_stop(&server);
  /* Nobody listening at all. */
  struct parity_mail_settings closed = { "smtp://127.0.0.1:1", FROM, "/nonexistent" };
  assert_int_equal(parity_mail_deliver(&closed, "a@b.test", message, strlen(message), NULL, 0), PARITY_EUPSTREAM);
}

/* ------------------------------------------------------------------ the queue */

static void the_queue_delivers_everything_before_stopping(void **state)
{
  (void)state;
  char *dir = temp_dir_new();
  struct parity_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.smtp_url = (char *)"";
  cfg.smtp_from = (char *)FROM;
  cfg.mail_dir = dir;
  struct parity_mail *m = NULL;
  assert_int_equal(parity_mail_start(&cfg, &m), PARITY_OK);
  for (int i = 0; i < 5; i++)
    assert_int_equal(parity_mail_enqueue(m, "test", "a@b.test", "Hello", "body"), PARITY_OK);
  assert_int_equal(parity_mail_enqueue(m, "test", "a@b.test\r\nBcc: x@y.test", "Hello", "body"), PARITY_EINVAL);
  unsigned long sent = 0, dropped = 0;
  for (int waited_ms = 0; waited_ms < 10000 && sent < 5; waited_ms += 10) {
    usleep(10000);
    parity_mail_counts(m, &sent, &dropped);
  }
  assert_int_equal(sent, 5);
  assert_int_equal(dropped, 0);
  /* Queued at stop time is still delivered: stop drains before it returns. */
  for (int i = 0; i < 3; i++)
    assert_int_equal(parity_mail_enqueue(m, "test", "a@b.test", "Hello", "body"), PARITY_OK);
  parity_mail_stop(m);
  assert_int_equal(count_files(dir, ".eml"), 8);
  remove_dir(dir);

  /* A bad SMTP_FROM stops the daemon at start. */
  cfg.smtp_from = (char *)"nobody";
  assert_int_equal(parity_mail_start(&cfg, &m), PARITY_EINVAL);
  assert_null(m);
}

int main(void)
{
  if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(formats_an_rfc5322_message),
    cmocka_unit_test(refuses_header_injection_and_bad_text),
    cmocka_unit_test(extracts_the_address_of_a_from_value),
    cmocka_unit_test(knows_the_addresses_it_can_send_to),
    cmocka_unit_test(writes_a_private_eml_file),
    cmocka_unit_test(sends_over_smtp_with_the_right_envelope),
    cmocka_unit_test(a_refused_recipient_is_an_upstream_error),
    cmocka_unit_test(the_queue_delivers_everything_before_stopping),
  };
  int failures = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failures;
}
