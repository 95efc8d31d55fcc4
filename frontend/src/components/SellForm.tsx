// Selling: an amount in dollars or everything; proceeds go to the wallet. One Idempotency-Key per
// intended sale, as in MoneyForm.
import { useRef, useState, type FormEvent } from "react";
import type { SellAnswer } from "../api/types";
import { IdempotencySlot } from "../lib/idempotency";
import { formatCents, parseDollars } from "../lib/money";
import { ErrorBox, Field, Notice } from "./ui";

export interface SellFormProps {
  valueCents: number;
  disabled?: boolean;
  onSell(body: { amount_cents: number } | { all: true }, idempotencyKey: string): Promise<SellAnswer>;
}

export function SellForm({ valueCents, disabled, onSell }: SellFormProps) {
  const [all, setAll] = useState(false);
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const running = useRef(false);
  const slot = useRef(new IdempotencySlot());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (running.current) return;
    let body: { amount_cents: number } | { all: true };
    let what: string;
    if (all) {
      body = { all: true };
      what = "sell:all";
    } else {
      const parsed = parseDollars(text, { max: valueCents });
      if (!parsed.ok) {
        setInvalid(valueCents === 0 ? "Your portfolio is empty." : parsed.error);
        return;
      }
      body = { amount_cents: parsed.cents };
      what = `sell:${parsed.cents}`;
    }
    setInvalid(null);
    setError(undefined);
    setDone(null);
    running.current = true;
    setBusy(true);
    try {
      const answer = await onSell(body, slot.current.keyFor(what));
      slot.current.done();
      setText("");
      setAll(false);
      setDone(`Sold ${formatCents(answer.amount_cents)}; the proceeds are in your wallet.`);
    } catch (err) {
      setError(err);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  return (
    <form className="money-form" onSubmit={submit} noValidate aria-label="Sell" data-testid="sell-form">
      <Field
        label="Sell (dollars)"
        name="amount"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        value={all ? "" : text}
        onChange={(e) => setText(e.target.value)}
        error={invalid}
        disabled={all || disabled}
        hint={`Your portfolio is worth ${formatCents(valueCents)}.`}
      />
      <div className="check">
        <input id="sell-all" type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} disabled={disabled} />
        <label htmlFor="sell-all">Sell everything</label>
      </div>
      <button type="submit" disabled={busy || disabled}>
        {busy ? "Working…" : all ? "Sell everything" : "Sell"}
      </button>
      <ErrorBox error={error} />
      {done && <Notice tone="success">{done}</Notice>}
    </form>
  );
}
