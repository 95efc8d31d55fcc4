// A time-series line chart in SVG: several named lines over the same days, a linear or log value axis, and
// the values under the pointer (or the keyboard: focus the chart, then arrow keys, Home and End). The values
// of the day shown are written out under the chart too, for readers who cannot see the lines.
import { useId, useState, type KeyboardEvent, type PointerEvent } from "react";
import { linesBox, linesGeometry, nearestIndex, LINES_BOX } from "../charts/lines";
import { formatDay } from "../lib/format";
import { useElementWidth } from "../lib/useWidth";

export interface ChartLine {
  key: string;
  label: string;
  /** CSS class of the line and its swatch: s-value, s-contrib, s-spy, s-6040, s-model. */
  tone: string;
  values: (number | null)[];
  /** Dashed (a reference line rather than a result). */
  dashed?: boolean;
}

export interface LineChartProps {
  days: string[];
  lines: ChartLine[];
  /** The chart's accessible name: what it shows, over which days. */
  title: string;
  /** A tick's label (`step`: the gap between ticks). */
  formatY(v: number, step: number): string;
  /** How a hovered value reads. */
  formatValue(v: number): string;
  log?: boolean;
  height?: number;
  testId?: string;
  className?: string;
}

export function LineChart({ days, lines, title, formatY, formatValue, log, height, testId, className }: LineChartProps) {
  const titleId = useId();
  const readoutId = useId();
  const hintId = useId();
  const [measure, width] = useElementWidth<HTMLElement>(LINES_BOX.width);
  const [active, setActive] = useState<number | null>(null);
  const box = linesBox(width, height);
  const g = linesGeometry(days, lines, box, { log, formatY });
  const fmt = formatValue;
  const shown = active ?? days.length - 1;
  const last = days.length - 1;

  const onPointer = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    if (rect.width <= 0) return;
    const px = ((e.clientX - rect.left) * box.width) / rect.width;
    setActive(nearestIndex(g.xs, px));
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    const cur = active ?? last;
    const step = Math.max(1, Math.round(days.length / 50));
    let next: number | null = null;
    if (e.key === "ArrowLeft") next = Math.max(0, cur - (e.shiftKey ? step : 1));
    else if (e.key === "ArrowRight") next = Math.min(last, cur + (e.shiftKey ? step : 1));
    else if (e.key === "PageDown") next = Math.max(0, cur - step);
    else if (e.key === "PageUp") next = Math.min(last, cur + step);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = last;
    else if (e.key === "Escape") setActive(null);
    if (next !== null) {
      e.preventDefault();
      setActive(next);
    }
  };

  const cx = shown >= 0 ? g.xs[shown] : undefined;
  return (
    <figure className={`chart lines ${className ?? ""}`} ref={measure}>
      <svg
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-labelledby={titleId}
        aria-describedby={`${readoutId} ${hintId}`}
        data-testid={testId}
        data-scale={g.log ? "log" : "linear"}
        tabIndex={0}
        onPointerMove={onPointer}
        onPointerDown={onPointer}
        onPointerLeave={() => setActive(null)}
        onKeyDown={onKey}
        onBlur={() => setActive(null)}
      >
        <title id={titleId}>{title}</title>
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
            <text
              key={t.value}
              x={t.pos}
              y={g.plot.bottom + 20}
              textAnchor={g.xTicks.length > 3 ? "middle" : i === 0 ? "start" : i === g.xTicks.length - 1 ? "end" : "middle"}
            >
              {t.label}
            </text>
          ))}
        </g>
        {g.zeroY !== null && <line className="zero" x1={g.plot.left} x2={g.plot.right} y1={g.zeroY} y2={g.zeroY} />}
        {g.paths.map((p, i) => (
          <path key={p.key} className={`line ${lines[i]!.tone}${lines[i]!.dashed ? " dashed" : ""}`} d={p.d} data-series={p.key} />
        ))}
        {active !== null && cx !== undefined && (
          <g className="cursor" data-testid={testId ? `${testId}-cursor` : undefined}>
            <line x1={cx} x2={cx} y1={g.plot.top} y2={g.plot.bottom} />
            {g.paths.map((p, i) => {
              const y = p.ys[active];
              return y === null || y === undefined ? null : <circle key={p.key} className={lines[i]!.tone} cx={cx} cy={y} r={4} />;
            })}
          </g>
        )}
      </svg>
      <figcaption>
        <span className="sr-only" id={hintId}>
          Left and right arrow keys move through the days; Home and End go to the first and last.
        </span>
        <span className="legend">
          {lines.map((l) => (
            <span key={l.key} className="legend-item">
              <span className={`swatch swatch-line ${l.tone}${l.dashed ? " dashed" : ""}`} aria-hidden="true" /> {l.label}
            </span>
          ))}
        </span>
        <span className="readout" id={readoutId} aria-live="polite" data-testid={testId ? `${testId}-readout` : undefined}>
          {shown >= 0 && (
            <>
              <strong>{formatDay(days[shown]!)}</strong>
              {lines.map((l) => {
                const v = l.values[shown];
                return (
                  <span key={l.key}>
                    {" · "}
                    {l.label} {v === null || v === undefined ? "—" : fmt(v)}
                  </span>
                );
              })}
            </>
          )}
        </span>
      </figcaption>
    </figure>
  );
}
