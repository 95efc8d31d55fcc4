// The money-moving forms: an amount typed in dollars, sent as integer cents with an Idempotency-Key that
// stays the same while the same operation is retried (double click, network error) and changes after it
// went through, so money moves once per intended operation.
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { IdempotencySlot } from "../lib/idempotency";
import { MAX_AMOUNT_CENTS, parseDollars } from "../lib/money";
import { ErrorBox, Field, Notice } from "./ui";

export interface MoneyFormProps {
  /** Names the operation in keys and ids: "deposit", "withdraw", "invest". */
  action: string;
  label: string;
  submitLabel: string;
  hint?: ReactNode;
  /** Largest amount allowed here, in cents (e.g. the wallet's cash for a withdrawal). */
  maxCents?: number;
  disabled?: boolean;
  /** Performs the operation; resolves to the sentence shown on success. */
  onSubmit(cents: number, idempotencyKey: string): Promise<string>;
}

export function MoneyForm({ action, label, submitLabel, hint, maxCents, disabled, onSubmit }: MoneyFormProps) {
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A ref, not state: a second click in the same frame must see the first one already running.
  const running = useRef(false);
  const slot = useRef(new IdempotencySlot());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (running.current) return;
    const parsed = parseDollars(text, { max: Math.min(maxCents ?? MAX_AMOUNT_CENTS, MAX_AMOUNT_CENTS) });
    if (!parsed.ok) {
      setInvalid(maxCents === 0 ? "There is nothing available for this." : parsed.error);
      setDone(null);
      return;
    }
    setInvalid(null);
    setError(undefined);
    setDone(null);
    running.current = true;
    setBusy(true);
    try {
      const message = await onSubmit(parsed.cents, slot.current.keyFor(`${action}:${parsed.cents}`));
      slot.current.done();
      setText("");
      setDone(message);
    } catch (err) {
      setError(err);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  return (
    <form className="money-form" onSubmit={submit} noValidate aria-label={submitLabel} data-testid={`${action}-form`}>
      <Field
        label={label}
        name="amount"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        value={text}
        onChange={(e) => setText(e.target.value)}
        error={invalid}
        hint={hint}
        disabled={disabled}
      />
      <button type="submit" disabled={busy || disabled}>
        {busy ? "Working…" : submitLabel}
      </button>
      <ErrorBox error={error} />
      {done && <Notice tone="success">{done}</Notice>}
    </form>
  );
}
