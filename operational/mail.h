/* Outgoing email: RFC 5322 messages, sent over SMTP (libcurl) or written as .eml files, from a queue. */
#ifndef PARITY_MAIL_H
#define PARITY_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct parity_config;

/* Messages waiting at most; a full queue refuses new ones (the caller logs, the user asks again). */
#define PARITY_MAIL_QUEUE_MAX 256
/* Longest recipient address, subject and body accepted (our messages are far smaller). */
#define PARITY_MAIL_ADDR_MAX 320
#define PARITY_MAIL_SUBJECT_MAX 200
#define PARITY_MAIL_BODY_MAX 16384
/* RFC 5322 §2.1.1: a line is at most 998 characters without its CRLF. */
#define PARITY_MAIL_LINE_MAX 998
/* SMTP: time to connect, and for the whole exchange of one message. */
#define PARITY_MAIL_CONNECT_TIMEOUT_MS 10000
#define PARITY_MAIL_SMTP_TIMEOUT_MS 30000
/* Deliveries of one message before it is dropped (logged), and the pause between them. */
#define PARITY_MAIL_ATTEMPTS 3
#define PARITY_MAIL_RETRY_SECONDS 2
/* At shutdown the queue is drained for at most this long. */
#define PARITY_MAIL_DRAIN_SECONDS 10

/* Where messages go: SMTP when smtp_url is not empty, otherwise .eml files in dir. Borrowed strings. */
struct parity_mail_settings {
  const char *smtp_url; /* smtp://host:port or smtps://user:pass@host:port; "" = files */
  const char *from;     /* "Parity <no-reply@parity.local>" or a bare address */
  const char *dir;      /* MAIL_DIR */
};

struct parity_mail;

/*
 * Starts the sender thread with the settings of cfg (SMTP_URL, SMTP_FROM, MAIL_DIR; borrowed: cfg
 * must outlive the queue). Creates MAIL_DIR when mail goes to files. *out is owned by the caller:
 * parity_mail_stop(). Returns PARITY_OK, PARITY_EINVAL (SMTP_FROM without an address, or
 * MAIL_DIR unusable) or PARITY_EINTERNAL.
 */
int parity_mail_start(const struct parity_config *cfg, struct parity_mail **out);

/* Delivers what is queued (for at most PARITY_MAIL_DRAIN_SECONDS), stops the thread, frees m. */
void parity_mail_stop(struct parity_mail *m);

/*
 * Queues one plain-text message (copies every argument). `kind` is a short label for logs
 * ("verify_email", ...): logs never hold the body, which may carry a token. Returns PARITY_OK,
 * PARITY_EINVAL (a header would break: CR, LF or other control characters, over a limit) or
 * PARITY_EUNAVAILABLE (queue full, or stopping).
 */
int parity_mail_enqueue(struct parity_mail *m, const char *kind, const char *to, const char *subject, const char *body);

/* Messages delivered and dropped since start (tests and logs). */
void parity_mail_counts(struct parity_mail *m, unsigned long *sent, unsigned long *dropped);

/*
 * Builds an RFC 5322 message: Date (at `now`), From, To, Subject, Message-ID, MIME-Version,
 * Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding 8bit, Auto-Submitted, then
 * the body with every line ending in CRLF. *out (NUL-terminated, *len bytes) is the caller's to
 * free(). Returns PARITY_OK or PARITY_EINVAL (control characters in a header field, a body
 * line over PARITY_MAIL_LINE_MAX, invalid UTF-8, over a limit).
 */
int parity_mail_format_new(const char *from, const char *to, const char *subject, const char *body, time_t now,
                           char **out, size_t *len);

/*
 * Whether addr is a bare address this mailer sends to: 3..PARITY_MAIL_ADDR_MAX bytes of UTF-8 with
 * exactly one '@' (not first, not last), and no control character, space or any of <>()[]\,;:"
 * (they would end the SMTP path, or turn the To header into a comment, a group or a list).
 * Registration refuses the addresses this refuses: their mail could never be delivered.
 */
bool parity_mail_address_ok(const char *addr);

/*
 * The address inside a From or To value ("Name <a@b>" -> "a@b", "a@b" -> "a@b") into out; it must
 * pass parity_mail_address_ok(). Returns PARITY_OK, PARITY_EINVAL or PARITY_ETOOBIG.
 */
int parity_mail_address(const char *from, char *out, size_t cap);

/*
 * Delivers one formatted message now, in the calling thread: over SMTP when settings->smtp_url
 * is set, else as a new file "<UTC time>-<random>.eml" (mode 0600, written then renamed, so a
 * reader never sees half a message) in settings->dir. The file's path goes to path_out when not
 * NULL. Returns PARITY_OK, PARITY_EIO (file) or PARITY_EUPSTREAM (SMTP refused or unreachable).
 */
int parity_mail_deliver(const struct parity_mail_settings *settings, const char *to, const char *message, size_t len,
                        char *path_out, size_t path_cap);

#endif
