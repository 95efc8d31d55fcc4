// SPEC §8a's risk metrics as a table: one column per series (a portfolio or model, then its benchmark), one
// row per metric, each named in words. A metric the API gives as null (undefined for that series: no
// drawdown, no variance) reads "n/a"; one that does not apply to a column (beta of SPY against itself) "—".
import type { RiskMetrics } from "../api/types";
import { formatPercent } from "../lib/format";
import { TableRegion } from "./ui";

type Key = keyof RiskMetrics;

interface Row {
  key: Key;
  label: string;
  hint: string;
  format(m: RiskMetrics): string;
}

function num(v: number | null | undefined, show: (x: number) => string): string {
  if (v === undefined) return "—";
  if (v === null || !Number.isFinite(v)) return "n/a";
  return show(v);
}

const pct = (k: Key, digits = 2) => (m: RiskMetrics) => num(m[k] as number | null | undefined, (x) => formatPercent(x, digits));
const ratio = (k: Key) => (m: RiskMetrics) => num(m[k] as number | null | undefined, (x) => x.toFixed(2));

export const RISK_ROWS: Row[] = [
  { key: "total_return", label: "Total return", hint: "over the whole period", format: pct("total_return") },
  { key: "cagr", label: "Growth per year (CAGR)", hint: "compound annual growth", format: pct("cagr") },
  { key: "volatility", label: "Volatility", hint: "annualised standard deviation of daily returns", format: pct("volatility") },
  { key: "sharpe", label: "Sharpe ratio", hint: "return per unit of volatility", format: ratio("sharpe") },
  { key: "sortino", label: "Sortino ratio", hint: "return per unit of downside volatility", format: ratio("sortino") },
  { key: "max_drawdown", label: "Largest fall (max drawdown)", hint: "from a peak to the lowest point after it", format: pct("max_drawdown") },
  {
    key: "max_drawdown_days",
    label: "Length of that fall",
    hint: "trading days from the peak to recovery",
    format: (m) => (m.max_drawdown_days === undefined ? "—" : `${m.max_drawdown_days} days${m.max_drawdown && !m.recovered ? ", not recovered" : ""}`),
  },
  { key: "calmar", label: "Calmar ratio", hint: "growth per year over the largest fall", format: ratio("calmar") },
  { key: "var_95", label: "Value at risk, 95%", hint: "a daily loss exceeded on 1 day in 20", format: pct("var_95") },
  { key: "cvar_95", label: "Expected shortfall, 95%", hint: "the average loss on those days", format: pct("cvar_95") },
  { key: "var_99", label: "Value at risk, 99%", hint: "a daily loss exceeded on 1 day in 100", format: pct("var_99") },
  { key: "cvar_99", label: "Expected shortfall, 99%", hint: "the average loss on those days", format: pct("cvar_99") },
  { key: "pvar_95", label: "Value at risk, 95%, normal", hint: "the same, assuming normally distributed returns", format: pct("pvar_95") },
  { key: "pvar_99", label: "Value at risk, 99%, normal", hint: "the same, assuming normally distributed returns", format: pct("pvar_99") },
  { key: "beta", label: "Beta", hint: "how much it moves when SPY moves 1%", format: ratio("beta") },
  { key: "alpha", label: "Alpha", hint: "annual return beyond what beta explains", format: pct("alpha") },
  { key: "correlation", label: "Correlation with SPY", hint: "1: always together", format: ratio("correlation") },
  { key: "tracking_error", label: "Tracking error", hint: "annual volatility of the difference from SPY", format: pct("tracking_error") },
  { key: "information_ratio", label: "Information ratio", hint: "annual excess return over tracking error", format: ratio("information_ratio") },
];

export interface MetricsColumn {
  label: string;
  metrics: RiskMetrics;
}

export function RiskMetricsTable({ columns, label, rows = RISK_ROWS, testId }: { columns: MetricsColumn[]; label: string; rows?: Row[]; testId?: string }) {
  return (
    <TableRegion label={label}>
      <table className="numbers metrics" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {columns.map((c) => (
              <th scope="col" key={c.label}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-metric={r.key}>
              <th scope="row">
                {r.label}
                <span className="metric-hint">{r.hint}</span>
              </th>
              {columns.map((c) => (
                <td key={c.label}>{r.format(c.metrics)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
