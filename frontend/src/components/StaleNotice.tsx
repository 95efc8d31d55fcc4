// "Prices as of 1 May 2026 — offline data": shown when the newest close behind the page's figures is more
// than 4 days old, so nobody takes week-old values for today's.
import { formatDayLong, pricesStale } from "../lib/stale";

export function StaleNotice({ asOf, now }: { asOf: string | null | undefined; now?: Date }) {
  if (!asOf || !pricesStale(asOf, now)) return null;
  return (
    <div className="alert alert-warn" role="status" data-testid="stale-prices">
      <strong>Prices as of {formatDayLong(asOf)} — offline data.</strong> Values use the newest closing prices Parity has; they are not being updated.
    </div>
  );
}
