// Linear scales, "nice" axis ticks and SVG path strings: the arithmetic behind the charts, kept free of
// React so tests can check the geometry number by number.

export type Scale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1] linearly; a zero-width domain maps everything to r0. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0;
  if (span === 0) return () => r0;
  const k = (r1 - r0) / span;
  return (v) => r0 + (v - d0) * k;
}

/** Coordinates rounded to 0.01 px: exact enough to draw, stable enough to compare in tests. */
export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * A step of 1, 2, 2.5 or 5 times a power of ten such that [0, max] needs at most `count` steps, and the
 * top of the axis (a multiple of the step at or above max). max <= 0 gives a unit axis.
 */
export function niceAxis(max: number, count = 5): { step: number; top: number } {
  if (!(max > 0) || !Number.isFinite(max)) return { step: 1, top: 1 };
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = 10 * power;
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  }
  const top = Math.ceil(max / step - 1e-9) * step;
  return { step, top };
}

/** "M x0 y0 L x1 y1 ..." through the points. */
export function linePath(xs: number[], ys: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < xs.length; i++) parts.push(`${i === 0 ? "M" : "L"}${round2(xs[i]!)} ${round2(ys[i]!)}`);
  return parts.join(" ");
}

/** A closed band: along `upper` left to right, back along `lower` right to left. */
export function bandPath(xs: number[], upper: number[], lower: number[]): string {
  if (xs.length === 0) return "";
  const parts: string[] = [];
  for (let i = 0; i < xs.length; i++) parts.push(`${i === 0 ? "M" : "L"}${round2(xs[i]!)} ${round2(upper[i]!)}`);
  for (let i = xs.length - 1; i >= 0; i--) parts.push(`L${round2(xs[i]!)} ${round2(lower[i]!)}`);
  return `${parts.join(" ")} Z`;
}
