// One model portfolio (a bucket): its funds by asset class, its risk over the lookback against SPY, and the
// walk-forward backtest of SPEC §8a against SPY and 60/40 (growth with a log-scale toggle, drawdowns and
// the metrics). Public data (the models' endpoints need no login), reachable from onboarding and the dashboard.
import { useState } from "react";
import { ApiError } from "../api/client";
import type { Model, ModelBacktest, ModelRisk, RiskMetrics } from "../api/types";
import { useAuth } from "../auth/auth";
import { AllocationChart } from "../components/AllocationChart";
import { LineChart, type ChartLine } from "../components/LineChart";
import { RiskMetricsTable, RISK_ROWS } from "../components/RiskMetricsTable";
import { StaleNotice } from "../components/StaleNotice";
import { Card, LoadError, Loading } from "../components/ui";
import { dollarTick, drawdowns, percentTick } from "../charts/lines";
import { describeBucket, formatDay, formatPercent, HORIZON_NAMES, RISK_NAMES } from "../lib/format";
import { formatCents } from "../lib/money";
import { Link, navigate, useLocation } from "../lib/router";
import { useApi, type Resource } from "../lib/useApi";

export const BUCKET_RE = /^risk_([1-5])_horizon_(short|medium|long)$/;
export const BUCKETS = [1, 2, 3, 4, 5].flatMap((r) => ["short", "medium", "long"].map((h) => `risk_${r}_horizon_${h}`));

/** The bucket of a /models/<bucket> path, or null. */
export function bucketOfPath(path: string): string | null {
  const m = /^\/models\/([^/]+)\/?$/.exec(path);
  if (!m) return null;
  const b = decodeURIComponent(m[1]!);
  return BUCKET_RE.test(b) ? b : null;
}

/** Growth of this many dollars: a backtest's values start at 1, which means little to an investor. */
export const GROWTH_OF_CENTS = 1_000_000;

const BENCHMARKS = [
  { key: "SPY", label: "SPY (S&P 500)", tone: "s-spy" },
  { key: "60/40", label: "60/40 (SPY and BND)", tone: "s-6040" },
];

/** The page's words for a load that failed: "not computed yet" is a 404 the pipeline fixes, not a fault. */
function NotYet({ what, resource }: { what: string; resource: Resource<unknown> }) {
  if (resource.error instanceof ApiError && resource.error.status === 404)
    return (
      <p className="muted" role="status">
        The {what} of this model {resource.error.message.includes("yet") ? "are not computed yet" : "are not available"}: they are computed every day after the
        models. Try again later.
      </p>
    );
  return <LoadError what={`the ${what}`} error={resource.error} onRetry={resource.reload} staleSince={resource.data ? resource.updatedAt : undefined} />;
}

/** The three series on the bucket's days (the API thins them on the same days; a missing day is a gap). */
export function backtestLines(bt: ModelBacktest, bucket: string): { days: string[]; lines: ChartLine[] } {
  const own = bt.series[bucket];
  const days = own ? own.values.map(([d]) => d) : [];
  const lines: ChartLine[] = [{ key: bucket, label: "This model", tone: "s-model", values: own ? own.values.map(([, v]) => v) : [] }];
  for (const b of BENCHMARKS) {
    const s = bt.series[b.key];
    if (!s) continue;
    const byDay = new Map(s.values.map(([d, v]) => [d, v]));
    lines.push({ key: b.key, label: b.label, tone: b.tone, values: days.map((d) => byDay.get(d) ?? null) });
  }
  return { days, lines };
}

function BacktestCharts({ bt, bucket }: { bt: ModelBacktest; bucket: string }) {
  const [log, setLog] = useState(false);
  const { days, lines } = backtestLines(bt, bucket);
  if (days.length < 2) return <p className="muted">The backtest has too few days to draw.</p>;
  const growth: ChartLine[] = lines.map((l) => ({ ...l, values: l.values.map((v) => (v === null ? null : v * GROWTH_OF_CENTS)) }));
  const dd: ChartLine[] = lines.map((l) => ({ ...l, values: drawdowns(l.values) }));
  const own = bt.series[bucket];
  const columns = [
    ...(own ? [{ label: "This model", s: own }] : []),
    ...BENCHMARKS.flatMap((b) => (bt.series[b.key] ? [{ label: b.label, s: bt.series[b.key]! }] : [])),
  ];
  const thinned = bt.downsampling && bt.downsampling.method !== "none";
  return (
    <>
      <Card
        title="Backtest: growth of $10,000"
        className="span-all"
        actions={
          <button type="button" className="secondary small-button" aria-pressed={log} onClick={() => setLog((l) => !l)} data-testid="log-toggle">
            Log scale
          </button>
        }
      >
        <p className="muted">
          Walk-forward from {formatDay(bt.from)} to {formatDay(bt.to)}: each month the model is rebuilt from the prices known that day, traded at the next
          day's close, with {bt.cost_bps} bps of costs; {bt.decisions} monthly decisions. {log ? "Log scale: equal heights are equal percentage moves." : ""}
        </p>
        <LineChart
          days={days}
          lines={growth}
          log={log}
          testId="backtest-chart"
          title={`Growth of $10,000 from ${formatDay(bt.from)} to ${formatDay(bt.to)}${log ? ", log scale" : ""}: ${lines
            .map((l) => `${l.label} ${formatCents(Math.round((l.values[l.values.length - 1] ?? 0) * GROWTH_OF_CENTS))}`)
            .join(", ")}`}
          formatY={dollarTick}
          formatValue={(v) => formatCents(Math.round(v))}
        />
      </Card>
      <Card title="Drawdowns" className="span-all">
        <p className="muted">How far each line was below its own previous high, day by day.</p>
        <LineChart
          days={days}
          lines={dd}
          testId="drawdown-chart"
          className="drawdown"
          height={220}
          title={`Drawdowns from ${formatDay(bt.from)} to ${formatDay(bt.to)}: the largest ${columns
            .map((c) => `${c.label} ${c.s.metrics.max_drawdown === null ? "none" : formatPercent(c.s.metrics.max_drawdown, 1)}`)
            .join(", ")}`}
          formatY={percentTick}
          formatValue={(v) => formatPercent(v, 1)}
        />
        {thinned && (
          <p className="muted small">
            Drawn from {bt.downsampling!.points} of {bt.downsampling!.total_points} days; the figures in the tables use every day.
          </p>
        )}
      </Card>
      <Card title="Backtest figures" className="span-all">
        <RiskMetricsTable
          label="Backtest figures table"
          testId="backtest-metrics"
          columns={columns.map((c) => ({ label: c.label, metrics: c.s.metrics }))}
          rows={[
            ...RISK_ROWS.filter((r) => ["total_return", "cagr", "volatility", "sharpe", "max_drawdown", "calmar"].includes(r.key)),
            {
              key: "turnover" as keyof RiskMetrics,
              label: "Turnover",
              hint: "share of the portfolio traded per year",
              format: (m: RiskMetrics) => {
                const c = columns.find((x) => x.s.metrics === m);
                return c && c.s.turnover !== null ? formatPercent(c.s.turnover, 1) : "n/a";
              },
            },
            {
              key: "executions" as keyof RiskMetrics,
              label: "Trading days",
              hint: "days the rule ran",
              format: (m: RiskMetrics) => String(columns.find((x) => x.s.metrics === m)?.s.executions ?? "—"),
            },
          ]}
        />
      </Card>
    </>
  );
}

export function ModelPage() {
  const { client } = useAuth();
  const { path } = useLocation();
  const bucket = bucketOfPath(path);
  const key = bucket ?? "none";
  const enc = encodeURIComponent(key);
  const model = useApi(() => (bucket ? client.get<Model>(`/models/${enc}`, { auth: false }) : Promise.resolve(undefined)), `model:${key}`);
  const risk = useApi(() => (bucket ? client.get<ModelRisk>(`/models/${enc}/risk`, { auth: false }) : Promise.resolve(undefined)), `risk:${key}`);
  const bt = useApi(() => (bucket ? client.get<ModelBacktest>(`/models/${enc}/backtest`, { auth: false }) : Promise.resolve(undefined)), `bt:${key}`);

  if (!bucket)
    return (
      <div className="page narrow">
        <h1>No such model portfolio</h1>
        <p>
          Model portfolios are named risk_1_horizon_short to risk_5_horizon_long. <Link to="/">Go to the dashboard</Link>.
        </p>
      </div>
    );
  const m = BUCKET_RE.exec(bucket)!;
  const asOf = model.data?.prices_as_of ?? risk.data?.prices_as_of ?? bt.data?.prices_as_of;
  return (
    <div className="page">
      <h1>Model portfolio: {describeBucket(bucket)}</h1>
      <p className="muted">
        {RISK_NAMES[Number(m[1])]} · {HORIZON_NAMES[m[2]!]}
        {model.data && <> · built from prices up to {formatDay(model.data.as_of)}</>}
      </p>
      <StaleNotice asOf={asOf} />
      <div className="inline-field">
        <label htmlFor="other-model">Show another model</label>
        <select id="other-model" value={bucket} onChange={(e) => navigate(`/models/${e.target.value}`)}>
          {BUCKETS.map((b) => (
            <option key={b} value={b}>
              {describeBucket(b)}
            </option>
          ))}
        </select>
      </div>
      <div className="grid">
        <Card title="Allocation by asset class" className="span-2">
          {model.loading && !model.data && <Loading />}
          <NotYet what="weights" resource={model} />
          {model.data && <AllocationChart weights={model.data.weights} />}
        </Card>
        <Card title="Risk">
          {risk.loading && !risk.data && <Loading />}
          <NotYet what="risk figures" resource={risk} />
          {risk.data && (
            <>
              <p className="muted">
                Today's weights held over the last {risk.data.days} trading days ({formatDay(risk.data.from)} to {formatDay(risk.data.to)}), against{" "}
                {risk.data.benchmark_symbol}.
              </p>
              <dl className="stats compact" data-testid="risk-panel">
                <div className="stat">
                  <dt>Volatility</dt>
                  <dd>{risk.data.metrics.volatility === null ? "n/a" : formatPercent(risk.data.metrics.volatility, 1)}</dd>
                </div>
                <div className="stat">
                  <dt>Largest fall</dt>
                  <dd>{risk.data.metrics.max_drawdown === null ? "n/a" : formatPercent(risk.data.metrics.max_drawdown, 1)}</dd>
                </div>
                <div className="stat">
                  <dt>Bad day (1 in 20)</dt>
                  <dd>{risk.data.metrics.var_95 === null ? "n/a" : formatPercent(-risk.data.metrics.var_95, 2)}</dd>
                </div>
                <div className="stat">
                  <dt>Sharpe ratio</dt>
                  <dd>{risk.data.metrics.sharpe === null ? "n/a" : risk.data.metrics.sharpe.toFixed(2)}</dd>
                </div>
              </dl>
            </>
          )}
        </Card>
        {risk.data && (
          <Card title="Risk metrics" className="span-all">
            <RiskMetricsTable
              label="Risk metrics table"
              testId="risk-metrics"
              columns={[
                { label: "This model", metrics: risk.data.metrics },
                { label: risk.data.benchmark_symbol, metrics: risk.data.benchmark },
              ]}
            />
          </Card>
        )}
        {bt.data ? (
          <BacktestCharts bt={bt.data} bucket={bucket} />
        ) : (
          <Card title="Backtest" className="span-all">
            {bt.loading && <Loading />}
            <NotYet what="backtest figures" resource={bt} />
          </Card>
        )}
      </div>
    </div>
  );
}
