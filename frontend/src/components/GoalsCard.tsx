// The dashboard's goals card: each goal's chance of success in one line, and a link to the Goals page.
import { useEffect } from "react";
import type { Goal } from "../api/types";
import { useAuth } from "../auth/auth";
import { formatDay } from "../lib/format";
import { GOAL_POLL_MS, goalPending, goalStatusText } from "../lib/goals";
import { formatCents } from "../lib/money";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import { Card, LoadError, Loading } from "./ui";

const SHOWN = 3;

/** `version` changes after money moves: the goals are read again (their forecasts may be stale). */
export function GoalsCard({ version = 0 }: { version?: number }) {
  const { client } = useAuth();
  const goals = useApi(() => client.get<{ goals: Goal[] }>("/goals").then((a) => a.goals), `goals:${version}`);
  const pending = goalPending(goals.data);
  const { reload } = goals;
  useEffect(() => {
    if (!pending) return;
    const t = setTimeout(reload, GOAL_POLL_MS);
    return () => clearTimeout(t);
  }, [pending, goals.data, reload]);
  return (
    <Card title="Goals" actions={<Link to="/goals">All goals</Link>}>
      {goals.data === undefined && goals.error === undefined && <Loading what="Loading your goals" />}
      <LoadError what="your goals" error={goals.error} onRetry={goals.reload} staleSince={goals.data ? goals.updatedAt : undefined} />
      {goals.data?.length === 0 && (
        <p className="muted">
          No goals yet. <Link to="/goals">Set a goal</Link> and see your chance of reaching it.
        </p>
      )}
      {goals.data && goals.data.length > 0 && (
        <ul className="goal-list" data-testid="dashboard-goals">
          {goals.data.slice(0, SHOWN).map((g) => (
            <li key={g.id} className={`goal goal-${g.status}`}>
              <strong>{g.name}</strong>: {formatCents(g.target_cents)} by {formatDay(g.target_date)}
              <br />
              <span className="goal-status">{goalStatusText(g)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
