// The states an investor must be able to trust: loading, a failed load (words and a retry, never a zero or
// the server's text), stale figures, the review before a money move and the receipt after it, reopening the
// app while the server cannot answer, and the account's 2FA, sessions, password and resend steps.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ApiClient } from "../src/api/client";
import { App } from "../src/App";
import { restoreDelay } from "../src/auth/auth";
import { qrPath } from "../src/components/QrCode";
import { apiError, deferred, FakeApi, json } from "./fakeApi";

const ME = {
  id: 7,
  email: "ann@example.com",
  email_verified: true,
  two_factor_enabled: false,
  risk_tolerance: 3,
  horizon: "long",
  bucket: "risk_3_horizon_long",
  created_at: "2026-11-20T10:00:00Z",
  recovery_codes_left: 0,
};

const SLOW_MS = 30_000;

// Two funds held; sale of $5.00 pro rata (estimate by hand): positions worth 10,000 + 10,000 cents;
// shares sold = floor(1,234,567 x 500 / 20,000) = 30,864 of VTI and floor(2,469,134 x 500 / 20,000) = 61,728 of BND;
// values 30,864 x $81.000081 = 250.0 -> 250 cents and 61,728 x $40.500020 = 249.9985 -> 250 cents.
const PORTFOLIO = {
  value_cents: 20_000,
  cash_cents: 0,
  pending_cents: 0,
  positions_value_cents: 20_000,
  net_contributions_cents: 20_000,
  pnl_cents: 0,
  bucket: ME.bucket,
  model_as_of: "2026-12-01",
  drift: 0,
  positions: [
    { symbol: "BND", shares_micro: 2_469_134, price: 40.50002, price_time: "2026-12-01T21:00:00Z", value_cents: 10_000, cost_basis_cents: 10_000, unrealized_pnl_cents: 0, weight: 0.5, target_weight: 0.5 },
    { symbol: "VTI", shares_micro: 1_234_567, price: 81.000081, price_time: "2026-12-01T21:00:00Z", value_cents: 10_000, cost_basis_cents: 10_000, unrealized_pnl_cents: 0, weight: 0.5, target_weight: 0.5 },
  ],
  weights: { BND: 0.5, VTI: 0.5 },
  target_weights: { BND: 0.5, VTI: 0.5 },
};

function loggedIn() {
  return new FakeApi()
    .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
    .on("GET /me", () => json(200, ME))
    .on("GET /portfolio", () => json(200, PORTFOLIO))
    .on("GET /portfolio/history", () => apiError(404, "NOT_FOUND", "no route for GET /api/v1/portfolio/history"))
    .on("GET /models/risk_3_horizon_long", () => json(200, { bucket: ME.bucket, risk_tolerance: 3, horizon: "long", as_of: "2026-12-01", computed_at: "2026-12-01T22:00:00Z", weights: { BND: 0.5, VTI: 0.5 } }))
    .on("GET /transactions", () => json(200, { transactions: [], paging: { page: 1, limit: 100, total: 0 } }))
    .on("GET /me/sessions", () => json(200, { sessions: [] }));
}

function renderApp(path: string, api: FakeApi) {
  window.history.replaceState(null, "", path);
  const client = new ApiClient({ fetch: api.fetch, lock: null });
  render(<App client={client} />);
  return client;
}

describe("dashboard: loading and failed loads", () => {
  it("shows the wallet as loading, never as $0.00, while its answer is on the way", async () => {
    const gate = deferred();
    const api = loggedIn().on("GET /wallet", async () => {
      await gate.promise;
      return json(200, { cash_cents: 290_649 });
    });
    renderApp("/", api);
    await screen.findByTestId("positions");
    expect(screen.getByTestId("wallet-cash").textContent).toBe("…");
    await userEvent.click(screen.getByRole("button", { name: "Invest" }));
    expect(screen.getByTestId("invest-form").textContent).toContain("Loading your wallet…");
    expect(screen.getByTestId("invest-form").textContent).not.toContain("$0.00");
    gate.resolve();
    await waitFor(() => expect(screen.getByTestId("wallet-cash").textContent).toBe("$2,906.49"));
  }, SLOW_MS);

  it("says in words that the wallet failed (not 'Bad Gateway'), shows no figure, and retries", async () => {
    let fail = true;
    const api = loggedIn().on("GET /wallet", () => (fail ? new Response("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" }) : json(200, { cash_cents: 123_456 })));
    renderApp("/", api);
    const alert = await screen.findByText("We could not load your wallet: Parity had a problem answering.");
    expect(screen.getByTestId("wallet-cash").textContent).toBe("—");
    expect(document.body.textContent).not.toContain("Bad Gateway");
    // The money forms that need the wallet say why they cannot be used; no "Available: $0.00".
    await userEvent.click(screen.getByRole("button", { name: "Withdraw" }));
    const form = screen.getByTestId("withdraw-form");
    expect(form.textContent).toContain("Your wallet's balance could not be loaded");
    expect(form.textContent).not.toContain("$0.00");
    expect((within(form).getByRole("button", { name: "Review" }) as HTMLButtonElement).disabled).toBe(true);
    // The history's 404 ("no route for GET ...") is not shown either.
    expect(document.body.textContent).not.toContain("no route");
    expect(screen.getByText("We could not load your history: Parity had a problem answering.")).toBeTruthy();
    fail = false;
    await userEvent.click(within(alert.closest("[role=alert]") as HTMLElement).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getByTestId("wallet-cash").textContent).toBe("$1,234.56"));
    expect(screen.queryByText(/could not load your wallet/)).toBeNull();
    expect(form.textContent).toContain("Available: $1,234.56.");
  }, SLOW_MS);

  it("keeps the last figures when a reload fails, and says they are stale", async () => {
    let fail = false;
    const api = loggedIn().on("GET /wallet", () => (fail ? apiError(503, "BUSY", "too many requests at once: retry in a second") : json(200, { cash_cents: 50_000 })));
    renderApp("/", api);
    await waitFor(() => expect(screen.getByTestId("wallet-cash").textContent).toBe("$500.00"));
    fail = true;
    await userEvent.click(screen.getByRole("button", { name: "Deposit" }));
    await userEvent.type(screen.getByLabelText("Amount to deposit (dollars)"), "1");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    api.on("POST /wallet/deposits", () => json(201, { id: 5, kind: "deposit", amount_cents: 100, cash_cents: 50_100 }));
    await userEvent.click(screen.getByRole("button", { name: "Confirm: deposit $1.00" }));
    // The deposit went through, the wallet's reload did not: the old figure stays, marked stale.
    await screen.findByText(/We could not load your wallet: Parity is busy\. The figures shown are from/);
    expect(screen.getByTestId("wallet-cash").textContent).toBe("$500.00");
  }, SLOW_MS);
});

describe("dashboard: review and receipt", () => {
  it("reviews a $5.00 sale with its estimated trades, then the receipt explains the rounding", async () => {
    const api = loggedIn()
      .on("GET /wallet", () => json(200, { cash_cents: 1_000 }))
      .on("POST /portfolio/sell", () => json(201, { id: 31, amount_cents: 499, from_cash_cents: 0, proceeds_cents: 499, trades: 2, cash_cents: 1_499 }));
    renderApp("/", api);
    await screen.findByTestId("positions");
    await userEvent.click(screen.getByRole("button", { name: "Sell" }));
    await userEvent.type(screen.getByLabelText("Amount to sell (dollars)"), "5");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    const review = screen.getByTestId("sell-review");
    expect(api.count("POST /portfolio/sell")).toBe(0);
    const trades = within(review).getByTestId("estimated-trades");
    expect([...trades.querySelectorAll("tbody tr")].map((r) => r.textContent)).toEqual(["BNDSellabout 0.061728$2.50", "VTISellabout 0.030864$2.50"]);
    expect(within(review).getByTestId("review-receive").textContent).toBe("$5.00");
    expect(review.textContent).toContain("FeesNone");
    await userEvent.click(within(review).getByRole("button", { name: "Confirm: sell $5.00" }));
    const receipt = await screen.findByTestId("sell-receipt");
    expect(within(receipt).getByTestId("receipt-text").textContent).toBe("Sold $4.99; the proceeds are in your wallet, which holds $14.99.");
    expect(within(receipt).getByTestId("rounding-note").textContent).toContain("You asked for $5.00 and received $4.99: we sell whole micro-shares");
    expect(api.last("POST /portfolio/sell")!.body).toEqual({ amount_cents: 500 });
    expect(api.last("POST /portfolio/sell")!.headers["idempotency-key"]).toBeTruthy();
  }, SLOW_MS);

  it("an invest's receipt says 'buying now' while deploying and 'invested' once nothing is pending", async () => {
    let pending = 0;
    const api = loggedIn()
      .on("GET /wallet", () => json(200, { cash_cents: 800_000 }))
      .on("GET /portfolio", () => json(200, { ...PORTFOLIO, pending_cents: pending, cash_cents: pending ? pending : 3, value_cents: 20_000 + (pending || 3) }))
      .on("POST /portfolio/invest", () => {
        pending = 800_000;
        return json(201, { id: 12, amount_cents: 800_000, cash_cents: 0, portfolio_cash_cents: 800_000, pending_cents: 800_000, status: "deploying" });
      });
    renderApp("/", api);
    await screen.findByTestId("positions");
    await userEvent.click(screen.getByRole("button", { name: "Invest" }));
    await userEvent.type(screen.getByLabelText("Amount to invest (dollars)"), "8000");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    // Estimated buys toward 50/50 of the new value: $200.03 now (3 cents of cash) + $8,000 = 820,003 cents,
    // each fund's target 410,001.5, each holds 10,000: each lacks 400,001.5 -> 400,001 cents. Shares:
    // floor(400,001 x 1e10 / 40,500,020) = 98,765,630 micro-BND; floor(400,001 x 1e10 / 81,000,081) =
    // 49,382,790 micro-VTI; each worth 400,001 cents again (half up).
    const rows = [...within(screen.getByTestId("invest-review")).getByTestId("estimated-trades").querySelectorAll("tbody tr")].map((r) => r.textContent);
    expect(rows).toEqual(["BNDBuyabout 98.76563$4,000.01", "VTIBuyabout 49.38279$4,000.01"]);
    await userEvent.click(screen.getByRole("button", { name: "Confirm: invest $8,000.00" }));
    const text = async () => (await screen.findByTestId("receipt-text")).textContent;
    expect(await text()).toBe("$8,000.00 moved to your portfolio; buying the funds of your model now…");
    pending = 0; // the next poll finds it deployed
    await waitFor(async () => expect(await text()).toBe("Invested $8,000.00: it is in your funds now."), { timeout: 5000 });
    expect(screen.getByTestId("invest-receipt").textContent).toContain("$0.03 stays as cash in your portfolio");
  }, SLOW_MS);
});

describe("reopening the app", () => {
  it("keeps the session when the refresh answers 503: a reconnecting page, then the dashboard", async () => {
    let busy = true;
    const api = loggedIn()
      .on("GET /wallet", () => json(200, { cash_cents: 100 }))
      .on("POST /auth/refresh", () => (busy ? apiError(503, "BUSY", "too many requests at once", { "Retry-After": "1" }) : json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 })));
    renderApp("/", api);
    await screen.findByRole("heading", { name: "Reconnecting to Parity" });
    expect(screen.getByTestId("reconnecting").textContent).toBe("Parity is busy right now; try again in a moment.You are still logged in: nothing was lost.");
    expect(window.location.pathname).toBe("/");
    busy = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again now" }));
    await screen.findByRole("heading", { name: "Dashboard" });
    expect(api.count("POST /auth/logout")).toBe(0);
  }, SLOW_MS);

  it("ends the session with a message only when the refresh is refused", async () => {
    const api = new FakeApi().on("POST /auth/refresh", () => apiError(401, "SESSION_REVOKED", "this session was ended: log in again"));
    renderApp("/", api);
    await screen.findByRole("heading", { name: "Log in" });
    expect(screen.getByText("Your session has ended. Please log in again.")).toBeTruthy();
  });

  it("backs off 1, 2, 4 ... 30 seconds, or as long as Retry-After says", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => restoreDelay(a))).toEqual([1, 2, 4, 8, 16, 30, 30]);
    expect(restoreDelay(1, 20)).toBe(20);
  });

  it("a refresh the server cannot answer keeps the token and reports the problem to the caller", async () => {
    const api = new FakeApi()
      .on("GET /wallet", () => apiError(401, "INVALID_TOKEN", "expired"))
      .on("POST /auth/refresh", () => apiError(429, "RATE_LIMITED", "slow down", { "Retry-After": "3" }));
    const client = new ApiClient({ fetch: api.fetch, lock: null });
    client.setAccessToken("old");
    await expect(client.get("/wallet")).rejects.toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(client.authenticated).toBe(true);
  });
});

describe("account", () => {
  const SETUP = { secret: "JBSWY3DPEHPK3PXP", otpauth_uri: "otpauth://totp/Parity:ann%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Parity", algorithm: "SHA1", digits: 6, period: 30 };

  it("draws the otpauth URI as a QR code in the browser", async () => {
    const api = loggedIn().on("POST /me/2fa/setup", () => json(200, SETUP));
    renderApp("/account", api);
    await userEvent.type(await screen.findByLabelText("Your password"), "pw");
    await userEvent.click(screen.getByRole("button", { name: "Set up two-factor authentication" }));
    const qr = await screen.findByRole("img", { name: "QR code to add Parity to your authenticator app" });
    const { size, d } = qrPath(SETUP.otpauth_uri);
    // version 5 at ECC M holds these 84 bytes: 37 modules a side, plus a quiet zone of 4 on each side
    expect(size).toBe(37 + 8);
    expect(qr.getAttribute("viewBox")).toBe(`0 0 ${size} ${size}`);
    expect(qr.querySelector("path")!.getAttribute("d")).toBe(d);
    // the three finder patterns: a 7-module run at the top left corner, after the quiet zone
    expect(d.startsWith("M4 4h7v1h-7z")).toBe(true);
    expect(screen.getAllByRole("button", { name: /^Copy/ }).map((b) => b.getAttribute("aria-label"))).toEqual(["Copy the key", "Copy the link"]);
  }, SLOW_MS);

  it("reads the sessions again after a password change", async () => {
    let others = true;
    const current = { id: "a", current: true, created_at: "2026-12-01T10:00:00Z", last_used_at: "2026-12-03T10:00:00Z", ip: "127.0.0.1", user_agent: "Firefox/1 Linux" };
    const other = { ...current, id: "b", current: false, user_agent: "Safari/1 iPhone" };
    const api = loggedIn()
      .on("GET /me/sessions", () => json(200, { sessions: others ? [current, other] : [current] }))
      .on("POST /auth/change-password", () => {
        others = false;
        return json(204, null);
      });
    renderApp("/account", api);
    await waitFor(() => expect(screen.getByTestId("sessions").querySelectorAll("li")).toHaveLength(2));
    await userEvent.type(screen.getByLabelText("Current password"), "Old-Password-123");
    await userEvent.type(screen.getByLabelText("New password"), "New-Password-456-long");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    await screen.findByText("Your password is changed. Your other sessions were logged out.");
    await waitFor(() => expect(screen.getByTestId("sessions").querySelectorAll("li")).toHaveLength(1));
    expect(api.count("GET /me/sessions")).toBe(2);
  }, SLOW_MS);

  it("shows and hides a password", async () => {
    const api = new FakeApi().on("POST /auth/refresh", () => apiError(401, "INVALID_REFRESH_TOKEN", "no"));
    renderApp("/login", api);
    const input = (await screen.findByLabelText("Password")) as HTMLInputElement;
    expect(input.type).toBe("password");
    const toggle = screen.getByRole("button", { name: "Show the password: Password" });
    await userEvent.click(toggle);
    expect(input.type).toBe("text");
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    await userEvent.click(toggle);
    expect(input.type).toBe("password");
  });

  it("sends the confirmation email again from the login page of an unconfirmed address", async () => {
    const api = new FakeApi()
      .on("POST /auth/refresh", () => apiError(401, "INVALID_REFRESH_TOKEN", "no"))
      .on("POST /auth/login", () => apiError(403, "EMAIL_NOT_VERIFIED", "confirm your email address with the link we sent before logging in"))
      .on("POST /auth/register", () => json(202, { status: "verification_sent" }));
    renderApp("/login", api);
    await userEvent.type(await screen.findByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "Correct-Horse-Battery-42");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await userEvent.click(await screen.findByRole("button", { name: "Email me a new confirmation link" }));
    await screen.findByText(/If ann@example.com still needs confirming, a new link is on its way/);
    expect(api.last("POST /auth/register")!.body).toEqual({ email: "ann@example.com", password: "Correct-Horse-Battery-42" });
  }, SLOW_MS);
});
