// The geometry of time-series line charts (the history against SPY, the backtests, the drawdowns): several
// series on the same days, a linear or logarithmic value axis, date ticks, and the point under the pointer.
// Pure arithmetic, tested number by number.
import type { ChartBox, Tick } from "./cone";
import { linePath, niceAxis, round2 } from "./scale";

export const LINES_BOX: ChartBox = {
  width: 720,
  height: 280,
  margin: { top: 12, right: 16, bottom: 32, left: 64 },
};

/** The chart's box for a container `width` px wide (narrower margins and less height on a phone). */
export function linesBox(width: number, height = LINES_BOX.height): ChartBox {
  const w = Math.max(280, Math.round(width));
  if (w >= 520) return { ...LINES_BOX, width: w, height };
  return { width: w, height: Math.round(height * 0.78), margin: { top: 10, right: 10, bottom: 28, left: 50 } };
}

const DAY_MS = 86_400_000;

/** "YYYY-MM-DD" to days since 1970-01-01 (calendar days, no time zone). */
export function dayIndex(day: string): number {
  const [y, m, d] = day.split("-").map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / DAY_MS;
}

export interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
}

/**
 * A linear axis over [min, max]. It starts at zero when the data still fills at least half of the height
 * that way (min <= max / 2); otherwise zero would squeeze the movement into a thin band at the top, and the
 * axis covers only the data, from a nice tick at or below min to one at or above max.
 */
export function linearAxis(min: number, max: number, count = 4): Axis {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { lo: 0, hi: 1, ticks: [0, 1] };
  if (min >= 0 && min <= max / 2) {
    const { step, top } = niceAxis(max, count);
    return { lo: 0, hi: top, ticks: steps(0, top, step) };
  }
  if (max <= 0 && max >= min / 2) {
    // All at or below zero (drawdowns): zero at the top, by the same rule.
    const { step, top } = niceAxis(-min, count);
    return { lo: -top, hi: 0, ticks: steps(-top, 0, step) };
  }
  let span = max - min;
  if (span <= 0) {
    // A flat line: a small band around it.
    span = Math.abs(max) * 0.02 || 1;
    min -= span / 2;
    max += span / 2;
  }
  const { step } = niceAxis(span, count);
  const lo = Math.floor(min / step + 1e-9) * step;
  let hi = Math.ceil(max / step - 1e-9) * step;
  if (hi <= lo) hi = lo + step;
  return { lo, hi, ticks: steps(lo, hi, step) };
}

function steps(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  const n = Math.round((hi - lo) / step);
  for (let i = 0; i <= n; i++) out.push(cleanFloat(lo + i * step));
  return out;
}

/** 0.30000000000000004 -> 0.3: tick values are labels, and float noise must not reach them. */
function cleanFloat(v: number): number {
  return Number.parseFloat(v.toPrecision(12));
}

/**
 * A logarithmic axis over [min, max] (both > 0). Ticks at 1, 2 and 5 times powers of ten inside the range;
 * when fewer than three fall inside (a narrow range, e.g. 0.8 to 2.6), evenly stepped nice values are used
 * instead (1, 1.5, 2, 2.5), placed on the log scale. The ends are the data's own.
 */
export function logAxis(min: number, max: number, count = 4): Axis {
  if (!(min > 0) || !(max > 0)) return linearAxis(min, max, count);
  if (max <= min) max = min * 1.02;
  const ticks: number[] = [];
  for (let p = Math.floor(Math.log10(min)); p <= Math.ceil(Math.log10(max)); p++)
    for (const m of [1, 2, 5]) {
      const v = cleanFloat(m * 10 ** p);
      if (v >= min && v <= max) ticks.push(v);
    }
  if (ticks.length >= 3) return { lo: min, hi: max, ticks };
  const { step } = niceAxis(max - min, count);
  const inner: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + 1e-9 * step; k++) inner.push(cleanFloat(k * step));
  return { lo: min, hi: max, ticks: inner };
}

export interface LineSeries {
  key: string;
  /** One value per day; null where the series has no value (a gap in the line). */
  values: (number | null)[];
}

export interface LinesGeometry {
  box: ChartBox;
  plot: { left: number; right: number; top: number; bottom: number };
  /** Log scale in effect (asked for, and every value positive). */
  log: boolean;
  axis: Axis;
  /** Each day's x, in the days' order. */
  xs: number[];
  /** Each series' path and each value's y (null where missing). */
  paths: { key: string; d: string; ys: (number | null)[] }[];
  xTicks: Tick[];
  yTicks: Tick[];
  /** The y of zero when it is inside the plot (drawn as a baseline), else null. */
  zeroY: number | null;
}

export interface LinesOptions {
  log?: boolean;
  yCount?: number;
  /** A tick's label; `step` is the smallest gap between ticks, so labels carry just enough decimals. */
  formatY(v: number, step: number): string;
  /** The label of a date tick (the default: the day itself, or the year on multi-year spans). */
  formatX?(day: string, multiYear: boolean): string;
}

/** Date ticks: January 1sts on spans over two years (every 1, 2 or 5 years, at most `max`), else the first, middle and last day. */
export function dateTicks(days: string[], max = 6): { index: number; day: string; year: boolean }[] {
  if (days.length === 0) return [];
  const first = dayIndex(days[0]!);
  const last = dayIndex(days[days.length - 1]!);
  if (last - first > 2 * 366) {
    const y0 = Number(days[0]!.slice(0, 4)) + 1;
    const y1 = Number(days[days.length - 1]!.slice(0, 4));
    const every = [1, 2, 5, 10].find((e) => Math.floor((y1 - y0) / e) + 1 <= max) ?? 10;
    const out: { index: number; day: string; year: boolean }[] = [];
    for (let y = y0; y <= y1; y += every) out.push({ index: -1, day: `${y}-01-01`, year: true });
    return out;
  }
  const picks = days.length > 2 ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : days.map((_, i) => i);
  return picks.map((i) => ({ index: i, day: days[i]!, year: false }));
}

export function linesGeometry(days: string[], series: LineSeries[], box: ChartBox, opts: LinesOptions): LinesGeometry {
  const plot = {
    left: box.margin.left,
    right: box.width - box.margin.right,
    top: box.margin.top,
    bottom: box.height - box.margin.bottom,
  };
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const min = all.length ? Math.min(...all) : 0;
  const max = all.length ? Math.max(...all) : 1;
  const log = Boolean(opts.log) && min > 0;
  const axis = log ? logAxis(min, max, opts.yCount) : linearAxis(min, max, opts.yCount);
  const dn = days.map(dayIndex);
  const d0 = dn[0] ?? 0;
  const d1 = dn[dn.length - 1] ?? 0;
  const x = (d: number) => (d1 === d0 ? (plot.left + plot.right) / 2 : plot.left + ((d - d0) * (plot.right - plot.left)) / (d1 - d0));
  const t = (v: number) => (log ? Math.log(v) : v);
  const tlo = t(axis.lo);
  const thi = t(axis.hi);
  const y = (v: number) => (thi === tlo ? (plot.top + plot.bottom) / 2 : plot.bottom - ((t(v) - tlo) * (plot.bottom - plot.top)) / (thi - tlo));
  const xs = dn.map((d) => round2(x(d)));
  const paths = series.map((s) => {
    const ys = s.values.map((v) => (v === null || !Number.isFinite(v) || (log && v <= 0) ? null : round2(y(v))));
    // Runs of known values, each its own "M ... L ..." (a gap lifts the pen).
    const parts: string[] = [];
    let run: [number[], number[]] = [[], []];
    const flush = () => {
      if (run[0].length) parts.push(linePath(run[0], run[1]));
      run = [[], []];
    };
    ys.forEach((v, i) => {
      if (v === null) flush();
      else {
        run[0].push(xs[i]!);
        run[1].push(v);
      }
    });
    flush();
    return { key: s.key, d: parts.join(" "), ys };
  });
  const multiYear = d1 - d0 > 2 * 366;
  const fmtX = opts.formatX ?? ((day: string, years: boolean) => (years ? day.slice(0, 4) : day));
  const xTicks: Tick[] = dateTicks(days).map((tk) => {
    const d = dayIndex(tk.day);
    return { value: d, pos: round2(x(d)), label: fmtX(tk.day, tk.year && multiYear) };
  });
  const gaps = axis.ticks.slice(1).map((v, i) => v - axis.ticks[i]!);
  const step = gaps.length ? Math.min(...gaps) : Math.abs(axis.hi - axis.lo) || 1;
  const yTicks: Tick[] = axis.ticks.map((v) => ({ value: v, pos: round2(y(v)), label: opts.formatY(v, step) }));
  const zeroY = !log && axis.lo <= 0 && axis.hi >= 0 ? round2(y(0)) : null;
  return { box, plot, log, axis, xs, paths, xTicks, yTicks, zeroY };
}

/** The index of the day whose x is nearest to `px` (xs ascending); -1 without days. */
export function nearestIndex(xs: number[], px: number): number {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < px) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && px - xs[lo - 1]! <= xs[lo]! - px) return lo - 1;
  return lo;
}

/**
 * Drawdown of a value series: V_t / max(V_0..V_t) - 1 (0 at a new high, negative below it; SPEC §8a's D_t).
 * A missing value stays missing and does not move the peak.
 */
export function drawdowns(values: (number | null)[]): (number | null)[] {
  let peak = -Infinity;
  return values.map((v) => {
    if (v === null) return null;
    peak = Math.max(peak, v);
    return peak > 0 ? v / peak - 1 : 0;
  });
}

/** Decimals needed to write `x` exactly (to 1e-9), at most `max`. */
export function decimalsFor(x: number, max = 4): number {
  for (let k = 0; k < max; k++) {
    const scaled = Math.abs(x) * 10 ** k;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return k;
  }
  return max;
}

/**
 * A dollar tick label from cents, compact ($52K, $1.25M) with as many decimals as the step needs, so
 * neighbouring ticks never read the same ($52.25K, $52.5K, not $52.3K, $52.5K).
 */
export function dollarTick(cents: number, stepCents: number): string {
  const d = cents / 100;
  const step = Math.abs(stepCents / 100);
  const sign = d < 0 ? "-" : "";
  const abs = Math.abs(d);
  for (const [unit, suffix] of [
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "K"],
  ] as const) {
    if (abs >= unit && step >= unit / 100) return `${sign}$${(abs / unit).toFixed(decimalsFor(step / unit, 2))}${suffix}`;
  }
  return `${sign}$${abs.toLocaleString("en-US", { minimumFractionDigits: decimalsFor(step, 2), maximumFractionDigits: decimalsFor(step, 2) })}`;
}

/** A percent tick label from a fraction (-0.25 -> "-25%"), with the decimals the step needs. */
export function percentTick(v: number, step: number): string {
  const pct = cleanFloat(v * 100);
  return `${pct.toFixed(decimalsFor(cleanFloat(step * 100), 2))}%`;
}
