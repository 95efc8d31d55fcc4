// Taxes in the SPA: the Taxes page against the API's shapes (operational/openapi.yaml, the tax API), the
// tax settings in Account, the sale's tax preview in its review step, and dividends among the
// transactions. Every expected figure is worked out by hand from the fixtures in the comments.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client";
import type { SalePreview, TaxLots, TaxRealized, Transaction } from "../src/api/types";
import { App } from "../src/App";
import { MoneyFlow } from "../src/components/MoneyFlow";
import { loadSalePreview } from "../src/components/SalePreview";
import { formatCents } from "../src/lib/money";
import { groupOperations, operationsCsv } from "../src/lib/operations";
import { lotTotals, salePreviewSentence, taxYears, totalGain } from "../src/lib/tax";
import { apiError, FakeApi, json } from "./fakeApi";

const ME = {
  id: 7,
  email: "ann@example.com",
  email_verified: true,
  two_factor_enabled: false,
  risk_tolerance: 3,
  horizon: "long",
  bucket: "risk_3_horizon_long",
  created_at: "2024-05-20T10:00:00Z",
  recovery_codes_left: 0,
};

// Short: 1,500.00 proceeds - 1,700.00 basis = -200.00; long: 3,000.00 - 2,000.00 = +1,000.00; total +800.00.
const REALIZED: TaxRealized = {
  year: 2026,
  short: { proceeds_cents: 150_000, basis_cents: 170_000, gain_cents: -20_000 },
  long: { proceeds_cents: 300_000, basis_cents: 200_000, gain_cents: 100_000 },
  wash_sale_disallowed_cents: 4_321,
  dividends_cents: 12_345,
  harvested_losses_cents: 55_500,
};

// Basis 1,000.00 + 500.00 = 1,500.00; value 1,050.00 + 485.00 = 1,535.00; unrealised +50.00 - 15.00 = +35.00.
const LOTS: TaxLots = {
  method: "tax_min",
  prices_as_of: "2026-05-01",
  lots: [
    { id: 1, symbol: "VTI", shares_micro: 3_500_000, basis_cents: 100_000, acquired: "2024-06-03", value_cents: 105_000, unrealized_cents: 5_000, term: "long" },
    { id: 2, symbol: "BND", shares_micro: 6_250_000, basis_cents: 50_000, acquired: "2026-02-10", value_cents: 48_500, unrealized_cents: -1_500, term: "short" },
  ],
};

const HARVESTS = {
  harvests: [
    {
      id: 2, day: "2026-03-09", symbol: "VTI", replacement: "VOO", shares_micro: 2_000_000,
      replacement_shares_micro: 1_000_000, proceeds_cents: 50_000, cost_cents: 50_000, loss_cents: 55_500,
      sell_trade_id: 41, buy_trade_id: 42,
    },
    {
      id: 1, day: "2025-11-02", symbol: "QQQ", replacement: "VUG", shares_micro: 1_000_000,
      replacement_shares_micro: 1_500_000, proceeds_cents: 40_000, cost_cents: 39_999, loss_cents: 9_900,
      sell_trade_id: 31, buy_trade_id: 32,
    },
  ],
  loss_cents: 65_400,
};

function loggedIn(): FakeApi {
  return new FakeApi()
    .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
    .on("GET /me", () => json(200, ME))
    .on("GET /me/sessions", () => json(200, { sessions: [] }));
}

function renderApp(path: string, api: FakeApi) {
  window.history.replaceState(null, "", path);
  const client = new ApiClient({ fetch: api.fetch, lock: null });
  render(<App client={client} />);
  return client;
}

const NOW = new Date("2026-12-04T12:00:00Z");

describe("tax helpers", () => {
  it("offers the years from now back to the account's opening", () => {
    expect(taxYears("2024-05-20T10:00:00Z", NOW)).toEqual([2026, 2025, 2024]);
    expect(taxYears(undefined, NOW)).toEqual([2026]);
  });

  it("adds the terms and the lots", () => {
    expect(totalGain(REALIZED)).toBe(80_000);
    expect(lotTotals(LOTS.lots)).toEqual({ basis: 150_000, value: 153_500, unrealized: 3_500 });
  });

  it("says what a sale realises, by term", () => {
    const p: SalePreview = { amount_cents: 100_000, short: { gain_cents: -2_000 }, long: { gain_cents: 12_345 }, lots: [] };
    expect(salePreviewSentence(p, formatCents)).toBe("This sale realises a loss of $20.00 short-term and a gain of $123.45 long-term.");
    expect(salePreviewSentence({ ...p, short: { gain_cents: 0 }, long: { gain_cents: 0 } }, formatCents)).toBe(
      "This sale realises no gain or loss: it is paid from your portfolio's cash.",
    );
  });
});

describe("the Taxes page", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("shows the year's gains by term, harvests, wash sales, dividends and the open lots", async () => {
    const api = loggedIn()
      .on("GET /tax/realized", (c) => json(200, { ...REALIZED, year: Number(new URLSearchParams(c.path.split("?")[1]).get("year")) }))
      .on("GET /tax/lots", () => json(200, LOTS))
      .on("GET /tax/harvests", () => json(200, HARVESTS));
    renderApp("/taxes", api);
    const realized = await screen.findByTestId("tax-realized");
    const year = new Date().getFullYear();
    expect(api.last("GET /tax/realized")!.path).toBe(`/tax/realized?year=${year}`);
    const short = within(realized).getByRole("row", { name: /Short-term/ });
    expect(short.textContent).toContain("$1,500.00");
    expect(short.textContent).toContain("$1,700.00");
    expect(short.textContent).toContain("-$200.00");
    expect(within(realized).getByRole("row", { name: /Long-term/ }).textContent).toContain("+$1,000.00");
    expect(screen.getByTestId("tax-total-gain").textContent).toBe("+$800.00");
    expect(screen.getByTestId("tax-dividends").textContent).toBe("$123.45");
    expect(screen.getByTestId("tax-wash").textContent).toBe("$43.21");
    expect(screen.getByTestId("tax-harvested").textContent).toBe("$555.00");
    const lots = await screen.findByTestId("tax-lots");
    expect(within(lots).getAllByRole("row")).toHaveLength(1 + 2 + 1); // head, two lots, total
    expect(within(lots).getByRole("row", { name: /BND/ }).textContent).toContain("Short-term");
    expect(screen.getByTestId("tax-unrealized").textContent).toBe("+$35.00");
  });

  it("asks for another year when one is chosen", async () => {
    const api = loggedIn()
      .on("GET /tax/realized", () => json(200, REALIZED))
      .on("GET /tax/lots", () => json(200, LOTS))
      .on("GET /tax/harvests", () => json(200, HARVESTS));
    renderApp("/taxes", api);
    await screen.findByTestId("tax-realized");
    const select = screen.getByLabelText("Tax year") as HTMLSelectElement;
    // from this year back to the account's opening year (2024)
    expect(Array.from(select.options).at(-1)!.value).toBe("2024");
    await userEvent.selectOptions(select, "2025");
    await waitFor(() => expect(api.last("GET /tax/realized")!.path).toBe("/tax/realized?year=2025"));
    // harvests are listed for the chosen year only: QQQ -> VUG was in 2025
    expect((await screen.findByTestId("tax-harvests")).textContent).toContain("VUG");
    expect(screen.getByTestId("tax-harvests").textContent).not.toContain("VOO");
  });

  it("downloads the year's Form 8949 CSV with the access token", async () => {
    const csv = "description,acquired,sold,proceeds,basis,code,adjustment,gain,term\r\n";
    const api = loggedIn()
      .on("GET /tax/realized", () => json(200, REALIZED))
      .on("GET /tax/lots", () => json(200, LOTS))
      .on("GET /tax/harvests", () => json(200, HARVESTS))
      .on("GET /tax/report", () => new Response(csv, { status: 200, headers: { "Content-Type": "text/csv" } }));
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => {
      blobs.push(b);
      return "blob:report";
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    renderApp("/taxes", api);
    await userEvent.click(await screen.findByTestId("tax-report-download"));
    await waitFor(() => expect(click).toHaveBeenCalled());
    const call = api.last("GET /tax/report")!;
    expect(call.path).toBe(`/tax/report?year=${new Date().getFullYear()}&format=csv`);
    expect(call.headers.authorization).toBe("Bearer tok");
    const text = await new Promise<unknown>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.readAsText(blobs[0]!);
    });
    expect(text).toBe(csv);
  });

  it("says plainly when the server has no tax reports (404)", async () => {
    renderApp("/taxes", loggedIn());
    expect(await screen.findByText(/Tax reports are not available on this server yet/)).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("tax settings in Account", () => {
  it("turns harvesting on and changes the lot method, each saved at once", async () => {
    let settings = { tax_loss_harvesting: false, lot_method: "tax_min" };
    const api = loggedIn()
      .on("GET /me/settings", () => json(200, settings))
      .on("PATCH /me/settings", (c) => {
        settings = { ...settings, ...(c.body as object) };
        return json(200, settings);
      });
    renderApp("/account", api);
    const toggle = (await screen.findByRole("switch", { name: "Harvest tax losses automatically" })) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    expect(screen.getByText(/we sell it and buy a similar fund at once/)).toBeTruthy();
    await userEvent.click(toggle);
    await waitFor(() => expect(api.last("PATCH /me/settings")!.body).toEqual({ tax_loss_harvesting: true }));
    await waitFor(() => expect((screen.getByRole("switch") as HTMLInputElement).checked).toBe(true));
    await userEvent.selectOptions(screen.getByLabelText("Which shares a sale sells first"), "hifo");
    await waitFor(() => expect(api.last("PATCH /me/settings")!.body).toEqual({ lot_method: "hifo" }));
    expect(api.count("PATCH /me/settings")).toBe(2);
  });

  it("says so when the server has no tax settings (404)", async () => {
    renderApp("/account", loggedIn());
    expect(await screen.findByText("Tax settings are not available on this server yet.")).toBeTruthy();
  });
});

describe("the sale's tax preview", () => {
  // Sells 1,000.00: 2 VTI shares bought 2024-06-03 for 500.00 (+100.00 long), 6.25 BND for 500.00 (-15.00 short).
  const PREVIEW: SalePreview = {
    amount_cents: 100_000,
    short: { gain_cents: -1_500 },
    long: { gain_cents: 10_000 },
    lots: [
      { symbol: "VTI", shares_micro: 2_000_000, acquired: "2024-06-03", basis_cents: 50_000, proceeds_cents: 60_000, gain_cents: 10_000, term: "long" },
      { symbol: "BND", shares_micro: 6_250_000, acquired: "2026-02-10", basis_cents: 50_000, proceeds_cents: 48_500, gain_cents: -1_500, term: "short" },
    ],
  };

  function SellFlow({ client, perform }: { client: ApiClient; perform(): Promise<string> }) {
    return (
      <MoneyFlow<string>
        action="sell"
        verb="Sell"
        label="Amount to sell (dollars)"
        review={(a) => ({ amountCents: a === "all" ? 0 : a, lines: [], happens: "We sell." })}
        preview={(cents, signal) => loadSalePreview(client, cents, signal)}
        perform={perform}
        receipt={(t) => <p>{t}</p>}
      />
    );
  }

  async function review(amount: string) {
    await userEvent.type(screen.getByLabelText("Amount to sell (dollars)"), amount);
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
  }

  it("shows the gains by term and the lots the sale would close before it is confirmed", async () => {
    const api = new FakeApi().on("POST /portfolio/sell/preview", () => json(200, PREVIEW));
    const perform = vi.fn(async () => "sold");
    render(<SellFlow client={new ApiClient({ fetch: api.fetch, lock: null })} perform={perform} />);
    await review("1000");
    expect((await screen.findByTestId("sale-preview-sentence")).textContent).toBe(
      "This sale realises a loss of $15.00 short-term and a gain of $100.00 long-term.",
    );
    expect(api.last("POST /portfolio/sell/preview")!.body).toEqual({ amount_cents: 100_000 });
    const lots = screen.getByTestId("sale-preview-lots");
    expect(within(lots).getByRole("row", { name: /VTI/ }).textContent).toContain("+$100.00");
    expect(within(lots).getByRole("row", { name: /BND/ }).textContent).toContain("-$15.00");
    expect(perform).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: /^Confirm/ }));
    expect(await screen.findByText("sold")).toBeTruthy();
  });

  it("leaves the review as it was on a server without the preview (404), and the sale can go on", async () => {
    const api = new FakeApi().on("POST /portfolio/sell/preview", () => apiError(404, "NOT_FOUND", "no route"));
    render(<SellFlow client={new ApiClient({ fetch: api.fetch, lock: null })} perform={async () => "sold"} />);
    await review("1000");
    await waitFor(() => expect(screen.queryByTestId("review-preview-loading")).toBeNull());
    expect(screen.queryByTestId("sale-preview")).toBeNull();
    expect(screen.queryByTestId("review-preview-failed")).toBeNull();
    expect((screen.getByRole("button", { name: /^Confirm/ }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("says the estimate failed on another error, and the sale can still go on", async () => {
    const api = new FakeApi().on("POST /portfolio/sell/preview", () => apiError(500, "INTERNAL", "boom"));
    render(<SellFlow client={new ApiClient({ fetch: api.fetch, lock: null })} perform={async () => "sold"} />);
    await review("1000");
    expect(await screen.findByTestId("review-preview-failed")).toBeTruthy();
    expect((screen.getByRole("button", { name: /^Confirm/ }) as HTMLButtonElement).disabled).toBe(false);
  });
});

describe("dividends among the transactions", () => {
  // 3.5 VTI shares x $0.9305 = $3.25675: the ledger credits 325 cents (rounded down).
  const rows: Transaction[] = [
    {
      type: "cash",
      id: 41,
      kind: "dividend",
      amount_cents: 325,
      created_at: "2024-03-22T20:00:00.000Z",
      operation: "movement:41",
      symbol: "VTI",
      shares_micro: 3_500_000,
      per_share_micros: 930_500,
    },
  ];

  it("is an operation of its own that brings cash in", () => {
    const [op] = groupOperations(rows);
    expect(op!.kind).toBe("dividend");
    expect(op!.walletCents).toBe(325);
  });

  it("is exported with its fund, shares and amount per share, into the portfolio's cash", () => {
    const lines = operationsCsv(groupOperations(rows)).split("\r\n");
    expect(lines[1]).toBe("2024-03-22T20:00:00.000Z,movement:41,dividend,cash,dividend,VTI,3.5,0.9305,3.25,portfolio cash");
  });
});
