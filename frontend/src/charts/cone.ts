// The geometry of the forecast's cone of uncertainty: bands P5-P95, P10-P90 and P25-P75 and the P50 line
// over the months, from a forecast result, in SVG coordinates (y grows downwards).
import type { ForecastResult } from "../api/types";
import { formatCentsCompact } from "../lib/money";
import { bandPath, linearScale, linePath, niceAxis, round2 } from "./scale";

export interface ChartBox {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export const CONE_BOX: ChartBox = {
  width: 720,
  height: 360,
  margin: { top: 16, right: 56, bottom: 36, left: 64 },
};

/** Below this width (a phone) the chart gets less height and narrower margins. */
export const NARROW_WIDTH = 520;
const MIN_WIDTH = 280;

/** The chart's box for a container `width` px wide. */
export function coneBox(width: number): ChartBox {
  const w = Math.max(MIN_WIDTH, Math.round(width));
  if (w >= NARROW_WIDTH) return { ...CONE_BOX, width: w };
  return { width: w, height: 280, margin: { top: 12, right: 40, bottom: 30, left: 48 } };
}

const Y_TICKS = 5;

export interface Tick {
  value: number;
  pos: number;
  label: string;
}

export interface ConeGeometry {
  box: ChartBox;
  /** The plot area: x from left to right, y from top to bottom. */
  plot: { left: number; right: number; top: number; bottom: number };
  yMax: number;
  bands: { p5p95: string; p10p90: string; p25p75: string };
  lines: { p10: string; p50: string; p90: string };
  /** Where the end labels sit (the last month's P10, P50 and P90). */
  ends: { x: number; p10: number; p50: number; p90: number };
  goalY: number | null;
  xTicks: Tick[];
  yTicks: Tick[];
}

const TICK_STEPS = [1, 2, 5, 10, 20, 25, 50, 100];
const MAX_X_TICKS = 6;

/** Ticks on whole years when the horizon is two years or more, else on months; every 1, 2, 5, 10... units. */
export function monthTicks(lastMonth: number): number[] {
  if (lastMonth <= 0) return [0];
  const unit = lastMonth >= 24 ? 12 : 1;
  const units = Math.floor(lastMonth / unit);
  const every = TICK_STEPS.find((s) => s >= units / MAX_X_TICKS) ?? Math.ceil(units / MAX_X_TICKS);
  const out: number[] = [];
  for (let u = 0; u <= units; u += every) out.push(u * unit);
  return out;
}

function monthLabel(m: number, lastMonth: number): string {
  if (lastMonth >= 24) return m === 0 ? "now" : `${m / 12}y`;
  return m === 0 ? "now" : `${m}m`;
}

export function coneGeometry(r: ForecastResult, box: ChartBox = CONE_BOX): ConeGeometry {
  const plot = {
    left: box.margin.left,
    right: box.width - box.margin.right,
    top: box.margin.top,
    bottom: box.height - box.margin.bottom,
  };
  const months = r.months;
  const lastMonth = months.length ? months[months.length - 1]! : 0;
  const goal = r.goal_cents ?? null;
  const highest = Math.max(0, ...r.p95, goal ?? 0);
  const { step, top } = niceAxis(highest, Y_TICKS);
  const x = linearScale(0, lastMonth, plot.left, plot.right);
  const y = linearScale(0, top, plot.bottom, plot.top);
  const xs = months.map(x);
  const ys = (s: number[]) => s.map(y);

  const yTicks: Tick[] = [];
  for (let v = 0; v <= top + step / 2; v += step) yTicks.push({ value: v, pos: round2(y(v)), label: formatCentsCompact(v) });
  const xTicks: Tick[] = monthTicks(lastMonth).map((m) => ({ value: m, pos: round2(x(m)), label: monthLabel(m, lastMonth) }));
  const last = months.length - 1;

  return {
    box,
    plot,
    yMax: top,
    bands: {
      p5p95: bandPath(xs, ys(r.p95), ys(r.p5)),
      p10p90: bandPath(xs, ys(r.p90), ys(r.p10)),
      p25p75: bandPath(xs, ys(r.p75), ys(r.p25)),
    },
    lines: { p10: linePath(xs, ys(r.p10)), p50: linePath(xs, ys(r.p50)), p90: linePath(xs, ys(r.p90)) },
    ends: {
      x: round2(x(lastMonth)),
      p10: round2(y(r.p10[last] ?? 0)),
      p50: round2(y(r.p50[last] ?? 0)),
      p90: round2(y(r.p90[last] ?? 0)),
    },
    goalY: goal !== null ? round2(y(goal)) : null,
    xTicks,
    yTicks,
  };
}

/** Labels at the right end must not overlap: pushes them apart to at least `gap` px, keeping their order. */
export function spreadLabels(ys: number[], gap: number): number[] {
  const order = ys.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(ys.length);
  let prev = -Infinity;
  for (const [v, i] of order) {
    const placed = Math.max(v, prev + gap);
    out[i] = placed;
    prev = placed;
  }
  return out;
}
