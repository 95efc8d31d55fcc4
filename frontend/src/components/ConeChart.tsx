// The forecast's cone of uncertainty as an SVG: P5-P95, P10-P90 and P25-P75 bands, the P50 line, the goal
// (when there is one) and a table of the same figures for readers who cannot see the chart.
import { useId } from "react";
import type { ForecastResult } from "../api/types";
import { CONE_BOX, coneBox, coneGeometry, spreadLabels } from "../charts/cone";
import { useElementWidth } from "../lib/useWidth";
import { formatWholeDollars } from "../lib/money";
import { TableRegion } from "./ui";

const LABEL_GAP = 14;

/** Months shown in the table: every year up to five, then every fifth year, and the last month. */
export function tableMonths(last: number): number[] {
  const out: number[] = [];
  for (let m = 12; m <= last; m += 12) if (m <= 60 || m % 60 === 0) out.push(m);
  if (!out.includes(last)) out.push(last);
  return out;
}

export function ConeChart({ result }: { result: ForecastResult }) {
  const [measure, width] = useElementWidth<HTMLElement>(CONE_BOX.width);
  const g = coneGeometry(result, coneBox(width));
  const titleId = useId();
  const descId = useId();
  const last = result.months.length - 1;
  const [y10, y50, y90] = spreadLabels([g.ends.p10, g.ends.p50, g.ends.p90], LABEL_GAP);
  const years = (result.months[last] ?? 0) / 12;
  return (
    <figure className="chart cone" ref={measure}>
      <svg
        viewBox={`0 0 ${g.box.width} ${g.box.height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        data-testid="cone-chart"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={titleId}>Forecast of your portfolio over {years >= 2 ? `${years} years` : `${result.months[last]} months`}</title>
        <desc id={descId}>
          Median (P50) {formatWholeDollars(result.p50[last] ?? 0)} at the end; 80% of outcomes between{" "}
          {formatWholeDollars(result.p10[last] ?? 0)} and {formatWholeDollars(result.p90[last] ?? 0)}.
        </desc>
        <g className="grid">
          {g.yTicks.map((t) => (
            <g key={t.value}>
              <line x1={g.plot.left} x2={g.plot.right} y1={t.pos} y2={t.pos} />
              <text x={g.plot.left - 8} y={t.pos} dy="0.32em" textAnchor="end">
                {t.label}
              </text>
            </g>
          ))}
          {g.xTicks.map((t) => (
            <text key={t.value} x={t.pos} y={g.plot.bottom + 20} textAnchor="middle">
              {t.label}
            </text>
          ))}
        </g>
        <path className="band band-outer" d={g.bands.p5p95} data-band="p5-p95" />
        <path className="band band-mid" d={g.bands.p10p90} data-band="p10-p90" />
        <path className="band band-inner" d={g.bands.p25p75} data-band="p25-p75" />
        <path className="line line-edge" d={g.lines.p10} data-line="p10" />
        <path className="line line-edge" d={g.lines.p90} data-line="p90" />
        <path className="line line-median" d={g.lines.p50} data-line="p50" />
        {g.goalY !== null && (
          <g className="goal">
            <line x1={g.plot.left} x2={g.plot.right} y1={g.goalY} y2={g.goalY} />
            <text x={g.plot.left + 6} y={g.goalY - 6}>
              Goal {formatWholeDollars(result.goal_cents ?? 0)}
            </text>
          </g>
        )}
        <g className="end-labels">
          <text x={g.ends.x + 6} y={y90} dy="0.32em">
            P90
          </text>
          <text x={g.ends.x + 6} y={y50} dy="0.32em" className="median-label">
            P50
          </text>
          <text x={g.ends.x + 6} y={y10} dy="0.32em">
            P10
          </text>
        </g>
      </svg>
      <figcaption>
        <span className="swatch swatch-inner" /> half of outcomes (P25–P75) <span className="swatch swatch-mid" /> 80% (P10–P90){" "}
        <span className="swatch swatch-outer" /> 90% (P5–P95) <span className="swatch swatch-median" /> median (P50)
      </figcaption>
      <p className="muted small" id={`${titleId}-table`}>
        Forecast by year, in dollars of the day (not adjusted for inflation):
      </p>
      <TableRegion label="Forecast by year (table)">
        <table className="numbers" data-testid="cone-table" aria-describedby={`${titleId}-table`}>
          <thead>
            <tr>
              <th scope="col">Year</th>
              <th scope="col">
                <span className="wide-only">Pessimistic </span>P10
              </th>
              <th scope="col">
                <span className="wide-only">Median </span>P50
              </th>
              <th scope="col">
                <span className="wide-only">Optimistic </span>P90
              </th>
            </tr>
          </thead>
          <tbody>
            {tableMonths(result.months[last] ?? 0).map((m) => (
              <tr key={m}>
                <th scope="row">{m % 12 === 0 ? m / 12 : `${(m / 12).toFixed(1)} (${m} months)`}</th>
                <td>{formatWholeDollars(result.p10[m] ?? 0)}</td>
                <td>{formatWholeDollars(result.p50[m] ?? 0)}</td>
                <td>{formatWholeDollars(result.p90[m] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </figure>
  );
}
