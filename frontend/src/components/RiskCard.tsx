// The dashboard's risk card: the investor's own portfolio over a range (GET /portfolio/risk: time-weighted
// daily returns against SPY). Too little history is an answer, not a failure: the card says why in the
// server's words ("at least 20 daily returns are needed...") and shows no figure.
import { useState } from "react";
import type { HistoryRange, PortfolioRisk } from "../api/types";
import { useAuth } from "../auth/auth";
import { formatDay, formatPercent } from "../lib/format";
import { useApi } from "../lib/useApi";
import { RiskMetricsTable } from "./RiskMetricsTable";
import { Card, LoadError, Loading } from "./ui";

const RANGES: HistoryRange[] = ["6M", "1Y", "5Y", "MAX"];

function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? "n/a" : formatPercent(v, digits);
}

export function RiskCard({ version = 0 }: { version?: number }) {
  const { client } = useAuth();
  const [range, setRange] = useState<HistoryRange>("1Y");
  const risk = useApi(() => client.get<PortfolioRisk>(`/portfolio/risk?range=${range}`), `${range}:${version}`);
  const r = risk.data;
  return (
    <Card
      title="Risk"
      className="span-2"
      actions={
        <div className="segmented" role="group" aria-label="Risk period">
          {RANGES.map((x) => (
            <button key={x} type="button" aria-pressed={x === range} onClick={() => setRange(x)}>
              {x}
            </button>
          ))}
        </div>
      }
    >
      <div data-testid="risk-card">
        <LoadError what="your risk figures" error={risk.error} onRetry={risk.reload} staleSince={r ? risk.updatedAt : undefined} />
        {!r && risk.loading && <Loading />}
        {r && r.status !== "ok" && (
          <p className="not-enough" data-testid="risk-not-enough">
            <strong>{r.status === "not_enough_history" ? "Not enough history yet." : "Risk figures are unavailable."}</strong> {r.reason ?? ""}
          </p>
        )}
        {r && r.status === "ok" && r.metrics && (
          <>
            <p className="muted">
              Your portfolio's daily returns (time-weighted, so deposits and withdrawals do not count as gains){" "}
              {r.from && r.to && (
                <>
                  from {formatDay(r.from)} to {formatDay(r.to)}, {r.days} trading days,
                </>
              )}{" "}
              against {r.benchmark_symbol ?? "SPY"}.
            </p>
            <dl className="stats compact" data-testid="risk-summary">
              <div className="stat">
                <dt>Volatility</dt>
                <dd data-testid="risk-volatility">{pct(r.metrics.volatility)}</dd>
              </div>
              <div className="stat">
                <dt>Largest fall</dt>
                <dd data-testid="risk-max-drawdown">{pct(r.metrics.max_drawdown)}</dd>
              </div>
              <div className="stat">
                <dt>Bad day (1 in 20)</dt>
                <dd>{r.metrics.var_95 === null ? "n/a" : formatPercent(-r.metrics.var_95, 2)}</dd>
              </div>
              <div className="stat">
                <dt>Beta to SPY</dt>
                <dd>{r.metrics.beta === null || r.metrics.beta === undefined ? "n/a" : r.metrics.beta.toFixed(2)}</dd>
              </div>
            </dl>
            <details>
              <summary>All risk figures, next to SPY</summary>
              <RiskMetricsTable
                label="Your risk figures table"
                testId="portfolio-risk-metrics"
                columns={[{ label: "Your portfolio", metrics: r.metrics }, ...(r.benchmark ? [{ label: r.benchmark_symbol ?? "SPY", metrics: r.benchmark }] : [])]}
              />
            </details>
          </>
        )}
      </div>
    </Card>
  );
}
