// The portfolio's value and net contributions over time, as an SVG line chart.
import { useId } from "react";
import type { History } from "../api/types";
import { historyBox, historyGeometry, HISTORY_BOX } from "../charts/history";
import { useElementWidth } from "../lib/useWidth";
import { formatCents } from "../lib/money";
import { formatPercent } from "../lib/format";

export function HistoryChart({ history }: { history: History }) {
  const titleId = useId();
  const [measure, width] = useElementWidth<HTMLElement>(HISTORY_BOX.width);
  const points = history.points;
  if (points.length < 2) return <p className="muted">Not enough history yet: come back tomorrow.</p>;
  const box = historyBox(width);
  const g = historyGeometry(points, box);
  return (
    <figure className="chart history" ref={measure}>
      <svg viewBox={`0 0 ${box.width} ${box.height}`} role="img" aria-labelledby={titleId} data-testid="history-chart">
        <title id={titleId}>
          Value from {history.from} to {history.to}: now {formatCents(history.value_cents)}, time-weighted return{" "}
          {formatPercent(history.twr, 2)}
        </title>
        <g className="grid">
          {g.yTicks.map((t) => (
            <g key={t.value}>
              <line x1={g.plot.left} x2={g.plot.right} y1={t.pos} y2={t.pos} />
              <text x={g.plot.left - 8} y={t.pos} dy="0.32em" textAnchor="end">
                {t.label}
              </text>
            </g>
          ))}
          {g.xTicks.map((t, i) => (
            <text key={t.value} x={t.pos} y={g.plot.bottom + 20} textAnchor={i === 0 ? "start" : i === g.xTicks.length - 1 ? "end" : "middle"}>
              {t.label}
            </text>
          ))}
        </g>
        <path className="line line-contrib" d={g.contributions} />
        <path className="line line-value" d={g.value} />
      </svg>
      <figcaption>
        <span className="swatch swatch-value" /> value <span className="swatch swatch-contrib" /> net contributions · time-weighted return{" "}
        <strong>{formatPercent(history.twr, 2, { signed: true })}</strong>
        {history.prices_as_of && <> · prices as of {history.prices_as_of}</>}
      </figcaption>
    </figure>
  );
}
