// The dashboard's recurring deposits: each schedule and its next date, and the way to manage them.
import type { RecurringList } from "../api/types";
import { useAuth } from "../auth/auth";
import { formatDay } from "../lib/format";
import { formatCents } from "../lib/money";
import { scheduleInSentence } from "../lib/recurring";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import { Card, LoadError, Loading } from "./ui";

export function RecurringCard({ version }: { version: number }) {
  const { client } = useAuth();
  const list = useApi(() => client.get<RecurringList>("/recurring-deposits"), `recurring:${version}`);
  const schedules = list.data?.recurring_deposits;
  return (
    <Card title="Recurring deposits">
      <LoadError what="your recurring deposits" error={list.error} onRetry={list.reload} staleSince={list.data ? list.updatedAt : undefined} />
      {schedules ? (
        schedules.length ? (
          <ul className="plain" data-testid="recurring-card">
            {schedules.map((s) => (
              <li key={s.id}>
                <strong>{formatCents(s.amount_cents)}</strong> {scheduleInSentence(s)}
                <span className="muted small"> · {s.status === "paused" ? "paused" : `next ${formatDay(s.next_day)}`}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">Add money automatically every week, two weeks or month, and invest it at once.</p>
        )
      ) : (
        list.error === undefined && <Loading />
      )}
      <p>
        <Link to="/recurring" className="button secondary">
          {schedules?.length ? "Manage recurring deposits" : "Set up a recurring deposit"}
        </Link>
      </p>
    </Card>
  );
}
