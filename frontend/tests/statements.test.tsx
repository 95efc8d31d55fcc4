// Statements in the SPA: the Statements page against the API's shapes (operational/openapi.yaml, the
// statements API), its PDF download with the access token, its loading and error states, and the
// confirmation PDF per trade. Expected figures are worked out by hand from the fixtures in the comments.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client";
import type { Statement, StatementMonths } from "../src/api/types";
import { App } from "../src/App";
import { addsUp, expectedClosing, monthLabel, statementFileName } from "../src/lib/statements";
import { apiError, FakeApi, json } from "./fakeApi";

const ME = {
  id: 7,
  email: "ann@example.com",
  email_verified: true,
  two_factor_enabled: false,
  risk_tolerance: 3,
  horizon: "long",
  bucket: "risk_3_horizon_long",
  created_at: "2026-02-20T10:00:00Z",
  recovery_codes_left: 0,
};

const MONTHS: StatementMonths = {
  day_basis: "America/New_York",
  months: [
    { month: "2026-04", complete: false, activity: true },
    { month: "2026-03", complete: true, activity: true },
  ],
};

// 1,000.00 + 12,000.00 - 500.00 + 12.34 - 0 - 166.67 = 12,345.67
const MARCH: Statement = {
  month: "2026-03",
  from: "2026-03-01",
  to: "2026-03-31",
  complete: true,
  day_basis: "America/New_York",
  includes_wallet_cash: true,
  opening_value_cents: 100_000,
  closing_value_cents: 1_234_567,
  contributions_cents: 1_200_000,
  withdrawals_cents: 50_000,
  dividends_cents: 1_234,
  fees_cents: 0,
  market_change_cents: -16_667,
  invested_cents: 1_000_000,
  sold_cents: 0,
  bought_cents: 1_000_000,
  sold_trades_cents: 0,
  opening: { wallet_cash_cents: 100_000, portfolio_value_cents: 0 },
  closing: { wallet_cash_cents: 250_000, portfolio_cash_cents: 1_234, positions_value_cents: 983_333, portfolio_value_cents: 984_567 },
  performance: { twr: -0.0123, basis: "portfolio", method: "time_weighted_daily_chain", flow_timing: "start_of_day" },
  holdings: [{ symbol: "VTI", shares_micro: 3_500_000, price_micros: 280_952_286, value_cents: 983_333 }],
  trades: [{ id: 41, date: "2026-03-02", executed_at: "2026-03-02T15:00:00.000Z", symbol: "VTI", side: "buy", reason: "invest", shares_micro: 3_500_000, price_micros: 285_714_285, amount_cents: 1_000_000 }],
  trades_truncated: false,
  prices_as_of: "2026-03-31",
  investor: { email: "ann@example.com" },
};

const APRIL: Statement = { ...MARCH, month: "2026-04", from: "2026-04-01", to: "2026-04-17", complete: false, opening_value_cents: 1_234_567, contributions_cents: 0, withdrawals_cents: 0, dividends_cents: 0, market_change_cents: 433, closing_value_cents: 1_235_000, trades: [], performance: { ...MARCH.performance, twr: null } };

function loggedIn(): FakeApi {
  return new FakeApi()
    .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
    .on("GET /me", () => json(200, ME))
    .on("GET /me/sessions", () => json(200, { sessions: [] }))
    .on("GET /notifications", () => json(200, { notifications: [], unread: 0 }));
}

function renderApp(path: string, api: FakeApi) {
  window.history.replaceState(null, "", path);
  render(<App client={new ApiClient({ fetch: api.fetch, lock: null })} />);
}

function captureDownloads() {
  const saved: { blob: Blob; name: string }[] = [];
  let last: Blob | undefined;
  URL.createObjectURL = vi.fn((b: Blob) => {
    last = b;
    return "blob:doc";
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ blob: last!, name: this.download });
  });
  return saved;
}

describe("statement helpers", () => {
  it("names months and files", () => {
    expect(monthLabel("2026-03", "en-US")).toBe("March 2026");
    expect(monthLabel("2026-12", "en-US")).toBe("December 2026");
    expect(statementFileName("2026-03")).toBe("parity-statement-2026-03.pdf");
  });

  it("checks that the summary adds up to the cent", () => {
    expect(expectedClosing(MARCH)).toBe(1_234_567);
    expect(addsUp(MARCH)).toBe(true);
    expect(addsUp({ ...MARCH, fees_cents: 1 })).toBe(false);
    expect(addsUp({ ...MARCH, closing_value_cents: 1_234_568 })).toBe(false);
  });
});

describe("the Statements page", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is in the navigation and lists the months, newest first, showing the newest", async () => {
    const api = loggedIn()
      .on("GET /statements", () => json(200, MONTHS))
      .on("GET /statements/2026-04", () => json(200, APRIL));
    renderApp("/statements", api);
    const select = (await screen.findByTestId("statement-month")) as HTMLSelectElement;
    expect(screen.getByRole("navigation", { name: "Main" }).textContent).toContain("Statements");
    expect(Array.from(select.options).map((o) => o.value)).toEqual(["2026-04", "2026-03"]);
    expect(select.options[0]!.textContent).toContain("(to date)");
    expect((await screen.findByTestId("st-closing")).textContent).toBe("$12,350.00");
    expect(screen.getByTestId("statement-summary").textContent).toContain("(month to date)");
    expect(screen.getByTestId("st-performance").textContent).toContain("nothing was invested");
    expect(screen.getByText("No trades this month.")).toBeTruthy();
  });

  it("shows a chosen month's figures, holdings and trades as the API gives them", async () => {
    const api = loggedIn()
      .on("GET /statements", () => json(200, MONTHS))
      .on("GET /statements/2026-04", () => json(200, APRIL))
      .on("GET /statements/2026-03", () => json(200, MARCH));
    renderApp("/statements", api);
    await userEvent.selectOptions(await screen.findByTestId("statement-month"), "2026-03");
    await waitFor(() => expect(screen.getByTestId("st-closing").textContent).toBe("$12,345.67"));
    expect(screen.getByTestId("st-opening").textContent).toBe("$1,000.00");
    expect(screen.getByTestId("st-contributions").textContent).toBe("$12,000.00");
    expect(screen.getByTestId("st-withdrawals").textContent).toBe("-$500.00");
    expect(screen.getByTestId("st-dividends").textContent).toBe("$12.34");
    expect(screen.getByTestId("st-market").textContent).toBe("-$166.67");
    expect(screen.getByTestId("st-performance").textContent).toContain("-1.23%");
    expect(screen.getByTestId("st-breakdown").textContent).toContain("$2,500.00");
    expect(screen.queryByText(/do not add up/)).toBeNull();
    const holdings = screen.getByTestId("statement-holdings");
    expect(within(holdings).getByRole("row", { name: /VTI/ }).textContent).toContain("$9,833.33");
    const trades = screen.getByTestId("statement-trades");
    expect(within(trades).getByText("Bought VTI")).toBeTruthy();
    expect(trades.textContent).toContain("$10,000.00");
  });

  it("warns when a statement does not add up instead of hiding it", async () => {
    const api = loggedIn()
      .on("GET /statements", () => json(200, MONTHS))
      .on("GET /statements/2026-04", () => json(200, { ...APRIL, closing_value_cents: APRIL.closing_value_cents + 1 }));
    renderApp("/statements", api);
    expect(await screen.findByText(/do not add up/)).toBeTruthy();
  });

  it("downloads the month's PDF and a trade's confirmation with the access token", async () => {
    const pdf = "%PDF-1.4 statement";
    const api = loggedIn()
      .on("GET /statements", () => json(200, MONTHS))
      .on("GET /statements/2026-04", () => json(200, { ...APRIL, trades: MARCH.trades }))
      .on("GET /statements/2026-04.pdf", () => new Response(pdf, { status: 200, headers: { "Content-Type": "application/pdf" } }))
      .on("GET /trades/41/confirmation", () => new Response("%PDF-1.4 trade", { status: 200, headers: { "Content-Type": "application/pdf" } }));
    const saved = captureDownloads();
    renderApp("/statements", api);
    await userEvent.click(await screen.findByTestId("statement-pdf"));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.name).toBe("parity-statement-2026-04.pdf");
    expect(await saved[0]!.blob.text()).toBe(pdf);
    expect(api.last("GET /statements/2026-04.pdf")!.headers.authorization).toBe("Bearer tok");
    await userEvent.click(await screen.findByTestId("confirmation-41"));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(saved[1]!.name).toBe("parity-trade-41.pdf");
    expect(api.last("GET /trades/41/confirmation")!.path).toBe("/trades/41/confirmation?format=pdf");
  });

  it("shows a failed download as an error next to the button, and nothing is saved", async () => {
    const api = loggedIn()
      .on("GET /statements", () => json(200, MONTHS))
      .on("GET /statements/2026-04", () => json(200, APRIL))
      .on("GET /statements/2026-04.pdf", () => apiError(503, "UNAVAILABLE", "try again"));
    const saved = captureDownloads();
    renderApp("/statements", api);
    await userEvent.click(await screen.findByTestId("statement-pdf"));
    expect(await screen.findByRole("alert")).toBeTruthy();
    expect(saved).toHaveLength(0);
  });

  it("says when there is no statement yet, and offers a retry when the list fails", async () => {
    let fail = true;
    const api = loggedIn().on("GET /statements", () => (fail ? apiError(500, "INTERNAL", "boom") : json(200, { day_basis: "America/New_York", months: [] })));
    renderApp("/statements", api);
    const retry = await screen.findByRole("button", { name: /try again/i });
    expect(screen.queryByTestId("st-closing")).toBeNull();
    fail = false;
    await userEvent.click(retry);
    expect(await screen.findByText(/first statement appears after your first deposit/)).toBeTruthy();
  });
});
