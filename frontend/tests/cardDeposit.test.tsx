// Card deposits: the card only exists when the server serves a publishable key; Stripe.js is loaded only
// then; the amount is reviewed before a PaymentIntent is created (with an Idempotency-Key), Stripe's form is
// mounted with the intent's client secret, and the receipt waits for the webhook's credit in the wallet.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client";
import { AuthProvider } from "../src/auth/auth";
import { CardDepositCard } from "../src/components/CardDepositCard";
import type { StripeJs } from "../src/lib/stripe";
import { apiError, FakeApi, json } from "./fakeApi";

const INTENT = { id: "pi_123", client_secret: "pi_123_secret_abc", amount_cents: 4_250, status: "requires_payment_method" };

function fakeStripe(result: { error?: { message: string } } = {}) {
  const mounted: HTMLElement[] = [];
  const js: StripeJs = {
    elements: vi.fn(() => ({ create: () => ({ mount: (el: HTMLElement) => void mounted.push(el), destroy: () => undefined }) })),
    confirmPayment: vi.fn(async () => result),
  };
  return { js, mounted, loader: vi.fn(async () => js) };
}

function fake(config: unknown, walletAfter = 4_250) {
  let paid = false;
  const api = new FakeApi()
    .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
    .on("GET /me", () => json(200, { id: 7, email: "ann@example.com", bucket: null }))
    .on("GET /config", () => (config ? json(200, config) : apiError(404, "NOT_FOUND", "no route")))
    .on("POST /wallet/deposits/intent", () => json(201, INTENT))
    .on("GET /wallet", () => {
      // The webhook credits the wallet a moment after the payment: the second read sees it.
      const cash = paid ? walletAfter : 0;
      paid = true;
      return json(200, { cash_cents: cash });
    });
  return api;
}

function renderCard(api: FakeApi, loader: (k: string) => Promise<StripeJs>) {
  const client = new ApiClient({ fetch: api.fetch, lock: null });
  return render(
    <AuthProvider client={client}>
      <CardDepositCard loadStripe={loader} />
    </AuthProvider>,
  );
}

describe("card deposits", () => {
  it("is absent, and Stripe.js never loaded, without a publishable key", async () => {
    const stripe = fakeStripe();
    const api = fake({ card_deposits: false, stripe_publishable_key: null });
    renderCard(api, stripe.loader);
    await waitFor(() => expect(api.count("GET /config")).toBe(1));
    expect(screen.queryByText("Deposit by card")).toBeNull();
    expect(stripe.loader).not.toHaveBeenCalled();
    expect(document.querySelector('script[src*="stripe"]')).toBeNull();
  });

  it("reviews, creates the intent once, pays in Stripe's form and waits for the credit", async () => {
    const stripe = fakeStripe();
    const api = fake({ card_deposits: true, stripe_publishable_key: "pk_test_1" });
    renderCard(api, stripe.loader);
    await userEvent.type(await screen.findByLabelText("Amount to deposit by card (dollars)"), "42.50");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    const review = screen.getByTestId("card-review");
    expect(review.textContent).toContain("Your card, through Stripe");
    expect(review.textContent).toContain("FeesNone");
    expect(api.count("POST /wallet/deposits/intent")).toBe(0);
    expect(stripe.loader).not.toHaveBeenCalled();
    await userEvent.click(within(review).getByRole("button", { name: /^Continue to card payment/ }));
    const call = api.last("POST /wallet/deposits/intent");
    expect(call?.body).toEqual({ amount_cents: 4_250 });
    expect(call?.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{32,36}$/);
    await waitFor(() => expect(stripe.mounted).toHaveLength(1));
    expect(stripe.loader).toHaveBeenCalledWith("pk_test_1");
    expect(stripe.js.elements).toHaveBeenCalledWith({ clientSecret: "pi_123_secret_abc" });
    await userEvent.click(screen.getByRole("button", { name: "Pay $42.50" }));
    expect(stripe.js.confirmPayment).toHaveBeenCalledTimes(1);
    expect((await screen.findByTestId("receipt-text")).textContent).toContain("Stripe is confirming your payment of $42.50");
    await waitFor(() => expect(screen.getByTestId("receipt-text").textContent).toBe("Deposited $42.50 by card: it is in your wallet."), { timeout: 5000 });
  });

  it("shows Stripe's refusal and stays on the payment step", async () => {
    const stripe = fakeStripe({ error: { message: "Your card was declined." } });
    const api = fake({ card_deposits: true, stripe_publishable_key: "pk_test_1" });
    renderCard(api, stripe.loader);
    await userEvent.type(await screen.findByLabelText("Amount to deposit by card (dollars)"), "42.50");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    await userEvent.click(screen.getByRole("button", { name: /^Continue to card payment/ }));
    await waitFor(() => expect(stripe.mounted).toHaveLength(1));
    await userEvent.click(screen.getByRole("button", { name: "Pay $42.50" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Your card was declined.");
    expect(screen.getByTestId("card-pay")).toBeTruthy();
  });

  it("refuses less than Stripe's minimum before anything is sent", async () => {
    const stripe = fakeStripe();
    const api = fake({ card_deposits: true, stripe_publishable_key: "pk_test_1" });
    renderCard(api, stripe.loader);
    await userEvent.type(await screen.findByLabelText("Amount to deposit by card (dollars)"), "0.49");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    expect(screen.getByText("The least is $0.50.")).toBeTruthy();
    expect(api.count("POST /wallet/deposits/intent")).toBe(0);
  });
});
