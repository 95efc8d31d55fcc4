/* Server-Sent Events framing (sse.h). */
#include "operational/sse.h"

#include <stdbool.h>
#include <string.h>

#include "common/errors.h"

static bool single_line(const char *s)
{
  return !s || strpbrk(s, "\r\n") == NULL;
}

static void add_str(struct parity_buf *out, const char *s)
{
  parity_buf_add(out, s, strlen(s));
}

int parity_sse_event(struct parity_buf *out, const char *id, const char *name, const char *data)
{
  if (!single_line(id) || !single_line(name))
    return PARITY_EINVAL;
  if (id) {
    add_str(out, "id: ");
    add_str(out, id);
    add_str(out, "\n");
  }
  if (name) {
    add_str(out, "event: ");
    add_str(out, name);
    add_str(out, "\n");
  }
  const char *p = data ? data : "";
  for (;;) {
    size_t n = strcspn(p, "\r\n");
    add_str(out, "data: ");
    parity_buf_add(out, p, n);
    add_str(out, "\n");
    p += n;
    if (!*p)
      break;
    p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
  }
  add_str(out, "\n");
  return PARITY_OK;
}

int parity_sse_comment(struct parity_buf *out, const char *text)
{
  if (!single_line(text))
    return PARITY_EINVAL;
  add_str(out, ": ");
  add_str(out, text);
  add_str(out, "\n\n");
  return PARITY_OK;
}

void parity_sse_parser_init(struct parity_sse_parser *p, parity_sse_on_event on_event, void *cls)
{
  memset(p, 0, sizeof(*p));
  parity_buf_init(&p->line, PARITY_SSE_LINE_MAX);
  parity_buf_init(&p->data, PARITY_BUF_UNBOUNDED);
  p->on_event = on_event;
  p->cls = cls;
}

void parity_sse_parser_free(struct parity_sse_parser *p)
{
  parity_buf_free(&p->line);
  parity_buf_free(&p->data);
}

/* One complete line (no terminator): a field, a comment, or the blank line that dispatches. */
static int parse_line(struct parity_sse_parser *p, const char *line, size_t n)
{
  if (n == 0) {
    int rc = 0;
    if (p->has_data)
      rc = p->on_event(p->name[0] ? p->name : "message", p->data.data ? p->data.data : "", p->cls);
    parity_buf_clear(&p->data);
    p->name[0] = '\0';
    p->has_data = false;
    return rc;
  }
  if (line[0] == ':')
    return 0; /* a comment: a heartbeat */
  const char *colon = memchr(line, ':', n);
  size_t field = colon ? (size_t)(colon - line) : n;
  const char *value = colon ? colon + 1 : line + n;
  size_t vlen = n - (colon ? field + 1 : n);
  if (vlen && *value == ' ') {
    value++;
    vlen--;
  }
  if (field == 4 && memcmp(line, "data", 4) == 0) {
    if (p->has_data)
      parity_buf_add(&p->data, "\n", 1);
    parity_buf_add(&p->data, value, vlen);
    p->has_data = true;
  } else if (field == 5 && memcmp(line, "event", 5) == 0) {
    size_t k = vlen < sizeof(p->name) - 1 ? vlen : sizeof(p->name) - 1;
    memcpy(p->name, value, k);
    p->name[k] = '\0';
  }
  return 0; /* id, retry and unknown fields: nothing this reader needs */
}

int parity_sse_parser_feed(struct parity_sse_parser *p, const char *bytes, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    char c = bytes[i];
    bool after_cr = p->last_cr;
    p->last_cr = c == '\r';
    if (c != '\n' && c != '\r') {
      if (parity_buf_add(&p->line, &c, 1))
        return PARITY_ETOOBIG;
      continue;
    }
    /* CRLF is one terminator: the LF after a CR ends nothing (the CR ended the line already), also when
     * the two arrive in different reads. */
    if (c == '\n' && after_cr)
      continue;
    int rc = parse_line(p, p->line.data ? p->line.data : "", p->line.len);
    parity_buf_clear(&p->line);
    if (rc)
      return rc;
  }
  return 0;
}
