// The bell: the unread count in its name and badge, the list on opening (which marks what it shows read),
// a failed load in words, and the account's email switches (saved one at a time).
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ApiClient } from "../src/api/client";
import { App } from "../src/App";
import { apiError, FakeApi, json } from "./fakeApi";

// Many clicks: a deadline for a loaded machine, not a pause.
const SLOW_MS = 30_000;

const ME = { id: 7, email: "ann@example.com", email_verified: true, two_factor_enabled: false, risk_tolerance: 3, horizon: "long", bucket: "risk_3_horizon_long", created_at: "2026-11-20T10:00:00Z", recovery_codes_left: 0 };

const LIST = {
  unread: 2,
  notifications: [
    { id: 12, kind: "deposit_credited", title: "Deposit credited", body: "Your deposit of $1,234.56 is in your wallet, ready to invest.", created_at: "2026-12-01T10:00:00.000Z", read: false },
    { id: 11, kind: "new_sign_in", title: "New sign-in", body: "Someone signed in to your account from 127.0.0.1.", created_at: "2026-12-01T09:00:00.000Z", read: false },
  ],
};

function api() {
  return new FakeApi()
    .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
    .on("GET /me", () => json(200, ME))
    .on("GET /goals", () => json(200, { goals: [] }))
    .on("GET /me/sessions", () => json(200, { sessions: [] }));
}

function renderApp(path: string, fake: FakeApi) {
  window.history.replaceState(null, "", path);
  render(<App client={new ApiClient({ fetch: fake.fetch, lock: null })} />);
}

describe("the bell", () => {
  it("shows the unread count, lists on opening and marks them read", async () => {
    let list = LIST;
    const fake = api()
      .on("GET /notifications", () => json(200, list))
      .on("POST /notifications/read", () => {
        list = { unread: 0, notifications: list.notifications.map((n) => ({ ...n, read: true })) };
        return json(200, { unread: 0 });
      });
    renderApp("/goals", fake);
    const bell = await screen.findByRole("button", { name: "Notifications, 2 unread" });
    expect(screen.getByTestId("bell-count").textContent).toBe("2");
    expect(bell.getAttribute("aria-expanded")).toBe("false");
    await userEvent.click(bell);
    expect(bell.getAttribute("aria-expanded")).toBe("true");
    const panel = screen.getByRole("region", { name: "Notifications" });
    await waitFor(() => expect(within(panel).getAllByRole("listitem")).toHaveLength(2));
    expect(panel.textContent).toContain("Your deposit of $1,234.56 is in your wallet");
    await waitFor(() => expect(fake.last("POST /notifications/read")?.body).toEqual({ all: true }));
    await waitFor(() => expect(screen.queryByTestId("bell-count")).toBeNull());
    expect(screen.getByRole("button", { name: "Notifications" })).toBeTruthy();
    await userEvent.keyboard("{Escape}");
    expect(screen.getByTestId("bell").getAttribute("aria-expanded")).toBe("false");
  }, SLOW_MS);

  it("does not mark anything read when nothing is unread, and says when there is nothing", async () => {
    const fake = api().on("GET /notifications", () => json(200, { unread: 0, notifications: [] }));
    renderApp("/goals", fake);
    await userEvent.click(await screen.findByRole("button", { name: "Notifications" }));
    expect(await screen.findByText(/Nothing yet/)).toBeTruthy();
    expect(fake.count("POST /notifications/read")).toBe(0);
  }, SLOW_MS);

  it("says in words that the list failed, with a retry", async () => {
    let fail = true;
    const fake = api().on("GET /notifications", () => (fail ? apiError(503, "UNAVAILABLE", "Service Unavailable") : json(200, LIST)));
    renderApp("/goals", fake);
    await userEvent.click(await screen.findByRole("button", { name: "Notifications" }));
    const panel = screen.getByRole("region", { name: "Notifications" });
    const alert = await within(panel).findByRole("alert");
    expect(alert.textContent).not.toContain("Service Unavailable");
    fail = false;
    await userEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(within(panel).getAllByRole("listitem")).toHaveLength(2));
  }, SLOW_MS);
});

describe("email switches", () => {
  it("saves one switch at a time with PUT", async () => {
    const settings = {
      email: { new_sign_in: true, deposit_credited: false },
      kinds: [
        { kind: "new_sign_in", label: "Someone signs in to your account", email_default: true },
        { kind: "deposit_credited", label: "A deposit is credited", email_default: false },
      ],
    };
    const fake = api()
      .on("GET /notifications", () => json(200, { unread: 0, notifications: [] }))
      .on("GET /notifications/settings", () => json(200, settings))
      .on("PUT /notifications/settings", (call) => json(200, { ...settings, email: { ...settings.email, ...(call.body as { email: object }).email } }));
    renderApp("/account", fake);
    const box = (await screen.findByLabelText("A deposit is credited")) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect((screen.getByLabelText("Someone signs in to your account") as HTMLInputElement).checked).toBe(true);
    await userEvent.click(box);
    await waitFor(() => expect(fake.last("PUT /notifications/settings")?.body).toEqual({ email: { deposit_credited: true } }));
    await waitFor(() => expect((screen.getByLabelText("A deposit is credited") as HTMLInputElement).checked).toBe(true));
  }, SLOW_MS);
});
