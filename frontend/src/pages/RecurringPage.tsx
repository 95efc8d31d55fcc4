// Recurring deposits: the investor's schedules, each paused, resumed, edited or deleted in place, and a
// new one through the same review step as every money move.
import { useState } from "react";
import type { RecurringDeposit, RecurringList } from "../api/types";
import { useAuth } from "../auth/auth";
import { RecurringForm, type ScheduleSettings } from "../components/RecurringForm";
import { Card, ErrorBox, LoadError, Loading } from "../components/ui";
import { formatDay } from "../lib/format";
import { formatCents } from "../lib/money";
import { describeSchedule } from "../lib/recurring";
import { useApi } from "../lib/useApi";

type Mode = { kind: "edit" | "delete"; id: number } | null;

function ScheduleRow({
  s,
  mode,
  canInvest,
  onMode,
  onChanged,
}: {
  s: RecurringDeposit;
  mode: Mode;
  canInvest: boolean;
  onMode(m: Mode): void;
  onChanged(): void;
}) {
  const { client } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const path = `/recurring-deposits/${s.id}`;
  const act = async (fn: () => Promise<unknown>) => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      onMode(null);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const paused = s.status === "paused";
  return (
    <li className="schedule" data-testid="schedule" data-status={s.status}>
      <div className="schedule-head">
        <strong>
          {formatCents(s.amount_cents)} · {describeSchedule(s)}
        </strong>
        <span className="muted small">
          {paused ? "Paused" : <>Next: <span data-testid="schedule-next">{formatDay(s.next_day)}</span></>}
          {s.last_day && <> · last: {formatDay(s.last_day)}</>} · {s.auto_invest ? "invested" : "kept as cash"}
        </span>
      </div>
      {mode?.id === s.id && mode.kind === "edit" ? (
        <RecurringForm
          initial={s}
          verb="Save"
          canInvest={canInvest}
          save={(v: ScheduleSettings) => client.request<RecurringDeposit>("PATCH", path, { body: v })}
          onDone={onChanged}
          onCancel={() => onMode(null)}
        />
      ) : mode?.id === s.id && mode.kind === "delete" ? (
        <div className="confirm" role="group" aria-label="Delete this recurring deposit">
          <p>Delete this recurring deposit? No more deposits are made; the past ones stay in your wallet and transactions.</p>
          <div className="button-row">
            <button type="button" className="danger" onClick={() => act(() => client.delete(path))} disabled={busy}>
              {busy ? "Working…" : "Confirm: delete"}
            </button>
            <button type="button" className="secondary" onClick={() => onMode(null)} disabled={busy}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <div className="button-row">
          <button type="button" className="secondary" disabled={busy} onClick={() => act(() => client.request("PATCH", path, { body: { paused: !paused } }))}>
            {paused ? "Resume" : "Pause"}
          </button>
          <button type="button" className="secondary" onClick={() => onMode({ kind: "edit", id: s.id })}>
            Edit
          </button>
          <button type="button" className="secondary" onClick={() => onMode({ kind: "delete", id: s.id })}>
            Delete
          </button>
        </div>
      )}
      <ErrorBox error={error} />
    </li>
  );
}

export function RecurringPage() {
  const { client, me } = useAuth();
  const [version, setVersion] = useState(0);
  const [mode, setMode] = useState<Mode>(null);
  const [creating, setCreating] = useState(false);
  const list = useRecurring(version);
  const canInvest = Boolean(me?.bucket);
  const bump = () => setVersion((v) => v + 1);
  const schedules = list.data?.recurring_deposits;
  return (
    <div className="page">
      <h1>Recurring deposits</h1>
      <p className="muted">Money added on a schedule, and invested at once if you like. Pause, change or delete a schedule at any time.</p>
      <div className="grid">
        <Card title="Your schedules" className="span-all">
          <LoadError what="your recurring deposits" error={list.error} onRetry={list.reload} staleSince={list.data ? list.updatedAt : undefined} />
          {schedules ? (
            schedules.length ? (
              <ul className="schedules" data-testid="schedules">
                {schedules.map((s) => (
                  <ScheduleRow key={s.id} s={s} mode={mode} canInvest={canInvest} onMode={setMode} onChanged={bump} />
                ))}
              </ul>
            ) : (
              <p className="muted">No recurring deposits yet.</p>
            )
          ) : (
            list.error === undefined && <Loading />
          )}
        </Card>
        <Card title="New recurring deposit" className="span-all">
          {creating ? (
            <RecurringForm
              verb="Create"
              canInvest={canInvest}
              save={(v, idempotencyKey) => client.post<RecurringDeposit>("/recurring-deposits", v, { idempotencyKey })}
              onDone={bump}
              onCancel={() => setCreating(false)}
            />
          ) : (
            <button type="button" onClick={() => setCreating(true)}>
              Set up a recurring deposit
            </button>
          )}
        </Card>
      </div>
    </div>
  );
}

/** The investor's schedules, read again when `version` changes. */
export function useRecurring(version: number) {
  const { client } = useAuth();
  return useApi(() => client.get<RecurringList>("/recurring-deposits"), `recurring:${version}`);
}
