// The cone chart component drawn from the recorded forecast: bands, lines, labels and the table of the
// same figures (whole dollars of the recorded P10/P50/P90).
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Forecast } from "../src/api/types";
import { ConeChart, tableMonths } from "../src/components/ConeChart";
import recorded from "./fixtures/forecast-24m.json";

const r = (recorded as unknown as Forecast).result!;

describe("ConeChart", () => {
  it("draws three bands, three lines and the end labels", () => {
    render(<ConeChart result={r} />);
    const svg = screen.getByTestId("cone-chart");
    expect([...svg.querySelectorAll("path[data-band]")].map((p) => p.getAttribute("data-band"))).toEqual(["p5-p95", "p10-p90", "p25-p75"]);
    expect([...svg.querySelectorAll("path[data-line]")].map((p) => p.getAttribute("data-line"))).toEqual(["p10", "p90", "p50"]);
    for (const p of svg.querySelectorAll("path")) expect((p.getAttribute("d") ?? "").match(/L/g)).toHaveLength(p.hasAttribute("data-band") ? 49 : 24);
    expect([...svg.querySelectorAll(".end-labels text")].map((t) => t.textContent)).toEqual(["P90", "P50", "P10"]);
    expect(svg.querySelector(".goal text")!.textContent).toBe("Goal $20,000");
    // the accessible description names the final median and range
    expect(svg.querySelector("desc")!.textContent).toBe(
      `Median (P50) $${Math.round(r.p50[24]! / 100).toLocaleString("en-US")} at the end; 80% of outcomes between $${Math.round(r.p10[24]! / 100).toLocaleString("en-US")} and $${Math.round(r.p90[24]! / 100).toLocaleString("en-US")}.`,
    );
  });

  it("tabulates P10, P50 and P90 by year", () => {
    render(<ConeChart result={r} />);
    const rows = [...screen.getByTestId("cone-table").querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent));
    const d = (c: number) => `$${Math.round(c / 100).toLocaleString("en-US")}`;
    expect(rows).toEqual([
      ["1", d(r.p10[12]!), d(r.p50[12]!), d(r.p90[12]!)],
      ["2", d(r.p10[24]!), d(r.p50[24]!), d(r.p90[24]!)],
    ]);
  });

  it("lists every year up to five, then every fifth, and the last month", () => {
    expect(tableMonths(24)).toEqual([12, 24]);
    expect(tableMonths(120)).toEqual([12, 24, 36, 48, 60, 120]);
    expect(tableMonths(246)).toEqual([12, 24, 36, 48, 60, 120, 180, 240, 246]);
    expect(tableMonths(6)).toEqual([6]);
  });
});
