// The analytics pages in their states: the model page (funds by name and class, risk metrics, backtest with
// its log toggle, drawdowns, "not computed yet", a failed load, an unknown bucket), the dashboard's risk
// card (figures, not enough history, a failed load and its retry), the history against SPY (gain, returns,
// an axis that leaves zero out, keyboard values), the stale-price notice, and onboarding's link.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client";
import type { ModelBacktest } from "../src/api/types";
import { App } from "../src/App";
import { apiError, FakeApi, json } from "./fakeApi";
import modelRisk from "./fixtures/model-risk-3-medium.json";

const SLOW_MS = 30_000;
const BUCKET = "risk_3_horizon_medium";

const ME = {
  id: 7,
  email: "ann@example.com",
  email_verified: true,
  two_factor_enabled: false,
  risk_tolerance: 3,
  horizon: "medium",
  bucket: BUCKET,
  created_at: "2024-05-01T10:00:00Z",
  recovery_codes_left: 0,
};

const MODEL = {
  bucket: BUCKET,
  risk_tolerance: 3,
  horizon: "medium",
  as_of: "2026-05-01",
  computed_at: "2026-12-04T03:35:04Z",
  weights: modelRisk.weights,
  prices_as_of: "2026-05-01",
};

// Five days over three years; the benchmarks miss no day. Growth of $10,000: the model ends at $13,200.
const BACKTEST: ModelBacktest = {
  bucket: BUCKET,
  as_of: "2026-05-01",
  prices_as_of: "2026-05-01",
  computed_at: "2026-12-04T03:35:05Z",
  from: "2023-06-30",
  to: "2026-05-01",
  decisions: 34,
  cost_bps: 0,
  benchmark_symbol: "SPY",
  downsampling: { method: "none", step: 1, points: 5, total_points: 5, max_points: 1000 },
  series: {
    [BUCKET]: { metrics: { ...modelRisk.metrics, cagr: 0.1005 }, turnover: 0.445, executions: 34, values: [["2023-06-30", 1], ["2024-01-02", 1.1], ["2024-09-03", 0.99], ["2025-06-02", 1.2], ["2026-05-01", 1.32]] },
    SPY: { metrics: { ...modelRisk.benchmark, cagr: 0.1503 }, turnover: 0, executions: 1, values: [["2023-06-30", 1], ["2024-01-02", 1.2], ["2024-09-03", 0.9], ["2025-06-02", 1.3], ["2026-05-01", 1.5]] },
    "60/40": { metrics: { ...modelRisk.benchmark, cagr: 0.1003 }, turnover: 0.108, executions: 34, values: [["2023-06-30", 1], ["2024-01-02", 1.05], ["2024-09-03", 1], ["2025-06-02", 1.1], ["2026-05-01", 1.15]] },
  },
};

const PORTFOLIO = {
  value_cents: 7_589_092,
  cash_cents: 0,
  pending_cents: 0,
  positions_value_cents: 7_589_092,
  net_contributions_cents: 6_000_000,
  pnl_cents: 1_589_092,
  bucket: BUCKET,
  model_as_of: "2026-05-01",
  drift: 0.01,
  positions: [],
  weights: {},
  target_weights: {},
};

// A 1Y history of four points; $10,000 moved in on Feb 2. SPY: 600 -> 630 -> 615 -> 660.
const HISTORY = {
  range: "1M",
  today: "2026-12-04",
  from: "2026-01-02",
  to: "2026-04-01",
  days: 90,
  value_cents: 6_900_000,
  net_contributions_cents: 6_000_000,
  twr: 0.0712,
  prices_as_of: "2026-05-01",
  points: [
    { date: "2026-01-02", value_cents: 5_200_000, net_contributions_cents: 5_000_000, twr: 0 },
    { date: "2026-02-02", value_cents: 6_400_000, net_contributions_cents: 6_000_000, twr: 0.04 },
    { date: "2026-03-02", value_cents: 6_300_000, net_contributions_cents: 6_000_000, twr: 0.02 },
    { date: "2026-04-01", value_cents: 6_900_000, net_contributions_cents: 6_000_000, twr: 0.0712 },
  ],
};
const SPY_BARS = [
  { date: "2025-12-31", close: 600, adj_close: 590 },
  { date: "2026-02-02", close: 630, adj_close: 620 },
  { date: "2026-03-02", close: 615, adj_close: 605 },
  { date: "2026-04-01", close: 660, adj_close: 650 },
];

const RISK_OK = {
  status: "ok",
  range: "1Y",
  benchmark_symbol: "SPY",
  prices_as_of: "2026-05-01",
  days: 102,
  from: "2025-12-03",
  to: "2026-05-01",
  metrics: { ...modelRisk.metrics, volatility: 0.101371722130163, max_drawdown: -0.0690323835600586, var_95: 0.010909600026914, beta: 0.76 },
  benchmark: modelRisk.benchmark,
};

function api() {
  return new FakeApi()
    .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
    .on("GET /me", () => json(200, ME))
    .on("GET /wallet", () => json(200, { cash_cents: 0 }))
    .on("GET /portfolio", () => json(200, PORTFOLIO))
    .on("GET /portfolio/history", () => json(200, HISTORY))
    .on("GET /portfolio/risk", () => json(200, RISK_OK))
    .on("GET /market/prices/SPY", () => json(200, { symbol: "SPY", from: "2025-12-26", to: "2026-04-01", bars: SPY_BARS }))
    .on(`GET /models/${BUCKET}`, () => json(200, MODEL))
    .on(`GET /models/${BUCKET}/risk`, () => json(200, modelRisk))
    .on(`GET /models/${BUCKET}/backtest`, () => json(200, BACKTEST))
    .on("GET /transactions", () => json(200, { transactions: [], paging: { page: 1, limit: 100, total: 0 } }))
    .on("GET /onboarding/questions", () => json(200, { questions: [] }));
}

function renderApp(path: string, fake: FakeApi) {
  window.history.replaceState(null, "", path);
  render(<App client={new ApiClient({ fetch: fake.fetch, lock: null })} />);
}

const rowCells = (table: HTMLElement, metric: string) => [...table.querySelectorAll(`tr[data-metric=${metric}] td`)].map((td) => td.textContent);

beforeEach(() => {
  // Only Date is faked: "today" is 4 December 2026, seven months after the bundled prices' last day.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(2026, 11, 4, 12, 0, 0));
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the model page", () => {
  it("shows the funds by name and asset class, the risk metrics and the stale prices", async () => {
    renderApp(`/models/${BUCKET}`, api());
    expect(await screen.findByRole("heading", { name: "Model portfolio: Risk 3 · medium horizon" })).toBeTruthy();
    const allocation = await screen.findByTestId("allocation");
    // Classes: US stocks 0.04229 + 0.12267 + 0.13735 + 0.179765 + 0.094519 + 0.034561 = 0.611155;
    // bonds 0.068786 + 0.084111 + 0.033199 + 0.202749 = 0.388845.
    expect([...allocation.querySelectorAll("tr.class-row")].map((r) => r.textContent)).toEqual(["US stocks61.1%", "Bonds38.9%"]);
    const bndx = allocation.querySelector("tr[data-symbol=BNDX]")!;
    expect(bndx.querySelector("th")!.textContent).toBe("Vanguard Total International Bond ETF BNDX");
    expect(bndx.querySelector("td:last-child")!.textContent).toBe("20.3%");
    expect(within(allocation).getByRole("img").querySelector("title")!.textContent).toBe("Allocation by asset class: US stocks 61.1%, Bonds 38.9%");
    // The recorded answer's figures: Sharpe 0.918550799 -> 0.92 and SPY's 0.804765694 -> 0.80; beta only for the model.
    const metrics = await screen.findByTestId("risk-metrics");
    expect(rowCells(metrics, "sharpe")).toEqual(["0.92", "0.80"]);
    expect(rowCells(metrics, "max_drawdown")).toEqual(["-15.08%", "-24.50%"]);
    expect(rowCells(metrics, "max_drawdown_days")).toEqual(["381 days", "489 days"]);
    expect(rowCells(metrics, "beta")).toEqual(["0.60", "—"]);
    expect(screen.getByTestId("stale-prices").textContent).toContain("Prices as of 1 May 2026 — offline data.");
  }, SLOW_MS);

  it("draws the backtest against SPY and 60/40, switches to a log scale, and reads values by keyboard", async () => {
    renderApp(`/models/${BUCKET}`, api());
    const chart = await screen.findByTestId("backtest-chart");
    expect([...chart.querySelectorAll("path[data-series]")].map((p) => p.getAttribute("data-series"))).toEqual([BUCKET, "SPY", "60/40"]);
    expect(chart.getAttribute("data-scale")).toBe("linear");
    const linear = chart.querySelector(`path[data-series=${BUCKET}]`)!.getAttribute("d");
    const toggle = screen.getByRole("button", { name: "Log scale" });
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    await userEvent.click(toggle);
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(chart.getAttribute("data-scale")).toBe("log");
    expect(chart.querySelector(`path[data-series=${BUCKET}]`)!.getAttribute("d")).not.toBe(linear);
    expect(chart.querySelector("title")!.textContent).toContain("log scale");
    // The last day is read out first; ArrowLeft goes one day back: growth of $10,000 x 1.2, 1.3 and 1.1.
    const readout = screen.getByTestId("backtest-chart-readout");
    expect(readout.textContent).toBe("May 1, 2026 · This model $13,200.00 · SPY (S&P 500) $15,000.00 · 60/40 (SPY and BND) $11,500.00");
    chart.focus();
    fireEvent.keyDown(chart, { key: "ArrowLeft" });
    expect(readout.textContent).toBe("Jun 2, 2025 · This model $12,000.00 · SPY (S&P 500) $13,000.00 · 60/40 (SPY and BND) $11,000.00");
    expect(chart.querySelector(".cursor")).not.toBeNull();
    fireEvent.keyDown(chart, { key: "Home" });
    expect(readout.textContent).toContain("Jun 30, 2023 · This model $10,000.00");
    // Drawdowns: SPY fell from 1.2 to 0.9 (-25.0%), the model from 1.1 to 0.99 (-10.0%).
    const dd = screen.getByTestId("drawdown-chart");
    dd.focus();
    fireEvent.keyDown(dd, { key: "Home" });
    fireEvent.keyDown(dd, { key: "ArrowRight" });
    fireEvent.keyDown(dd, { key: "ArrowRight" });
    expect(screen.getByTestId("drawdown-chart-readout").textContent).toBe("Sep 3, 2024 · This model -10.0% · SPY (S&P 500) -25.0% · 60/40 (SPY and BND) -4.8%");
    const table = screen.getByTestId("backtest-metrics");
    expect(rowCells(table, "cagr")).toEqual(["10.05%", "15.03%", "10.03%"]);
    expect(rowCells(table, "turnover" as string)).toEqual(["44.5%", "0.0%", "10.8%"]);
  }, SLOW_MS);

  it("says plainly when the figures are not computed yet, and when a load failed", async () => {
    const fake = api()
      .on(`GET /models/${BUCKET}/risk`, () => apiError(404, "NOT_FOUND", `bucket ${BUCKET} has no risk metrics yet`))
      .on(`GET /models/${BUCKET}/backtest`, () => apiError(503, "BUSY", "busy", { "Retry-After": "1" }));
    renderApp(`/models/${BUCKET}`, fake);
    expect(await screen.findByText(/The risk figures of this model are not computed yet/)).toBeTruthy();
    expect(await screen.findByText(/We could not load the backtest figures: Parity is busy/)).toBeTruthy();
    expect(screen.queryByTestId("risk-metrics")).toBeNull();
    expect(screen.queryByTestId("backtest-chart")).toBeNull();
    expect(document.body.textContent).not.toContain("has no risk metrics yet");
  }, SLOW_MS);

  it("shows Loading while the answers are on the way", async () => {
    const fake = api().on(`GET /models/${BUCKET}/backtest`, () => new Promise<Response>(() => undefined));
    renderApp(`/models/${BUCKET}`, fake);
    await screen.findByTestId("risk-metrics");
    const backtest = screen.getByRole("region", { name: "Backtest" });
    expect(within(backtest).getByRole("status").textContent).toBe("Loading…");
  }, SLOW_MS);

  it("refuses a bucket that does not exist without asking the API", async () => {
    const fake = api();
    renderApp("/models/risk_9_horizon_forever", fake);
    expect(await screen.findByRole("heading", { name: "No such model portfolio" })).toBeTruthy();
    expect(fake.calls.filter((c) => c.path.startsWith("/models"))).toEqual([]);
  }, SLOW_MS);

  it("has no stale notice when the prices are recent", async () => {
    vi.setSystemTime(new Date(2026, 4, 5, 9, 0, 0)); // 4 days after 1 May
    renderApp(`/models/${BUCKET}`, api());
    await screen.findByTestId("risk-metrics");
    expect(screen.queryByTestId("stale-prices")).toBeNull();
  }, SLOW_MS);
});

describe("the dashboard", () => {
  it("shows the risk card's figures, all of them next to SPY on demand", async () => {
    renderApp("/", api());
    const card = await screen.findByTestId("risk-card");
    await waitFor(() => expect(within(card).getByTestId("risk-volatility").textContent).toBe("10.1%"));
    expect(within(card).getByTestId("risk-max-drawdown").textContent).toBe("-6.9%");
    expect(card.textContent).toContain("Bad day (1 in 20)-1.09%"); // VaR 95% 0.0109096 as a loss
    expect(card.textContent).toContain("0.76");
    expect(rowCells(within(card).getByTestId("portfolio-risk-metrics"), "sharpe")).toEqual(["0.92", "0.80"]);
  }, SLOW_MS);

  it("says 'not enough history' with the server's reason and shows no figure", async () => {
    const reason = "at least 20 daily returns are needed; the range has 3";
    const fake = api().on("GET /portfolio/risk", () => json(200, { status: "not_enough_history", range: "1Y", days: 3, reason }));
    renderApp("/", fake);
    const note = await screen.findByTestId("risk-not-enough");
    expect(note.textContent).toBe(`Not enough history yet. ${reason}`);
    expect(screen.queryByTestId("risk-summary")).toBeNull();
  }, SLOW_MS);

  it("says in words that the risk failed to load, then retries", async () => {
    let fail = true;
    const fake = api().on("GET /portfolio/risk", () => (fail ? new Response("oops", { status: 500 }) : json(200, RISK_OK)));
    renderApp("/", fake);
    const card = await screen.findByTestId("risk-card");
    const alert = await within(card).findByRole("alert");
    expect(alert.textContent).toContain("We could not load your risk figures: Parity had a problem answering.");
    fail = false;
    await userEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(within(card).getByTestId("risk-volatility").textContent).toBe("10.1%"));
    expect(within(card).queryByRole("alert")).toBeNull();
  }, SLOW_MS);

  it("asks the risk for the chosen period", async () => {
    const fake = api();
    renderApp("/", fake);
    await screen.findByTestId("risk-volatility");
    await userEvent.click(within(screen.getByRole("group", { name: "Risk period" })).getByRole("button", { name: "5Y" }));
    await waitFor(() => expect(fake.last("GET /portfolio/risk")!.path).toBe("/portfolio/risk?range=5Y"));
  }, SLOW_MS);

  it("compares the history with the same money in SPY, with the range's gain and returns", async () => {
    const fake = api();
    renderApp("/", fake);
    const chart = await screen.findByTestId("history-chart");
    // SPY from a week before the first day, so a range starting on a holiday has its close.
    await waitFor(() => expect(fake.last("GET /market/prices/SPY")!.path).toBe("/market/prices/SPY?from=2025-12-26&to=2026-04-01"));
    await waitFor(() => expect(chart.querySelector("path[data-series=spy]")).not.toBeNull());
    // Gain: value 52,000 -> 69,000 with 10,000 moved in: +$7,000. SPY 600 -> 660: +10.00%.
    expect(screen.getByTestId("history-gain").textContent).toBe("+$7,000.00");
    expect(screen.getByTestId("history-twr").textContent).toBe("+7.12%");
    expect(screen.getByTestId("history-spy").textContent).toBe("+10.00%");
    expect(screen.getByTestId("history-value-change").textContent).toBe("+$17,000.00incl. +$10,000.00 moved in or out");
    // The values span $50,000..$69,000 (contributions included): zero would flatten them, so the axis leaves it out.
    const labels = [...chart.querySelectorAll(".grid text")].map((t) => t.textContent);
    expect(labels).not.toContain("$0");
    expect(labels.slice(0, 1)).toEqual(["$50K"]);
    // SPY with the same flows: 52,000 -> (52,000 + 10,000) x 630/600 = 65,100 -> x 615/630 = 63,550 -> x 660/615 = 68,200.
    const readout = screen.getByTestId("history-chart-readout");
    expect(readout.textContent).toBe("Apr 1, 2026 · Your portfolio $69,000.00 · Same money in SPY $68,200.00 · Net contributions $60,000.00");
    chart.focus();
    fireEvent.keyDown(chart, { key: "Home" });
    fireEvent.keyDown(chart, { key: "ArrowRight" });
    expect(readout.textContent).toBe("Feb 2, 2026 · Your portfolio $64,000.00 · Same money in SPY $65,100.00 · Net contributions $60,000.00");
    fireEvent.keyDown(chart, { key: "Escape" });
    expect(chart.querySelector(".cursor")).toBeNull();
  }, SLOW_MS);

  it("shows 'Prices as of 1 May 2026 — offline data' when the portfolio's prices are old, and nothing when they are recent", async () => {
    const fake = api().on("GET /portfolio", () => json(200, { ...PORTFOLIO, prices_as_of: "2026-05-01" }));
    renderApp("/", fake);
    const notice = await screen.findByTestId("stale-prices");
    expect(notice.textContent).toContain("Prices as of 1 May 2026 — offline data.");
  }, SLOW_MS);

  it("has no stale notice for yesterday's close", async () => {
    const fake = api().on("GET /portfolio", () => json(200, { ...PORTFOLIO, prices_as_of: "2026-12-03" }));
    renderApp("/", fake);
    await screen.findByTestId("risk-volatility");
    expect(screen.queryByTestId("stale-prices")).toBeNull();
  }, SLOW_MS);

  it("links the model card to the model page", async () => {
    renderApp("/", api());
    await userEvent.click(await screen.findByTestId("model-link"));
    expect(window.location.pathname).toBe(`/models/${BUCKET}`);
    expect(await screen.findByRole("heading", { name: "Model portfolio: Risk 3 · medium horizon" })).toBeTruthy();
  }, SLOW_MS);
});

describe("onboarding", () => {
  it("leads from the profile to the recommended portfolio", async () => {
    renderApp("/onboarding", api());
    await userEvent.click(await screen.findByRole("link", { name: "See your recommended portfolio" }));
    expect(window.location.pathname).toBe(`/models/${BUCKET}`);
    expect(await screen.findByTestId("allocation")).toBeTruthy();
  }, SLOW_MS);
});
