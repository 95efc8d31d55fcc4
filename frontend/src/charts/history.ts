// The geometry of the portfolio history chart: value and net contributions per day, dates on x.
import type { HistoryPoint } from "../api/types";
import { formatCentsCompact } from "../lib/money";
import type { ChartBox, Tick } from "./cone";
import { linearScale, linePath, niceAxis, round2 } from "./scale";

export const HISTORY_BOX: ChartBox = {
  width: 720,
  height: 260,
  margin: { top: 12, right: 16, bottom: 32, left: 64 },
};

/** The chart's box for a container `width` px wide (narrower margins and less height on a phone). */
export function historyBox(width: number): ChartBox {
  const w = Math.max(280, Math.round(width));
  if (w >= 520) return { ...HISTORY_BOX, width: w };
  return { width: w, height: 200, margin: { top: 10, right: 10, bottom: 28, left: 48 } };
}

const DAY_MS = 86_400_000;

function dayNumber(day: string): number {
  const [y, m, d] = day.split("-").map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / DAY_MS;
}

export interface HistoryGeometry {
  plot: { left: number; right: number; top: number; bottom: number };
  value: string;
  contributions: string;
  xTicks: Tick[];
  yTicks: Tick[];
}

export function historyGeometry(points: HistoryPoint[], box: ChartBox = HISTORY_BOX): HistoryGeometry {
  const plot = {
    left: box.margin.left,
    right: box.width - box.margin.right,
    top: box.margin.top,
    bottom: box.height - box.margin.bottom,
  };
  const days = points.map((p) => dayNumber(p.date));
  const first = days[0] ?? 0;
  const lastDay = days[days.length - 1] ?? 0;
  const highest = Math.max(0, ...points.map((p) => Math.max(p.value_cents, p.net_contributions_cents)));
  const { step, top } = niceAxis(highest, 4);
  const x = linearScale(first, lastDay, plot.left, plot.right);
  const y = linearScale(0, top, plot.bottom, plot.top);
  const xs = days.map(x);
  const yTicks: Tick[] = [];
  for (let v = 0; v <= top + step / 2; v += step) yTicks.push({ value: v, pos: round2(y(v)), label: formatCentsCompact(v) });
  // First, middle and last day: enough to read the span without crowding a phone screen.
  const picks = points.length > 2 ? [0, Math.floor((points.length - 1) / 2), points.length - 1] : points.map((_, i) => i);
  const xTicks: Tick[] = picks.map((i) => ({ value: days[i]!, pos: round2(xs[i]!), label: points[i]!.date }));
  return {
    plot,
    value: linePath(xs, points.map((p) => y(p.value_cents))),
    contributions: linePath(xs, points.map((p) => y(p.net_contributions_cents))),
    xTicks,
    yTicks,
  };
}
