/*
 * A read-mostly value shared by threads: readers take a counted reference to the current snapshot (a
 * mutex held for a pointer copy and an increment), a writer publishes a new one and the replaced one is
 * freed when its last reader lets go. A snapshot is never changed once published.
 */
#ifndef PARITY_SNAPSHOT_H
#define PARITY_SNAPSHOT_H

#include <pthread.h>
#include <stdatomic.h>

/* Embedded first in the published struct; destroy frees the whole of it. */
struct parity_snapshot {
  atomic_long refs;
  void (*destroy)(struct parity_snapshot *self);
};

struct parity_snapshot_slot {
  pthread_mutex_t lock;
  struct parity_snapshot *current; /* NULL until the first publish */
};

void parity_snapshot_slot_init(struct parity_snapshot_slot *slot);
/* Drops the slot's reference (readers still holding one keep theirs). */
void parity_snapshot_slot_close(struct parity_snapshot_slot *slot);

/* Gives a new snapshot its creator's reference; call before publishing it. */
void parity_snapshot_init(struct parity_snapshot *snap, void (*destroy)(struct parity_snapshot *self));

/* The current snapshot with a reference the caller releases, or NULL when none was published yet. */
struct parity_snapshot *parity_snapshot_acquire(struct parity_snapshot_slot *slot);
void parity_snapshot_release(struct parity_snapshot *snap);

/* Makes snap current, taking over the creator's reference; the replaced one is released. */
void parity_snapshot_publish(struct parity_snapshot_slot *slot, struct parity_snapshot *snap);

#endif
