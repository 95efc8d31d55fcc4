// The time-series charts' arithmetic (charts/lines.ts), the SPY comparison (lib/benchmark.ts), the price age
// (lib/stale.ts) and the fund table (lib/funds.ts): every expected number is worked out by hand in the comment
// next to it.
import { describe, expect, it } from "vitest";
import type { HistoryPoint, PriceBar } from "../src/api/types";
import { dateTicks, dollarTick, drawdowns, linearAxis, linesGeometry, logAxis, nearestIndex, percentTick } from "../src/charts/lines";
import { closesOn, rangeChange, sameFlowsInSpy } from "../src/lib/benchmark";
import { byAssetClass, fund } from "../src/lib/funds";
import { formatDayLong, pricesAgeDays, pricesStale } from "../src/lib/stale";

// A box whose plot is 640 px wide (64..704) and 100 px high (12..112).
const BOX = { width: 720, height: 144, margin: { top: 12, right: 16, bottom: 32, left: 64 } };

describe("value axes", () => {
  it("starts at zero when the data fills at least half the height that way", () => {
    // max 5,000: raw step 5,000/4 = 1,250 -> 2,000 (1, 2, 2.5, 5 x 1,000); top ceil(2.5) x 2,000 = 6,000.
    expect(linearAxis(1_000, 5_000)).toEqual({ lo: 0, hi: 6_000, ticks: [0, 2_000, 4_000, 6_000] });
    // min exactly half of max still starts at zero (the data fills half the plot).
    expect(linearAxis(2_500, 5_000).lo).toBe(0);
  });

  it("leaves zero out when it would squeeze the movement into a band", () => {
    // $52,000..$55,000 (cents): span 300,000 / 4 = 75,000 -> step 100,000; from 5,200,000 to 5,500,000.
    expect(linearAxis(5_200_000, 5_500_000)).toEqual({ lo: 5_200_000, hi: 5_500_000, ticks: [5_200_000, 5_300_000, 5_400_000, 5_500_000] });
    // $52,130..$54,870: span 274,000 / 4 = 68,500 -> 100,000; floor to 5,200,000, ceil to 5,500,000.
    expect(linearAxis(5_213_000, 5_487_000).lo).toBe(5_200_000);
    expect(linearAxis(5_213_000, 5_487_000).hi).toBe(5_500_000);
  });

  it("puts zero at the top for drawdowns", () => {
    // -0.34..0: 0.34 / 4 = 0.085 -> 0.1; top 0.4: ticks -0.4..0 without float noise.
    expect(linearAxis(-0.34, 0)).toEqual({ lo: -0.4, hi: 0, ticks: [-0.4, -0.3, -0.2, -0.1, 0] });
  });

  it("gives a flat line a small band instead of a zero-height axis", () => {
    const a = linearAxis(100, 100);
    expect(a.lo).toBeLessThan(100);
    expect(a.hi).toBeGreaterThan(100);
  });

  it("puts 1-2-5 ticks on a wide log axis and stepped ones on a narrow one", () => {
    // 0.5..30: 0.5, 1, 2, 5, 10, 20 inside.
    expect(logAxis(0.5, 30).ticks).toEqual([0.5, 1, 2, 5, 10, 20]);
    // 0.8..2.6: only 1 and 2 are 1-2-5 values; span 1.8 / 4 = 0.45 -> step 0.5: 1, 1.5, 2, 2.5.
    expect(logAxis(0.8, 2.6)).toEqual({ lo: 0.8, hi: 2.6, ticks: [1, 1.5, 2, 2.5] });
  });
});

describe("linesGeometry", () => {
  const days = ["2026-01-01", "2026-01-03", "2026-01-05"];

  it("places days by date and values on the axis, lifting the pen over a gap", () => {
    // x: 64 + (day - first) / 4 x 640 -> 64, 384, 704. Axis 100..300 (min 100 <= 300/2 -> from zero):
    // 300 / 4 = 75 -> step 100, top 300; y = 112 - v / 300 x 100 -> 100: 78.67, 200: 45.33, 300: 12.
    const g = linesGeometry(days, [{ key: "a", values: [100, 200, 300] }, { key: "b", values: [300, null, 100] }], BOX, { formatY: String });
    expect(g.xs).toEqual([64, 384, 704]);
    expect(g.axis).toEqual({ lo: 0, hi: 300, ticks: [0, 100, 200, 300] });
    expect(g.paths[0]).toEqual({ key: "a", d: "M64 78.67 L384 45.33 L704 12", ys: [78.67, 45.33, 12] });
    expect(g.paths[1]!.d).toBe("M64 12 M704 78.67");
    expect(g.zeroY).toBe(112);
    expect(g.log).toBe(false);
  });

  it("draws a log scale as logarithms of the values", () => {
    // Axis ends are the data's, 0.8 and 2.6: y = 112 - ln(v / 0.8) / ln(2.6 / 0.8) x 100,
    // 1 -> 112 - 0.22314 / 1.17865 x 100 = 93.07; 1.5 -> 112 - 0.62861 / 1.17865 x 100 = 58.67;
    // 2 -> 112 - 0.91629 / 1.17865 x 100 = 34.26; 2.5 -> 112 - 1.13943 / 1.17865 x 100 = 15.33.
    const g = linesGeometry(days, [{ key: "a", values: [0.8, 2, 2.6] }], BOX, { log: true, formatY: String });
    expect(g.log).toBe(true);
    expect(g.yTicks.map((t) => [t.value, t.pos])).toEqual([
      [1, 93.07],
      [1.5, 58.67],
      [2, 34.26],
      [2.5, 15.33],
    ]);
    expect(g.paths[0]!.ys).toEqual([112, 34.26, 12]);
    expect(g.zeroY).toBeNull();
  });

  it("falls back to a linear scale when a value is not positive", () => {
    const g = linesGeometry(days, [{ key: "a", values: [0, 1, 2] }], BOX, { log: true, formatY: String });
    expect(g.log).toBe(false);
  });

  it("hands tick labels the step, so they carry enough decimals", () => {
    const g = linesGeometry(days, [{ key: "a", values: [5_213_000, 5_300_000, 5_487_000] }], BOX, { formatY: dollarTick });
    expect(g.yTicks.map((t) => t.label)).toEqual(["$52K", "$53K", "$54K", "$55K"]);
  });
});

describe("ticks, hover and drawdowns", () => {
  it("labels years on multi-year spans and first, middle, last day otherwise", () => {
    // 2019..2026 is 8 Januaries, more than 6: every second one.
    expect(dateTicks(["2018-06-29", "2020-01-02", "2026-05-01"]).map((t) => t.day)).toEqual(["2019-01-01", "2021-01-01", "2023-01-01", "2025-01-01"]);
    expect(dateTicks(["2023-03-01", "2026-05-01"]).map((t) => t.day)).toEqual(["2024-01-01", "2025-01-01", "2026-01-01"]);
    expect(dateTicks(["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]).map((t) => t.index)).toEqual([0, 1, 3]);
  });

  it("finds the day nearest the pointer, the earlier one on a tie", () => {
    const xs = [64, 384, 704];
    expect(nearestIndex(xs, 0)).toBe(0);
    expect(nearestIndex(xs, 300)).toBe(1); // 84 px from 384, 236 from 64
    expect(nearestIndex(xs, 224)).toBe(0); // halfway: 160 px from both
    expect(nearestIndex(xs, 999)).toBe(2);
    expect(nearestIndex([], 5)).toBe(-1);
  });

  it("computes drawdowns against the running peak, keeping gaps", () => {
    // peaks 1, 1.2, 1.2, -, 1.3, 1.3: 0.9 / 1.2 - 1 = -0.25; 1.04 / 1.3 - 1 = -0.2.
    const d = drawdowns([1, 1.2, 0.9, null, 1.3, 1.04]);
    expect(d.map((v) => (v === null ? null : Number(v.toFixed(12))))).toEqual([0, 0, -0.25, null, 0, -0.2]);
  });

  it("writes tick labels with the decimals the step needs", () => {
    expect(dollarTick(5_225_000, 25_000)).toBe("$52.25K");
    expect(dollarTick(5_250_000, 50_000)).toBe("$52.5K");
    expect(dollarTick(150_000_000, 50_000_000)).toBe("$1.5M");
    expect(dollarTick(50_000, 10_000)).toBe("$500");
    expect(dollarTick(0, 200_000)).toBe("$0");
    expect(percentTick(-0.25, 0.05)).toBe("-25%");
    expect(percentTick(-0.125, 0.025)).toBe("-12.5%");
  });
});

describe("the same money in SPY", () => {
  const bars: PriceBar[] = [
    { date: "2026-01-02", close: 100, adj_close: 99 }, // Friday
    { date: "2026-01-05", close: 110, adj_close: 109 }, // Monday
    { date: "2026-01-06", close: 99, adj_close: 98 },
  ];
  const pt = (date: string, value: number, contrib: number): HistoryPoint => ({ date, value_cents: value, net_contributions_cents: contrib, twr: 0 });

  it("uses the newest close on or before each day (a weekend uses Friday's)", () => {
    expect(closesOn(["2026-01-01", "2026-01-03", "2026-01-05", "2026-01-07"], bars)).toEqual([null, 100, 110, 99]);
  });

  it("is SPY scaled to the first value without flows, and adds flows at the start of their day", () => {
    // Start: the portfolio's $10,000. Jan 5: 1,000,000 x 110/100 = 1,100,000. Jan 6: $5,000 more at the
    // start of the day, (1,100,000 + 500,000) x 99/110 = 1,440,000.
    const points = [pt("2026-01-02", 1_000_000, 1_000_000), pt("2026-01-05", 1_050_000, 1_000_000), pt("2026-01-06", 1_500_000, 1_500_000)];
    expect(sameFlowsInSpy(points, bars)).toEqual([1_000_000, 1_100_000, 1_440_000]);
    // Before any money (value 0) the line is 0 and grows from the first flow.
    expect(sameFlowsInSpy([pt("2026-01-02", 0, 0), pt("2026-01-05", 1_000_000, 1_000_000), pt("2026-01-06", 900_000, 1_000_000)], bars)).toEqual([0, 1_100_000, 990_000]);
    // No close yet: no value.
    expect(sameFlowsInSpy([pt("2025-12-31", 5, 5), pt("2026-01-02", 5, 5)], bars)).toEqual([null, 5]);
  });

  it("splits a range's change into money moved and gain", () => {
    // value 10,000 -> 15,500 with 5,000 moved in: gain 500.
    expect(rangeChange([pt("2026-01-02", 1_000_000, 1_000_000), pt("2026-01-06", 1_550_000, 1_500_000)])).toEqual({
      valueChangeCents: 550_000,
      contributionsCents: 500_000,
      gainCents: 50_000,
    });
    expect(rangeChange([pt("2026-01-02", 1, 1)])).toBeNull();
  });
});

describe("the age of prices", () => {
  // Local dates: the reader's own calendar day.
  const may = (d: number) => new Date(2026, 4, d, 12, 0, 0);

  it("is stale only when more than 4 days old", () => {
    expect(pricesAgeDays("2026-05-01", may(5))).toBe(4);
    expect(pricesStale("2026-05-01", may(5))).toBe(false); // Friday's close on a Tuesday holiday
    expect(pricesStale("2026-05-01", may(6))).toBe(true);
    expect(pricesStale("2026-05-01", new Date(2026, 11, 4, 0, 30))).toBe(true);
    expect(pricesStale(undefined, may(30))).toBe(false);
    expect(pricesStale("2026-02-30", may(30))).toBe(false); // not a date: nothing claimed
  });

  it("reads 1 May 2026", () => {
    expect(formatDayLong("2026-05-01")).toBe("1 May 2026");
    expect(formatDayLong("2025-12-31")).toBe("31 December 2025");
    expect(formatDayLong("nonsense")).toBe("nonsense");
  });
});

describe("funds", () => {
  it("names the universe's funds and groups weights by asset class", () => {
    expect(fund("BND")).toEqual({ symbol: "BND", name: "Vanguard Total Bond Market ETF", assetClass: "Bonds" });
    expect(fund("ZZZ")).toEqual({ symbol: "ZZZ", name: "ZZZ", assetClass: "Other" });
    const g = byAssetClass({ BND: 0.3, VTI: 0.2, VOO: 0.25, VEA: 0.15, VNQ: 0.1, TLT: 0 });
    expect(g.map((c) => [c.assetClass, Number(c.weight.toFixed(12)), c.funds.map((f) => f.symbol)])).toEqual([
      ["US stocks", 0.45, ["VOO", "VTI"]],
      ["International stocks", 0.15, ["VEA"]],
      ["Real estate", 0.1, ["VNQ"]],
      ["Bonds", 0.3, ["BND"]],
    ]);
  });
});
