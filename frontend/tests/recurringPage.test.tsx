// Recurring deposits in the app: a schedule is created through a review (the schedule in words, its first
// date, what happens, fees) and a receipt with the server's date; paused, edited and deleted (after a
// confirmation) in place; shown on the dashboard; a failed load is words and a retry, never an empty list.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client";
import type { RecurringDeposit } from "../src/api/types";
import { App } from "../src/App";
import { apiError, FakeApi, json } from "./fakeApi";

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

const SCHEDULE: RecurringDeposit = {
  id: 41,
  amount_cents: 25_000,
  frequency: "weekly",
  day: 1,
  auto_invest: true,
  status: "active",
  next_day: "2026-12-07",
  last_day: null,
  created_at: "2026-12-04T09:00:00Z",
};

function api(schedules: RecurringDeposit[]) {
  return new FakeApi()
    .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
    .on("GET /me", () => json(200, ME))
    .on("GET /recurring-deposits", () => json(200, { recurring_deposits: schedules }));
}

function renderApp(path: string, fake: FakeApi) {
  window.history.replaceState(null, "", path);
  render(<App client={new ApiClient({ fetch: fake.fetch, lock: null })} />);
}

describe("recurring deposits", () => {
  beforeEach(() => {
    // Friday 4 December 2026, 10:00 UTC: the first Monday after it is the 7th, the next 15th is the 15th.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-04T10:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("creates a schedule through a review and shows the server's first date in the receipt", async () => {
    const schedules: RecurringDeposit[] = [];
    const fake = api(schedules).on("POST /recurring-deposits", (call) => {
      const created = { ...SCHEDULE, ...(call.body as object), next_day: "2026-12-15" };
      schedules.push(created);
      return json(201, created);
    });
    renderApp("/recurring", fake);
    expect(await screen.findByText("No recurring deposits yet.")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Set up a recurring deposit" }));
    await userEvent.type(screen.getByLabelText("Amount each time (dollars)"), "150.25");
    await userEvent.selectOptions(screen.getByLabelText("How often"), "monthly");
    await userEvent.selectOptions(screen.getByLabelText("Day of the month"), "15");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    const review = screen.getByTestId("recurring-review");
    expect(within(review).getByRole("heading").textContent).toBe("Review: $150.25, monthly on the 15th");
    expect(within(review).getByTestId("review-first").textContent).toBe("Dec 15, 2026");
    expect(review.textContent).toContain("Invested in your model portfolio");
    expect(review.textContent).toContain("FeesNone");
    expect(fake.count("POST /recurring-deposits")).toBe(0); // nothing saved before the confirmation
    await userEvent.click(within(review).getByRole("button", { name: /^Confirm/ }));
    expect(fake.last("POST /recurring-deposits")?.body).toEqual({ amount_cents: 15_025, frequency: "monthly", day: 15, auto_invest: true });
    expect(fake.last("POST /recurring-deposits")?.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect((await screen.findByTestId("receipt-text")).textContent).toBe("$150.25, monthly on the 15th. Next deposit: Dec 15, 2026.");
    await waitFor(() => expect(screen.getAllByTestId("schedule")).toHaveLength(1));
  }, 30_000);

  it("sends the same Idempotency-Key when a creation is retried and a new one for the next schedule", async () => {
    const schedules: RecurringDeposit[] = [];
    let fail = true;
    const fake = api(schedules).on("POST /recurring-deposits", (call) => {
      if (fail) return apiError(503, "UNAVAILABLE", "the service is busy");
      const created = { ...SCHEDULE, ...(call.body as object), id: 41 + schedules.length };
      schedules.push(created);
      return json(201, created);
    });
    renderApp("/recurring", fake);
    const createOne = async () => {
      await userEvent.click(await screen.findByRole("button", { name: "Set up a recurring deposit" }));
      await userEvent.type(screen.getByLabelText("Amount each time (dollars)"), "100");
      await userEvent.click(screen.getByRole("button", { name: "Review" }));
      await userEvent.click(screen.getByRole("button", { name: /^Confirm/ }));
    };
    await createOne();
    expect(await screen.findByRole("alert")).toBeTruthy();
    fail = false;
    await userEvent.click(screen.getByRole("button", { name: /^Confirm/ })); // the retry of the same schedule
    await screen.findByTestId("receipt-text");
    await userEvent.click(screen.getByRole("button", { name: "Close" }));
    await createOne(); // a second schedule with the same settings
    await screen.findByTestId("receipt-text");
    const keys = fake.calls.filter((c) => c.method === "POST" && c.path === "/recurring-deposits").map((c) => c.headers["idempotency-key"]);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  }, 30_000);

  it("refuses a bad amount before anything is sent", async () => {
    const fake = api([]);
    renderApp("/recurring", fake);
    await userEvent.click(await screen.findByRole("button", { name: "Set up a recurring deposit" }));
    await userEvent.type(screen.getByLabelText("Amount each time (dollars)"), "12.345");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    expect(screen.getByLabelText("Amount each time (dollars)").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByTestId("recurring-review")).toBeNull();
  });

  it("pauses, and deletes only after a confirmation", async () => {
    const schedules = [{ ...SCHEDULE }];
    const fake = api(schedules)
      .on("PATCH /recurring-deposits/41", (call) => {
        Object.assign(schedules[0]!, { status: (call.body as { paused: boolean }).paused ? "paused" : "active" });
        return json(200, schedules[0]);
      })
      .on("DELETE /recurring-deposits/41", () => {
        schedules.pop();
        return json(204, null);
      });
    renderApp("/recurring", fake);
    const row = await screen.findByTestId("schedule");
    expect(row.textContent).toContain("$250.00 · Every Monday");
    expect(within(row).getByTestId("schedule-next").textContent).toBe("Dec 7, 2026");
    await userEvent.click(within(row).getByRole("button", { name: "Pause" }));
    expect(fake.last("PATCH /recurring-deposits/41")?.body).toEqual({ paused: true });
    await waitFor(() => expect(screen.getByTestId("schedule").getAttribute("data-status")).toBe("paused"));
    await userEvent.click(within(screen.getByTestId("schedule")).getByRole("button", { name: "Delete" }));
    expect(fake.count("DELETE /recurring-deposits/41")).toBe(0);
    await userEvent.click(screen.getByRole("button", { name: "Confirm: delete" }));
    expect(fake.count("DELETE /recurring-deposits/41")).toBe(1);
    expect(await screen.findByText("No recurring deposits yet.")).toBeTruthy();
  });

  it("edits the amount and keeps the next date in the review", async () => {
    const schedules = [{ ...SCHEDULE }];
    const fake = api(schedules).on("PATCH /recurring-deposits/41", (call) => {
      Object.assign(schedules[0]!, call.body);
      return json(200, schedules[0]);
    });
    renderApp("/recurring", fake);
    await userEvent.click(within(await screen.findByTestId("schedule")).getByRole("button", { name: "Edit" }));
    const amount = screen.getByLabelText("Amount each time (dollars)");
    await userEvent.clear(amount);
    await userEvent.type(amount, "300");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    expect(screen.getByTestId("review-first").textContent).toBe("Dec 7, 2026");
    await userEvent.click(screen.getByRole("button", { name: /^Confirm: save/ }));
    expect(fake.last("PATCH /recurring-deposits/41")?.body).toEqual({ amount_cents: 30_000, frequency: "weekly", day: 1, auto_invest: true });
  });

  it("a failed load says so with a retry, never 'no recurring deposits'", async () => {
    let fail = true;
    const fake = api([SCHEDULE]).on("GET /recurring-deposits", () =>
      fail ? apiError(502, "UPSTREAM_ERROR", "Bad Gateway.") : json(200, { recurring_deposits: [SCHEDULE] }),
    );
    renderApp("/recurring", fake);
    const retry = await screen.findByRole("button", { name: "Try again" });
    expect(screen.queryByText("No recurring deposits yet.")).toBeNull();
    expect(document.body.textContent).not.toContain("Bad Gateway.");
    fail = false;
    await userEvent.click(retry);
    expect(await screen.findByTestId("schedule")).toBeTruthy();
  });
});
