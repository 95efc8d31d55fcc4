/* libFuzzer target: AMQP message bodies through the envelope and payload validation of every type. */
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "common/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int quiet;
  if (!quiet++)
    parity_log_init("fuzz", "error");
  struct parity_message msg;
  char err[256];
  if (parity_message_parse((const char *)data, size, &msg, err, sizeof(err)) == 0) {
    /* A message that passed must name a known type, an id and a payload object. */
    if (!parity_msg_type_name(msg.type) || !msg.id || !msg.payload)
      __builtin_trap();
    parity_message_free(&msg);
  }
  return 0;
}
