// Goals in words: the status line of a goal and how often the page reads again while a forecast runs.
import type { Goal } from "../api/types";
import { formatPercent } from "./format";

/** While any goal's forecast is being computed, the goals are read again this often. */
export const GOAL_POLL_MS = 1500;

export function goalPending(goals: Goal[] | undefined): boolean {
  return Boolean(goals?.some((g) => g.status === "pending"));
}

/** "72% chance · on track", "Computing…", the reason it cannot be computed, or "Target date reached". */
export function goalStatusText(g: Goal): string {
  switch (g.status) {
    case "pending":
      return "Computing the chance of success…";
    case "unavailable":
      return g.reason ? `Not available: ${g.reason}.` : "Not available yet.";
    case "due":
      return "The target date is less than a month away.";
    default:
      return `${formatPercent(g.probability ?? 0, 0)} chance · ${g.status === "on_track" ? "on track" : "off track"}`;
  }
}
