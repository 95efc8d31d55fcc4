// Goals: what the investor saves for (a target amount by a date, with a monthly contribution) and the chance
// of reaching it, from a forecast of the portfolio that the server asks again when the goal or the portfolio
// changes. Add, edit and delete; the list is read again while a chance is being computed.
import { useEffect, useState, type FormEvent } from "react";
import type { Goal, GoalInput } from "../api/types";
import { useAuth } from "../auth/auth";
import { Card, ErrorBox, Field, LoadError, Loading, Notice } from "../components/ui";
import { formatDay } from "../lib/format";
import { GOAL_POLL_MS, goalPending, goalStatusText } from "../lib/goals";
import { centsToInput, formatCents, MAX_FORECAST_CENTS, parseDollars } from "../lib/money";
import { useApi } from "../lib/useApi";

interface FormState {
  name: string;
  target: string;
  date: string;
  monthly: string;
}

const EMPTY: FormState = { name: "", target: "", date: "", monthly: "" };
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

type Problems = Partial<Record<keyof FormState, string>>;

/** The form's values as the API's body, or the problems to show next to the fields. */
export function goalFromForm(f: FormState): { ok: true; body: GoalInput } | { ok: false; problems: Problems } {
  const problems: Problems = {};
  const name = f.name.trim();
  if (!name) problems.name = "Give the goal a name.";
  else if (name.length > 80) problems.name = "At most 80 characters.";
  const target = parseDollars(f.target, { max: MAX_FORECAST_CENTS });
  if (!target.ok) problems.target = target.error;
  const monthly = parseDollars(f.monthly.trim() === "" ? "0" : f.monthly, { min: 0, max: MAX_FORECAST_CENTS });
  if (!monthly.ok) problems.monthly = monthly.error;
  if (!DATE_RE.test(f.date)) problems.date = "Choose the date you need the money by.";
  if (Object.keys(problems).length || !target.ok || !monthly.ok) return { ok: false, problems };
  return { ok: true, body: { name, target_cents: target.cents, target_date: f.date, monthly_cents: monthly.cents } };
}

function GoalForm({ initial, submitLabel, onSaved, onCancel, save }: { initial: FormState; submitLabel: string; onSaved(): void; onCancel?(): void; save(body: GoalInput): Promise<unknown> }) {
  const [form, setForm] = useState(initial);
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof FormState) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [k]: e.target.value }));
    setProblems((p) => ({ ...p, [k]: undefined }));
    setError(undefined);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const parsed = goalFromForm(form);
    if (!parsed.ok) {
      setProblems(parsed.problems);
      return;
    }
    setBusy(true);
    save(parsed.body).then(
      () => {
        setBusy(false);
        setForm(EMPTY);
        onSaved();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };
  return (
    <form className="goal-form" onSubmit={submit} noValidate>
      <Field label="Name" name="name" value={form.name} onChange={set("name")} error={problems.name} maxLength={80} />
      <Field label="Target amount (dollars)" name="target" inputMode="decimal" value={form.target} onChange={set("target")} error={problems.target} />
      <Field label="Target date" name="date" type="date" value={form.date} onChange={set("date")} error={problems.date} hint="At least a month from today." />
      <Field label="Monthly contribution (dollars)" name="monthly" inputMode="decimal" value={form.monthly} onChange={set("monthly")} error={problems.monthly} hint="Optional; added at the end of each month." />
      <ErrorBox error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function GoalRow({ goal, onChanged }: { goal: Goal; onChanged(): void }) {
  const { client } = useAuth();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [deleting, setDeleting] = useState(false);
  const remove = () => {
    setDeleting(true);
    client.delete(`/goals/${goal.id}`).then(onChanged, (e: unknown) => {
      setDeleting(false);
      setError(e);
    });
  };
  if (editing) {
    return (
      <li className="goal">
        <GoalForm
          initial={{ name: goal.name, target: centsToInput(goal.target_cents), date: goal.target_date, monthly: goal.monthly_cents ? centsToInput(goal.monthly_cents) : "" }}
          submitLabel="Save changes"
          save={(body) => client.request("PATCH", `/goals/${goal.id}`, { body })}
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  const pct = goal.probability === null ? null : Math.round(goal.probability * 100);
  return (
    <li className={`goal goal-${goal.status}`} data-testid="goal" data-goal-id={goal.id}>
      <div className="goal-head">
        <h3>{goal.name}</h3>
        <span className="goal-status" data-testid="goal-status">
          {goalStatusText(goal)}
        </span>
      </div>
      <p>
        {formatCents(goal.target_cents)} by {formatDay(goal.target_date)}
        {goal.monthly_cents > 0 && <>, adding {formatCents(goal.monthly_cents)} a month</>}.
      </p>
      {pct !== null && (
        <div className="goal-meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={`Chance of reaching ${goal.name}`}>
          <span style={{ width: `${pct}%` }} />
        </div>
      )}
      {goal.basis_cents !== null && goal.status !== "pending" && (
        <p className="muted small">
          From your portfolio's {formatCents(goal.basis_cents)} over {goal.months} months: the share of 10,000 simulated markets that end at or above the target.
        </p>
      )}
      <ErrorBox error={error} />
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setEditing(true)} aria-label={`Edit ${goal.name}`}>
          Edit
        </button>
        <button type="button" className="danger" onClick={remove} disabled={deleting} aria-label={`Delete ${goal.name}`}>
          Delete
        </button>
      </div>
    </li>
  );
}

export function GoalsPage() {
  const { client } = useAuth();
  const [version, setVersion] = useState(0);
  const goals = useApi(() => client.get<{ goals: Goal[] }>("/goals").then((a) => a.goals), `goals:${version}`);
  const pending = goalPending(goals.data);
  const { reload } = goals;
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!pending) return;
    const t = setTimeout(reload, GOAL_POLL_MS);
    return () => clearTimeout(t);
  }, [pending, goals.data, reload]);
  const changed = () => setVersion((v) => v + 1);
  return (
    <div className="page">
      <h1>Goals</h1>
      <div className="grid">
        <Card title="Your goals" className="span-all">
          {goals.data === undefined && goals.error === undefined && <Loading what="Loading your goals" />}
          <LoadError what="your goals" error={goals.error} onRetry={goals.reload} staleSince={goals.data ? goals.updatedAt : undefined} />
          {goals.data?.length === 0 && <p className="muted">No goals yet: add one below.</p>}
          {goals.data && goals.data.length > 0 && (
            <ul className="goal-list" data-testid="goals">
              {goals.data.map((g) => (
                <GoalRow key={g.id} goal={g} onChanged={changed} />
              ))}
            </ul>
          )}
        </Card>
        <Card title="Add a goal" className="span-all">
          {saved && <Notice tone="success">Goal saved. Its chance of success is being computed.</Notice>}
          <GoalForm
            initial={EMPTY}
            submitLabel="Add goal"
            save={(body) => client.post("/goals", body)}
            onSaved={() => {
              setSaved(true);
              changed();
            }}
          />
        </Card>
      </div>
    </div>
  );
}
