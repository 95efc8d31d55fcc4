/* Counted snapshots: publish under a short lock, free with the last reference. */
#include "operational/snapshot.h"

#include <stddef.h>

void parity_snapshot_slot_init(struct parity_snapshot_slot *slot)
{
  pthread_mutex_init(&slot->lock, NULL);
  slot->current = NULL;
}

void parity_snapshot_slot_close(struct parity_snapshot_slot *slot)
{
  parity_snapshot_release(slot->current);
  slot->current = NULL;
  pthread_mutex_destroy(&slot->lock);
}

void parity_snapshot_init(struct parity_snapshot *snap, void (*destroy)(struct parity_snapshot *self))
{
  atomic_init(&snap->refs, 1);
  snap->destroy = destroy;
}

struct parity_snapshot *parity_snapshot_acquire(struct parity_snapshot_slot *slot)
{
  pthread_mutex_lock(&slot->lock);
  struct parity_snapshot *snap = slot->current;
  if (snap)
    atomic_fetch_add_explicit(&snap->refs, 1, memory_order_relaxed);
  pthread_mutex_unlock(&slot->lock);
  return snap;
}

void parity_snapshot_release(struct parity_snapshot *snap)
{
  /* acq_rel: every reader's use of the snapshot happens before the one that frees it. */
  if (snap && atomic_fetch_sub_explicit(&snap->refs, 1, memory_order_acq_rel) == 1)
    snap->destroy(snap);
}

void parity_snapshot_publish(struct parity_snapshot_slot *slot, struct parity_snapshot *snap)
{
  pthread_mutex_lock(&slot->lock);
  struct parity_snapshot *old = slot->current;
  slot->current = snap;
  pthread_mutex_unlock(&slot->lock);
  parity_snapshot_release(old);
}
