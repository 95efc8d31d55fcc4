// The portfolio's value over the chosen range against the same money in SPY, with net contributions, the
// range's change in dollars and percent, and the values under the pointer. The value axis leaves out zero
// when zero would flatten the movement (charts/lines.ts's rule).
import type { History, Prices } from "../api/types";
import { useAuth } from "../auth/auth";
import { dayIndex, dollarTick } from "../charts/lines";
import { closesOn, rangeChange, sameFlowsInSpy } from "../lib/benchmark";
import { formatDay, formatPercent } from "../lib/format";
import { formatCents } from "../lib/money";
import { useApi } from "../lib/useApi";
import { LineChart } from "./LineChart";

/** SPY's bars from a week before the first day (a range starting on a weekend or holiday needs the close before it). */
function spyFrom(day: string): string {
  return new Date((dayIndex(day) - 7) * 86_400_000).toISOString().slice(0, 10);
}

function tone(v: number): string {
  return v > 0 ? "tone-up" : v < 0 ? "tone-down" : "";
}

export function HistoryChart({ history }: { history: History }) {
  const { client } = useAuth();
  const points = history.points;
  const from = points[0]?.date;
  const to = points[points.length - 1]?.date;
  const spy = useApi(
    () => (from && to && points.length >= 2 ? client.get<Prices>(`/market/prices/SPY?from=${spyFrom(from)}&to=${to}`, { auth: false }) : Promise.resolve(undefined)),
    `spy:${from}:${to}`,
  );
  if (points.length < 2) return <p className="muted">Not enough history yet: come back tomorrow.</p>;
  const days = points.map((p) => p.date);
  const bars = spy.data?.bars ?? [];
  const spyValues = bars.length ? sameFlowsInSpy(points, bars) : null;
  const closes = bars.length ? closesOn([days[0]!, days[days.length - 1]!], bars) : null;
  const spyReturn = closes && closes[0] && closes[1] ? closes[1] / closes[0] - 1 : null;
  const change = rangeChange(points)!;
  const lines = [
    { key: "value", label: "Your portfolio", tone: "s-value", values: points.map((p) => p.value_cents) },
    ...(spyValues ? [{ key: "spy", label: "Same money in SPY", tone: "s-spy", values: spyValues }] : []),
    { key: "contrib", label: "Net contributions", tone: "s-contrib", values: points.map((p) => p.net_contributions_cents), dashed: true },
  ];
  return (
    <div className="history-compare">
      <dl className="stats compact" data-testid="history-change">
        <div className="stat">
          <dt>Gain over the period</dt>
          <dd className={tone(change.gainCents)} data-testid="history-gain">
            {formatCents(change.gainCents, { signed: true })}
          </dd>
        </div>
        <div className="stat">
          <dt>Return (time-weighted)</dt>
          <dd className={tone(history.twr)} data-testid="history-twr">
            {formatPercent(history.twr, 2, { signed: true })}
          </dd>
        </div>
        <div className="stat">
          <dt>SPY, same days</dt>
          <dd className={spyReturn === null ? undefined : tone(spyReturn)} data-testid="history-spy">
            {spyReturn === null ? (spy.error !== undefined ? "not loaded" : spy.loading ? "…" : "—") : formatPercent(spyReturn, 2, { signed: true })}
          </dd>
        </div>
        <div className="stat">
          <dt>Value change</dt>
          <dd data-testid="history-value-change">
            {formatCents(change.valueChangeCents, { signed: true })}
            <span className="stat-note">incl. {formatCents(change.contributionsCents, { signed: true })} moved in or out</span>
          </dd>
        </div>
      </dl>
      <LineChart
        days={days}
        lines={lines}
        testId="history-chart"
        className="history"
        title={`Value from ${formatDay(history.from)} to ${formatDay(history.to)}: now ${formatCents(history.value_cents)}, time-weighted return ${formatPercent(history.twr, 2)}${
          spyReturn === null ? "" : `; SPY ${formatPercent(spyReturn, 2)} over the same days`
        }`}
        formatY={dollarTick}
        formatValue={(v) => formatCents(Math.round(v))}
      />
      <p className="muted small">
        “Same money in SPY”: every dollar moved into or out of your portfolio bought or sold SPY on the same day instead, starting from your
        portfolio's value on {formatDay(points[0]!.date)}; closing prices, dividends left out on both sides.
        {spy.error !== undefined && " SPY's prices could not be loaded, so the comparison is missing."}
      </p>
    </div>
  );
}
