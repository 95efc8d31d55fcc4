// Idempotency keys for money-moving forms: one key per intended operation, so a double click, a retry
// after a network error or the retry after a token refresh moves the money once.

/** A fresh key (a random UUID; 36 printable ASCII characters, within the API's 1-128). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // randomUUID needs a secure context; getRandomValues does not (plain http on a LAN address).
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Holds the key of the operation the form currently describes: the same key while the same amount is
 * submitted again (double click, retry), a new one once the amount changes or the operation succeeded.
 */
export class IdempotencySlot {
  private key: string | null = null;
  private what: string | null = null;

  /** The key for operation `what` (e.g. "deposit:125000"). */
  keyFor(what: string): string {
    if (this.key === null || this.what !== what) {
      this.key = newIdempotencyKey();
      this.what = what;
    }
    return this.key;
  }

  /** The operation went through: the next one, even with the same amount, is a new operation. */
  done(): void {
    this.key = null;
    this.what = null;
  }
}
