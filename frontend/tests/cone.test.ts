// The cone chart's geometry: a hand-computed small case (every coordinate worked out below), and a real
// forecast answer (tests/fixtures/forecast-24m.json) checked against its own figures.
import { describe, expect, it } from "vitest";
import type { Forecast, ForecastResult } from "../src/api/types";
import { coneGeometry, monthTicks, spreadLabels, type ChartBox } from "../src/charts/cone";
import { niceAxis } from "../src/charts/scale";
import recorded from "./fixtures/forecast-24m.json";

// Plot area x 10..110, y 10..60 (50 px tall).
const BOX: ChartBox = { width: 110, height: 70, margin: { top: 10, right: 0, bottom: 10, left: 10 } };

// Months 0..2; the largest figure is P95 = 1000 cents, so the axis is 0..1000 in steps of 200 and
// y(v) = 60 - v / 20, x(m) = 10 + 50 m.
const SMALL: ForecastResult = {
  months: [0, 1, 2],
  p5: [200, 100, 0],
  p10: [200, 200, 200],
  p25: [200, 300, 400],
  p50: [200, 400, 600],
  p75: [200, 500, 800],
  p90: [200, 500, 900],
  p95: [200, 600, 1000],
  mu: 0.07,
  sigma: 0.15,
};

describe("coneGeometry, hand-computed", () => {
  const g = coneGeometry(SMALL, BOX);

  it("scales the axis to a nice top", () => {
    expect(g.yMax).toBe(1000);
    expect(g.yTicks.map((t) => [t.value, t.pos])).toEqual([
      [0, 60],
      [200, 50],
      [400, 40],
      [600, 30],
      [800, 20],
      [1000, 10],
    ]);
    expect(g.yTicks.map((t) => t.label)).toEqual(["$0", "$2", "$4", "$6", "$8", "$10"]);
  });

  it("draws the median through (10,50) (60,40) (110,30)", () => {
    expect(g.lines.p50).toBe("M10 50 L60 40 L110 30");
    expect(g.lines.p10).toBe("M10 50 L60 50 L110 50");
    expect(g.lines.p90).toBe("M10 50 L60 35 L110 15");
  });

  it("closes each band along its upper edge and back along its lower one", () => {
    // P95: 50, 30, 10; P5: 50, 55, 60
    expect(g.bands.p5p95).toBe("M10 50 L60 30 L110 10 L110 60 L60 55 L10 50 Z");
    // P75: 50, 35, 20; P25: 50, 45, 40
    expect(g.bands.p25p75).toBe("M10 50 L60 35 L110 20 L110 40 L60 45 L10 50 Z");
  });

  it("puts the end labels at the last month", () => {
    expect(g.ends).toEqual({ x: 110, p10: 50, p50: 30, p90: 15 });
    expect(g.goalY).toBeNull();
  });

  it("draws the goal and makes room for it above the paths", () => {
    const withGoal = coneGeometry({ ...SMALL, goal_cents: 1500 }, BOX);
    // niceAxis(1500, 5): step 500 (raw 300 -> 5 x 100), top 1500; y(1500) = 10
    expect(withGoal.yMax).toBe(1500);
    expect(withGoal.goalY).toBe(10);
  });
});

describe("axis helpers", () => {
  it("picks 1, 2, 2.5 or 5 times a power of ten", () => {
    expect(niceAxis(1000, 5)).toEqual({ step: 200, top: 1000 });
    expect(niceAxis(23_007_300, 5)).toEqual({ step: 5_000_000, top: 25_000_000 });
    expect(niceAxis(1_100, 5)).toEqual({ step: 250, top: 1_250 });
    expect(niceAxis(0, 5)).toEqual({ step: 1, top: 1 });
  });

  it("ticks whole years from two years on, months below", () => {
    expect(monthTicks(24)).toEqual([0, 12, 24]);
    expect(monthTicks(120)).toEqual([0, 24, 48, 72, 96, 120]);
    expect(monthTicks(600)).toEqual([0, 120, 240, 360, 480, 600]);
    expect(monthTicks(36)).toEqual([0, 12, 24, 36]);
    expect(monthTicks(6)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(monthTicks(18)).toEqual([0, 5, 10, 15]);
  });

  it("spreads end labels that would overlap, keeping their order", () => {
    expect(spreadLabels([100, 104, 60], 14)).toEqual([100, 114, 60]);
    expect(spreadLabels([10, 10, 10], 14)).toEqual([10, 24, 38]);
  });
});

describe("coneGeometry of a recorded forecast", () => {
  const forecast = recorded as unknown as Forecast;
  const r = forecast.result!;
  const g = coneGeometry(r, BOX);
  const points = (d: string) => d.replace(/ Z$/, "").split(/ ?[ML]/).filter(Boolean).map((p) => p.split(" ").map(Number) as [number, number]);
  const y = (cents: number) => 60 - (cents / g.yMax) * 50;

  it("has one point per month, month 0 at the starting value", () => {
    const median = points(g.lines.p50);
    expect(median).toHaveLength(25);
    expect(r.p50[0]).toBe(forecast.request!.initial_cents);
    expect(median[0]![0]).toBe(10);
    expect(median[0]![1]).toBeCloseTo(y(forecast.request!.initial_cents), 2);
    expect(median[24]![0]).toBe(110);
    expect(median[24]![1]).toBeCloseTo(y(r.p50[24]!), 2);
  });

  it("keeps the bands nested month by month (higher percentile, smaller y)", () => {
    const order = ["p95", "p90", "p75", "p50", "p25", "p10", "p5"] as const;
    for (let m = 0; m <= 24; m++) {
      const ys = order.map((k) => y(r[k][m]!));
      for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeGreaterThanOrEqual(ys[i - 1]! - 1e-9);
    }
  });

  it("fits the highest path and the goal under a nice top", () => {
    const highest = Math.max(...r.p95, r.goal_cents ?? 0);
    expect(g.yMax).toBeGreaterThanOrEqual(highest);
    const { step } = niceAxis(highest, 5);
    expect(g.yMax - highest).toBeLessThan(step);
    expect(g.xTicks.map((t) => t.label)).toEqual(["now", "1y", "2y"]);
    expect(g.goalY).toBeCloseTo(y(r.goal_cents!), 2);
  });
});
