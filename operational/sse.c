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
