// A money move in three steps: the amount, a review (what will happen, the estimated trades, fees), then a
// receipt. The amount goes to the API as integer cents with an Idempotency-Key that stays the same while the
// same operation is retried (double click, network error) and changes after it went through, so money moves
// once per intended operation. Every message is computed from the current values: a validation message is
// shown only while the text and the limit it was about are unchanged, and the review re-reads the limit.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { IdempotencySlot } from "../lib/idempotency";
import { formatShares } from "../lib/format";
import { MAX_AMOUNT_CENTS, formatCents, parseDollars } from "../lib/money";
import type { EstimatedTrade } from "../lib/moneyMoves";
import { ErrorBox, Field, TableRegion } from "./ui";

export type Amount = number | "all";

export interface ReviewModel {
  /** What the investor asked for, in cents. */
  amountCents: number;
  lines: { label: string; value: ReactNode; testId?: string }[];
  /** What will happen, in a sentence or two. */
  happens: ReactNode;
  trades?: EstimatedTrade[];
  tradesNote?: ReactNode;
}

export interface MoneyFlowProps<A> {
  /** Names the operation in keys and test ids: "deposit", "withdraw", "invest", "sell". */
  action: string;
  /** The verb on buttons and headings: "Deposit", "Sell". */
  verb: string;
  label: string;
  hint?: ReactNode;
  /** The most allowed, in cents; null while it is unknown (not loaded, or the load failed). */
  maxCents?: number | null;
  /** Why the operation cannot be done now (shown instead of the form's button), if it cannot. */
  blocked?: string | null;
  /** Offer "everything" (a sale of the whole portfolio). */
  allowAll?: boolean;
  review(amount: Amount): ReviewModel;
  /**
   * An estimate loaded from the server for the review step (a sale's taxes): shown under the review while
   * it loads; null hides it (a server without it). A failure only says so: the operation can go on.
   */
  preview?(amountCents: number, signal: AbortSignal): Promise<ReactNode | null>;
  perform(amount: Amount, idempotencyKey: string): Promise<A>;
  receipt(answer: A): ReactNode;
  onClose?(): void;
}

type Step = "edit" | "review" | "receipt";

export function MoneyFlow<A>({ action, verb, label, hint, maxCents, blocked, allowAll, review, preview, perform, receipt, onClose }: MoneyFlowProps<A>) {
  const [step, setStep] = useState<Step>("edit");
  const [text, setText] = useState("");
  const [all, setAll] = useState(false);
  const [amount, setAmount] = useState<Amount | null>(null);
  // A validation message and the inputs it was about: shown only while they are still the current ones.
  const [invalid, setInvalid] = useState<{ message: string; text: string; max: number | null | undefined } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [answer, setAnswer] = useState<{ value: A } | null>(null);
  const [busy, setBusy] = useState(false);
  // A ref, not state: a second click in the same frame must see the first one already running.
  const running = useRef(false);
  const slot = useRef(new IdempotencySlot());
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = useId();

  // Each step change moves the focus to the step's heading, so a screen reader reads the review and receipt.
  useEffect(() => {
    if (step !== "edit") headingRef.current?.focus();
  }, [step]);

  const limit = maxCents === undefined ? MAX_AMOUNT_CENTS : maxCents;
  const shownInvalid = invalid && invalid.text === text && invalid.max === maxCents && !all ? invalid.message : null;

  const toReview = (e: FormEvent) => {
    e.preventDefault();
    if (blocked || limit === null) return;
    let chosen: Amount;
    if (all) chosen = "all";
    else {
      const parsed = parseDollars(text, { max: Math.min(limit, MAX_AMOUNT_CENTS) });
      if (!parsed.ok) {
        setInvalid({ message: limit === 0 ? "There is nothing available for this." : parsed.error, text, max: maxCents });
        return;
      }
      chosen = parsed.cents;
    }
    setInvalid(null);
    setError(undefined);
    setAmount(chosen);
    setStep("review");
  };

  const confirm = async () => {
    if (running.current || amount === null) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      const a = await perform(amount, slot.current.keyFor(`${action}:${amount}`));
      slot.current.done();
      setAnswer({ value: a });
      setText("");
      setAll(false);
      setStep("receipt");
    } catch (err) {
      setError(err);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  const restart = () => {
    setStep("edit");
    setAnswer(null);
    setAmount(null);
    setError(undefined);
  };

  if (step === "review" && amount !== null) {
    const r = review(amount);
    // The limit may have changed since the amount was typed (a reload of the wallet): say so now.
    const tooMuch = amount !== "all" && limit !== null && amount > limit;
    return (
      <section className="money-flow review" aria-labelledby={headingId} data-testid={`${action}-review`}>
        <h3 id={headingId} ref={headingRef} tabIndex={-1}>
          Review: {verb.toLowerCase()} {formatCents(r.amountCents)}
        </h3>
        <dl className="facts review-facts">
          <dt>Amount</dt>
          <dd data-testid="review-amount">{formatCents(r.amountCents)}</dd>
          {r.lines.map((l) => (
            <FactLine key={l.label} {...l} />
          ))}
          <dt>Fees</dt>
          <dd>None</dd>
        </dl>
        <p className="happens">{r.happens}</p>
        {r.trades && r.trades.length > 0 && <TradesTable trades={r.trades} caption="Estimated trades" />}
        {r.tradesNote && <p className="muted small">{r.tradesNote}</p>}
        {preview && <ReviewPreview key={r.amountCents} amountCents={r.amountCents} load={preview} />}
        {tooMuch && <ErrorBox error={`This is now more than the ${formatCents(limit ?? 0)} available. Change the amount.`} />}
        <div className="button-row">
          <button type="button" onClick={confirm} disabled={busy || tooMuch}>
            {busy ? "Working…" : `Confirm: ${verb.toLowerCase()} ${formatCents(r.amountCents)}`}
          </button>
          <button type="button" className="secondary" onClick={() => setStep("edit")} disabled={busy}>
            Change the amount
          </button>
        </div>
        <ErrorBox error={error} />
      </section>
    );
  }

  if (step === "receipt" && answer) {
    return (
      <section className="money-flow receipt" aria-labelledby={headingId} data-testid={`${action}-receipt`}>
        <h3 id={headingId} ref={headingRef} tabIndex={-1}>
          Done
        </h3>
        {receipt(answer.value)}
        <div className="button-row">
          <button type="button" className="secondary" onClick={restart}>
            {verb} again
          </button>
          {onClose && (
            <button type="button" className="secondary" onClick={onClose}>
              Close
            </button>
          )}
        </div>
      </section>
    );
  }

  return (
    <form className="money-flow" onSubmit={toReview} noValidate aria-label={verb} data-testid={`${action}-form`}>
      <Field
        label={label}
        name="amount"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        value={all ? "" : text}
        onChange={(e) => setText(e.target.value)}
        error={shownInvalid}
        hint={hint}
        disabled={all || Boolean(blocked) || limit === null}
      />
      {allowAll && (
        <div className="check">
          <input id={`${action}-all`} type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} disabled={Boolean(blocked) || limit === null} />
          <label htmlFor={`${action}-all`}>{verb} everything</label>
        </div>
      )}
      {blocked && <p className="muted small">{blocked}</p>}
      <div className="button-row">
        <button type="submit" disabled={Boolean(blocked) || limit === null}>
          Review
        </button>
        {onClose && (
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** The review's server estimate: loading, shown, hidden (null), or a note that it could not be loaded. */
function ReviewPreview({ amountCents, load }: { amountCents: number; load(amountCents: number, signal: AbortSignal): Promise<ReactNode | null> }) {
  const [state, setState] = useState<{ status: "loading" } | { status: "done"; node: ReactNode | null } | { status: "failed" }>({ status: "loading" });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    loadRef.current(amountCents, ctl.signal).then(
      (node) => setState({ status: "done", node }),
      (err: unknown) => {
        if (!(err instanceof DOMException && err.name === "AbortError")) setState({ status: "failed" });
      },
    );
    return () => ctl.abort();
  }, [amountCents]);
  if (state.status === "loading")
    return (
      <p className="muted small" role="status" data-testid="review-preview-loading">
        Estimating the taxes of this sale…
      </p>
    );
  if (state.status === "failed")
    return (
      <p className="muted small" data-testid="review-preview-failed">
        The tax estimate could not be loaded; you can still go ahead.
      </p>
    );
  return state.node ? <div className="sale-preview">{state.node}</div> : null;
}

function FactLine({ label, value, testId }: { label: string; value: ReactNode; testId?: string | undefined }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </>
  );
}

/** Trades (estimated or done): fund, side, shares when known, dollars. */
export function TradesTable({ trades, caption }: { trades: EstimatedTrade[]; caption: string }) {
  return (
    <TableRegion label={caption}>
      <table className="numbers" data-testid="estimated-trades">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Fund</th>
            <th scope="col" className="text">
              Trade
            </th>
            <th scope="col">Shares</th>
            <th scope="col">Amount</th>
          </tr>
        </thead>
        <tbody>
          {trades.map((t) => (
            <tr key={`${t.side}-${t.symbol}`}>
              <th scope="row">{t.symbol}</th>
              <td className="text">{t.side === "buy" ? "Buy" : "Sell"}</td>
              <td>{t.sharesMicro === null ? "—" : `about ${formatShares(t.sharesMicro)}`}</td>
              <td>{formatCents(t.cents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
