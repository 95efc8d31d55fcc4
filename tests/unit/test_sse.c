/* Server-Sent Events: the framing operational writes and the parser the CLI reads it with (the text/event-stream
 * rules of the HTML standard, §9.2.6 "Interpreting an event stream"), each against hand-written frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/errors.h"
#include "operational/sse.h"

static void an_event_is_id_name_data_lines_and_a_blank_line(void **state)
{
  (void)state;
  struct parity_buf b;
  parity_buf_init(&b, PARITY_BUF_UNBOUNDED);
  assert_int_equal(parity_sse_event(&b, "7", "progress", "{\"done\":1}"), PARITY_OK);
  assert_string_equal(b.data, "id: 7\nevent: progress\ndata: {\"done\":1}\n\n");
  parity_buf_clear(&b);
  /* Each line terminator of the data (LF, CRLF, CR) starts a data line of its own: none can end the event. */
  assert_int_equal(parity_sse_event(&b, NULL, NULL, "a\nb\r\nc\rd"), PARITY_OK);
  assert_string_equal(b.data, "data: a\ndata: b\ndata: c\ndata: d\n\n");
  parity_buf_clear(&b);
  assert_int_equal(parity_sse_event(&b, NULL, "end", ""), PARITY_OK);
  assert_string_equal(b.data, "event: end\ndata: \n\n");
  parity_buf_clear(&b);
  /* An id or name on two lines would smuggle a field: refused, nothing written. */
  assert_int_equal(parity_sse_event(&b, "1\ndata: x", NULL, "y"), PARITY_EINVAL);
  assert_int_equal(parity_sse_event(&b, NULL, "a\rb", "y"), PARITY_EINVAL);
  assert_int_equal(b.len, 0);
  assert_int_equal(parity_sse_comment(&b, "heartbeat"), PARITY_OK);
  assert_string_equal(b.data, ": heartbeat\n\n");
  parity_buf_free(&b);
}

struct seen {
  int n;
  char names[8][64];
  char data[8][256];
  int stop_after;
};

static int record(const char *name, const char *data, void *cls)
{
  struct seen *s = cls;
  snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
  snprintf(s->data[s->n], sizeof(s->data[0]), "%s", data);
  s->n++;
  return s->stop_after && s->n == s->stop_after ? 1 : 0;
}

static void the_parser_reads_events_split_anywhere(void **state)
{
  (void)state;
  const char *stream = ": heartbeat\n\nid: 1\nevent: progress\ndata: {\"a\":\n"
                       "data: 1}\n\r\nevent: end\r\ndata:x\r\rdata: plain\n\n";
  /* Fed one byte at a time (CR and LF of one CRLF in different reads) and whole: the same three events. */
  for (int whole = 0; whole < 2; whole++) {
    struct seen s = { 0 };
    struct parity_sse_parser p;
    parity_sse_parser_init(&p, record, &s);
    if (whole)
      assert_int_equal(parity_sse_parser_feed(&p, stream, strlen(stream)), 0);
    else
      for (size_t i = 0; stream[i]; i++)
        assert_int_equal(parity_sse_parser_feed(&p, stream + i, 1), 0);
    parity_sse_parser_free(&p);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.names[0], "progress");
    assert_string_equal(s.data[0], "{\"a\":\n1}");
    assert_string_equal(s.names[1], "end");
    assert_string_equal(s.data[1], "x"); /* "data:x": no space to strip */
    assert_string_equal(s.names[2], "message");
    assert_string_equal(s.data[2], "plain");
  }
}

static void what_the_writer_frames_the_parser_reads_back(void **state)
{
  (void)state;
  struct parity_buf b;
  parity_buf_init(&b, PARITY_BUF_UNBOUNDED);
  parity_sse_event(&b, "3", "progress", "line one\nline two");
  parity_sse_comment(&b, "heartbeat");
  parity_sse_event(&b, "4", "end", "{\"status\":\"succeeded\"}");
  struct seen s = { .stop_after = 0 };
  struct parity_sse_parser p;
  parity_sse_parser_init(&p, record, &s);
  assert_int_equal(parity_sse_parser_feed(&p, b.data, b.len), 0);
  parity_sse_parser_free(&p);
  parity_buf_free(&b);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.data[0], "line one\nline two");
  assert_string_equal(s.names[1], "end");
  assert_string_equal(s.data[1], "{\"status\":\"succeeded\"}");
}

static void the_callback_stops_the_stream_and_long_lines_are_refused(void **state)
{
  (void)state;
  struct seen s = { .stop_after = 1 };
  struct parity_sse_parser p;
  parity_sse_parser_init(&p, record, &s);
  const char *two = "data: a\n\ndata: b\n\n";
  assert_int_equal(parity_sse_parser_feed(&p, two, strlen(two)), 1);
  assert_int_equal(s.n, 1);
  parity_sse_parser_free(&p);

  parity_sse_parser_init(&p, record, &s);
  char *line = malloc(PARITY_SSE_LINE_MAX + 2);
  memset(line, 'x', PARITY_SSE_LINE_MAX + 1);
  line[PARITY_SSE_LINE_MAX + 1] = '\0';
  assert_int_equal(parity_sse_parser_feed(&p, line, PARITY_SSE_LINE_MAX), 0); /* exactly the limit */
  assert_int_equal(parity_sse_parser_feed(&p, "x", 1), PARITY_ETOOBIG);
  free(line);
  parity_sse_parser_free(&p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(an_event_is_id_name_data_lines_and_a_blank_line),
    cmocka_unit_test(the_parser_reads_events_split_anywhere),
    cmocka_unit_test(what_the_writer_frames_the_parser_reads_back),
    cmocka_unit_test(the_callback_stops_the_stream_and_long_lines_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
