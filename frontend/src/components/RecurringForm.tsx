// A recurring deposit's settings in three steps, like every money move: the settings, a review (the
// schedule in words, the first date, what happens on each date, fees), then a receipt with the server's
// own first date. Used to create a schedule and to edit one. Each confirmation carries an Idempotency-Key
// that stays the same while the same settings are confirmed again (double click, retry after an error), so a
// schedule is created once per intended schedule.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { RecurringDeposit, RecurringFrequency } from "../api/types";
import { IdempotencySlot } from "../lib/idempotency";
import { formatDay } from "../lib/format";
import { MAX_AMOUNT_CENTS, centsToInput, formatCents, parseDollars } from "../lib/money";
import { FREQUENCY_NAMES, WEEKDAYS, describeSchedule, firstDate, maxDay, ordinal, scheduleInSentence, todayUtc } from "../lib/recurring";
import { ErrorBox, Field } from "./ui";

export interface ScheduleSettings {
  amount_cents: number;
  frequency: RecurringFrequency;
  day: number;
  auto_invest: boolean;
}

type Step = "edit" | "review" | "receipt";

export function RecurringForm({
  initial,
  verb,
  canInvest,
  save,
  onDone,
  onCancel,
}: {
  initial?: RecurringDeposit;
  /** "Create" or "Save". */
  verb: string;
  /** The investor has a model portfolio: deposits can be invested. */
  canInvest: boolean;
  /** Saves the settings; idempotencyKey is the same for a retry of the same settings (creation sends it). */
  save(s: ScheduleSettings, idempotencyKey: string): Promise<RecurringDeposit>;
  onDone?(s: RecurringDeposit): void;
  onCancel?(): void;
}) {
  const [step, setStep] = useState<Step>("edit");
  const [text, setText] = useState(initial ? centsToInput(initial.amount_cents) : "");
  const [frequency, setFrequency] = useState<RecurringFrequency>(initial?.frequency ?? "monthly");
  const [day, setDay] = useState(initial?.day ?? 1);
  const [autoInvest, setAutoInvest] = useState(initial?.auto_invest ?? true);
  const [invalid, setInvalid] = useState<{ message: string; text: string } | null>(null);
  const [settings, setSettings] = useState<ScheduleSettings | null>(null);
  const [saved, setSaved] = useState<RecurringDeposit | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const running = useRef(false);
  const slot = useRef(new IdempotencySlot());
  const headingRef = useRef<HTMLHeadingElement>(null);
  const ids = useId();

  useEffect(() => {
    if (step !== "edit") headingRef.current?.focus();
  }, [step]);

  const changeFrequency = (f: RecurringFrequency) => {
    setFrequency(f);
    if (day > maxDay(f)) setDay(1);
  };

  const toReview = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseDollars(text, { max: MAX_AMOUNT_CENTS });
    if (!parsed.ok) {
      setInvalid({ message: parsed.error, text });
      return;
    }
    setInvalid(null);
    setError(undefined);
    setSettings({ amount_cents: parsed.cents, frequency, day, auto_invest: autoInvest });
    setStep("review");
  };

  const confirm = async () => {
    if (running.current || !settings) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      const s = await save(settings, slot.current.keyFor(JSON.stringify(settings)));
      slot.current.done();
      setSaved(s);
      setStep("receipt");
      onDone?.(s);
    } catch (err) {
      setError(err);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  const invests = (s: ScheduleSettings) => s.auto_invest && canInvest;
  const happens = (s: ScheduleSettings): ReactNode =>
    invests(s)
      ? `On each date we deposit ${formatCents(s.amount_cents)} into your wallet (paper money: nothing is charged) and invest it at once in your model portfolio.`
      : `On each date we deposit ${formatCents(s.amount_cents)} into your wallet (paper money: nothing is charged); it stays there as cash until you invest it.`;

  if (step === "review" && settings) {
    // Changing the schedule (or creating one) starts after today; an amount-only edit keeps the next date.
    const keepsDate = initial && initial.frequency === settings.frequency && initial.day === settings.day && initial.status === "active";
    const first = keepsDate ? initial.next_day : firstDate(settings.frequency, settings.day, todayUtc());
    return (
      <section className="money-flow review" aria-labelledby={`${ids}-h`} data-testid="recurring-review">
        <h3 id={`${ids}-h`} ref={headingRef} tabIndex={-1}>
          Review: {formatCents(settings.amount_cents)}, {scheduleInSentence(settings)}
        </h3>
        <dl className="facts review-facts">
          <dt>Amount each time</dt>
          <dd data-testid="review-amount">{formatCents(settings.amount_cents)}</dd>
          <dt>Schedule</dt>
          <dd>{describeSchedule(settings)}</dd>
          <dt>{keepsDate ? "Next deposit" : "First deposit"}</dt>
          <dd data-testid="review-first">{formatDay(first)}</dd>
          <dt>Then</dt>
          <dd>{invests(settings) ? "Invested in your model portfolio" : "Kept in your wallet"}</dd>
          <dt>Fees</dt>
          <dd>None</dd>
        </dl>
        <p className="happens">{happens(settings)}</p>
        {settings.auto_invest && !canInvest && (
          <p className="muted small">Answer the onboarding questions to have these deposits invested; until then they stay in your wallet.</p>
        )}
        <p className="muted small">Dates are in UTC. A date missed while our systems were down is deposited once, as soon as they are back.</p>
        <div className="button-row">
          <button type="button" onClick={confirm} disabled={busy}>
            {busy ? "Working…" : `Confirm: ${verb.toLowerCase()} this recurring deposit`}
          </button>
          <button type="button" className="secondary" onClick={() => setStep("edit")} disabled={busy}>
            Change it
          </button>
        </div>
        <ErrorBox error={error} />
      </section>
    );
  }

  if (step === "receipt" && saved) {
    return (
      <section className="money-flow receipt" aria-labelledby={`${ids}-h`} data-testid="recurring-receipt">
        <h3 id={`${ids}-h`} ref={headingRef} tabIndex={-1}>
          Done
        </h3>
        <p data-testid="receipt-text">
          {formatCents(saved.amount_cents)}, {scheduleInSentence(saved)}. {saved.status === "paused" ? "It is paused." : `Next deposit: ${formatDay(saved.next_day)}.`}
        </p>
        <p className="muted small">Reference: recurring deposit #{saved.id} · fees: none</p>
        {onCancel && (
          <div className="button-row">
            <button type="button" className="secondary" onClick={onCancel}>
              Close
            </button>
          </div>
        )}
      </section>
    );
  }

  const shownInvalid = invalid && invalid.text === text ? invalid.message : null;
  return (
    <form className="money-flow" onSubmit={toReview} noValidate aria-label={`${verb} a recurring deposit`} data-testid="recurring-form">
      <Field label="Amount each time (dollars)" name="amount" inputMode="decimal" autoComplete="off" placeholder="0.00" value={text} onChange={(e) => setText(e.target.value)} error={shownInvalid} />
      <div className="field">
        <label htmlFor={`${ids}-frequency`}>How often</label>
        <select id={`${ids}-frequency`} value={frequency} onChange={(e) => changeFrequency(e.target.value as RecurringFrequency)}>
          {(Object.keys(FREQUENCY_NAMES) as RecurringFrequency[]).map((f) => (
            <option key={f} value={f}>
              {FREQUENCY_NAMES[f]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${ids}-day`}>{frequency === "monthly" ? "Day of the month" : "Day of the week"}</label>
        <select id={`${ids}-day`} value={day} onChange={(e) => setDay(Number(e.target.value))}>
          {Array.from({ length: maxDay(frequency) }, (_, i) => i + 1).map((d) => (
            <option key={d} value={d}>
              {frequency === "monthly" ? ordinal(d) : WEEKDAYS[d - 1]}
            </option>
          ))}
        </select>
      </div>
      <div className="check">
        <input id={`${ids}-invest`} type="checkbox" checked={autoInvest} onChange={(e) => setAutoInvest(e.target.checked)} />
        <label htmlFor={`${ids}-invest`}>Invest each deposit at once</label>
      </div>
      <div className="button-row">
        <button type="submit">Review</button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
