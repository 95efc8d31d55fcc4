// The history chart's SPY line: what the same money would have been worth in SPY. Money moved into or out of
// the portfolio (the change in net contributions between two points) buys or sells SPY at the start of the
// step, as the history's own time-weighted return counts flows (r = V_d / (V_{d-1} + F_d) - 1), and each step
// then grows by SPY's close-to-close change. Without flows this is SPY scaled to the portfolio's first value.
// Closes, not adjusted closes: the portfolio's value is a price value too (dividends are not in either).
import type { HistoryPoint, PriceBar } from "../api/types";

/** SPY's close on each day: the newest close on or before it (a weekend uses Friday's), null before the first bar. */
export function closesOn(days: string[], bars: PriceBar[]): (number | null)[] {
  const sorted = [...bars].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const out: (number | null)[] = [];
  let j = -1;
  for (const day of days) {
    while (j + 1 < sorted.length && sorted[j + 1]!.date <= day) j++;
    out.push(j >= 0 ? sorted[j]!.close : null);
  }
  return out;
}

/**
 * The value in cents, at each point, of the portfolio's flows put into SPY instead (rounded to the cent for
 * display; the chain itself is kept unrounded). null where SPY has no close yet.
 */
export function sameFlowsInSpy(points: HistoryPoint[], bars: PriceBar[]): (number | null)[] {
  const closes = closesOn(
    points.map((p) => p.date),
    bars,
  );
  const out: (number | null)[] = [];
  let value: number | null = null;
  let prevClose: number | null = null;
  let prevContrib = 0;
  points.forEach((p, i) => {
    const close = closes[i] ?? null;
    if (close === null || !(close > 0)) {
      out.push(null);
      return;
    }
    if (value === null || prevClose === null) {
      value = p.value_cents; // the start: the portfolio's own value that day
    } else {
      const flow = p.net_contributions_cents - prevContrib;
      value = (value + flow) * (close / prevClose);
    }
    prevClose = close;
    prevContrib = p.net_contributions_cents;
    out.push(Math.round(value));
  });
  return out;
}

/** The change over a range: in dollars, the gain net of money moved in or out; in percent, the time-weighted return. */
export interface RangeChange {
  valueChangeCents: number;
  contributionsCents: number;
  gainCents: number;
}

export function rangeChange(points: HistoryPoint[]): RangeChange | null {
  if (points.length < 2) return null;
  const a = points[0]!;
  const b = points[points.length - 1]!;
  const valueChangeCents = b.value_cents - a.value_cents;
  const contributionsCents = b.net_contributions_cents - a.net_contributions_cents;
  return { valueChangeCents, contributionsCents, gainCents: valueChangeCents - contributionsCents };
}
