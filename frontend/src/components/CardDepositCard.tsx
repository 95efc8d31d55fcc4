// A deposit by card, shown only when the server has card deposits (GET /config serves a publishable key):
// the amount, a review (from your card through Stripe, to your wallet, fees), then Stripe's own card form
// (the Payment Element, in Stripe's frame: the card number never reaches Parity), then a receipt. The wallet
// is credited by Stripe's signed webhook, so the receipt says the money arrives when Stripe confirms it and
// reads the wallet again until it has.
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { CardIntent, ClientConfig, Wallet } from "../api/types";
import { useAuth } from "../auth/auth";
import { IdempotencySlot } from "../lib/idempotency";
import { MAX_AMOUNT_CENTS, formatCents, parseDollars } from "../lib/money";
import { loadStripeJs, type StripeElements, type StripeJs, type StripeLoader } from "../lib/stripe";
import { useApi } from "../lib/useApi";
import { Card, ErrorBox, Field } from "./ui";

/** The least Stripe charges in USD. */
export const CARD_MIN_CENTS = 50;
const WALLET_POLL_MS = 1000;
/** Reads of the wallet before the receipt stops waiting (and points to the transactions). */
const WALLET_POLLS = 60;

type Step = { kind: "edit" } | { kind: "review"; cents: number } | { kind: "pay"; intent: CardIntent } | { kind: "done"; intent: CardIntent };

export function CardDepositCard({ onCredited, loadStripe = loadStripeJs }: { onCredited?(): void; loadStripe?: StripeLoader }) {
  const { client } = useAuth();
  const config = useApi(() => client.get<ClientConfig>("/config", { auth: false }), "config");
  const key = config.data?.card_deposits ? config.data.stripe_publishable_key : null;
  if (!key) return null;
  return (
    <Card title="Deposit by card">
      <CardDeposit publishableKey={key} loadStripe={loadStripe} onCredited={onCredited} />
    </Card>
  );
}

function CardDeposit({ publishableKey, loadStripe, onCredited }: { publishableKey: string; loadStripe: StripeLoader; onCredited?: (() => void) | undefined }) {
  const { client } = useAuth();
  const [step, setStep] = useState<Step>({ kind: "edit" });
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState<{ message: string; text: string } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const running = useRef(false);
  const slot = useRef(new IdempotencySlot());
  const ids = useId();

  const toReview = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseDollars(text, { min: CARD_MIN_CENTS, max: MAX_AMOUNT_CENTS });
    if (!parsed.ok) {
      setInvalid({ message: parsed.error, text });
      return;
    }
    setInvalid(null);
    setError(undefined);
    setStep({ kind: "review", cents: parsed.cents });
  };

  const createIntent = async (cents: number) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      const intent = await client.post<CardIntent>("/wallet/deposits/intent", { amount_cents: cents }, { idempotencyKey: slot.current.keyFor(`card:${cents}`) });
      slot.current.done();
      setStep({ kind: "pay", intent });
    } catch (err) {
      setError(err);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  if (step.kind === "review")
    return (
      <section className="money-flow review" aria-labelledby={`${ids}-h`} data-testid="card-review">
        <h3 id={`${ids}-h`} tabIndex={-1}>
          Review: deposit {formatCents(step.cents)} by card
        </h3>
        <dl className="facts review-facts">
          <dt>Amount</dt>
          <dd data-testid="review-amount">{formatCents(step.cents)}</dd>
          <dt>From</dt>
          <dd>Your card, through Stripe</dd>
          <dt>To</dt>
          <dd>Your wallet</dd>
          <dt>Fees</dt>
          <dd>None</dd>
        </dl>
        <p className="happens">
          Next you enter your card in Stripe's form (Parity never sees the card number). The money is in your wallet as soon as Stripe confirms the payment,
          usually within seconds.
        </p>
        <div className="button-row">
          <button type="button" onClick={() => createIntent(step.cents)} disabled={busy}>
            {busy ? "Working…" : `Continue to card payment of ${formatCents(step.cents)}`}
          </button>
          <button type="button" className="secondary" onClick={() => setStep({ kind: "edit" })} disabled={busy}>
            Change the amount
          </button>
        </div>
        <ErrorBox error={error} />
      </section>
    );

  if (step.kind === "pay")
    return <CardPayment intent={step.intent} publishableKey={publishableKey} loadStripe={loadStripe} onPaid={() => setStep({ kind: "done", intent: step.intent })} />;

  if (step.kind === "done") return <CardReceipt intent={step.intent} onCredited={onCredited} onAgain={() => setStep({ kind: "edit" })} />;

  const shownInvalid = invalid && invalid.text === text ? invalid.message : null;
  return (
    <form className="money-flow" onSubmit={toReview} noValidate aria-label="Deposit by card" data-testid="card-form">
      <Field
        label="Amount to deposit by card (dollars)"
        name="amount"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        value={text}
        onChange={(e) => setText(e.target.value)}
        error={shownInvalid}
        hint={`At least ${formatCents(CARD_MIN_CENTS)}. Paid through Stripe.`}
      />
      <div className="button-row">
        <button type="submit">Review</button>
      </div>
    </form>
  );
}

function CardPayment({ intent, publishableKey, loadStripe, onPaid }: { intent: CardIntent; publishableKey: string; loadStripe: StripeLoader; onPaid(): void }) {
  const mountRef = useRef<HTMLDivElement>(null);
  const [stripe, setStripe] = useState<{ js: StripeJs; elements: StripeElements } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let destroy: (() => void) | undefined;
    loadStripe(publishableKey).then(
      (js) => {
        if (cancelled || !mountRef.current) return;
        const elements = js.elements({ clientSecret: intent.client_secret });
        const element = elements.create("payment");
        element.mount(mountRef.current);
        destroy = () => element.destroy();
        setStripe({ js, elements });
      },
      () => !cancelled && setError("The card form could not be loaded. Check your connection and try again."),
    );
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [intent.client_secret, publishableKey, loadStripe]);

  const pay = async () => {
    if (!stripe || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await stripe.js.confirmPayment({ elements: stripe.elements, redirect: "if_required", confirmParams: { return_url: window.location.href } });
      if (result.error) setError(result.error.message ?? "The payment did not go through.");
      else onPaid();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="money-flow" aria-label="Card payment" data-testid="card-pay">
      <h3>Pay {formatCents(intent.amount_cents)} by card</h3>
      <div ref={mountRef} className="stripe-element" data-testid="stripe-element" />
      <div className="button-row">
        <button type="button" onClick={pay} disabled={!stripe || busy}>
          {busy ? "Working…" : `Pay ${formatCents(intent.amount_cents)}`}
        </button>
      </div>
      <ErrorBox error={error} />
    </section>
  );
}

function CardReceipt({ intent, onCredited, onAgain }: { intent: CardIntent; onCredited?: (() => void) | undefined; onAgain(): void }) {
  const { client } = useAuth();
  const [tick, setTick] = useState(0);
  const wallet = useApi(() => client.get<Wallet>("/wallet"), `card-wallet:${tick}`);
  const first = useRef<number | undefined>(undefined);
  const [credited, setCredited] = useState(false);

  // The wallet as first read after the payment, then read again until it grew by the payment.
  useEffect(() => {
    const cash = wallet.data?.cash_cents;
    if (cash === undefined || credited || tick >= WALLET_POLLS) return undefined;
    first.current ??= cash;
    if (tick > 0 && cash >= first.current + intent.amount_cents) {
      setCredited(true);
      onCredited?.();
      return undefined;
    }
    const t = setTimeout(() => setTick((n) => n + 1), WALLET_POLL_MS);
    return () => clearTimeout(t);
  }, [wallet.data, tick, credited, intent.amount_cents, onCredited]);

  return (
    <section className="money-flow receipt" aria-label="Card deposit receipt" data-testid="card-receipt">
      <h3>Payment sent</h3>
      <p data-testid="receipt-text" aria-live="polite">
        {credited
          ? `Deposited ${formatCents(intent.amount_cents)} by card: it is in your wallet.`
          : tick >= WALLET_POLLS
            ? `Stripe has not confirmed your payment of ${formatCents(intent.amount_cents)} yet; it is added to your wallet when it does. Your transactions will show it.`
            : `Stripe is confirming your payment of ${formatCents(intent.amount_cents)}; it is added to your wallet as soon as it is confirmed.`}
      </p>
      <p className="muted small">Reference: {intent.id} · fees: none</p>
      <div className="button-row">
        <button type="button" className="secondary" onClick={onAgain}>
          Deposit by card again
        </button>
      </div>
    </section>
  );
}
