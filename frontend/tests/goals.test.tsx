// Goals: the page's states (loading, failed load with retry, empty, pending then computed, unavailable),
// the form (checks before sending, integer cents, the body sent), edit (PATCH) and delete, and the
// dashboard card.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ApiClient } from "../src/api/client";
import type { Goal } from "../src/api/types";
import { App } from "../src/App";
import { goalFromForm } from "../src/pages/GoalsPage";
import { apiError, deferred, FakeApi, json } from "./fakeApi";

// Many clicks and typed characters: a deadline for a loaded machine, not a pause.
const SLOW_MS = 30_000;

const ME = { id: 7, email: "ann@example.com", email_verified: true, two_factor_enabled: false, risk_tolerance: 3, horizon: "long", bucket: "risk_3_horizon_long", created_at: "2026-11-20T10:00:00Z", recovery_codes_left: 0 };

const HOUSE: Goal = {
  id: 4,
  name: "House",
  target_cents: 6_000_000,
  target_date: "2036-12-01",
  monthly_cents: 20_000,
  months: 120,
  status: "on_track",
  probability: 0.7234,
  basis_cents: 2_500_000,
  forecast_id: "6f9619ff-8b86-4011-b42d-00c04fd430c8",
  computed_at: "2026-12-01T10:00:00.000Z",
};

function api() {
  return new FakeApi().on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 })).on("GET /me", () => json(200, ME));
}

function renderApp(path: string, fake: FakeApi) {
  window.history.replaceState(null, "", path);
  render(<App client={new ApiClient({ fetch: fake.fetch, lock: null })} />);
}

describe("goalFromForm", () => {
  it("turns dollars into integer cents and refuses what the API would", () => {
    expect(goalFromForm({ name: " Car ", target: "12,500.50", date: "2030-01-31", monthly: "" })).toEqual({
      ok: true,
      body: { name: "Car", target_cents: 1_250_050, target_date: "2030-01-31", monthly_cents: 0 },
    });
    const bad = goalFromForm({ name: "", target: "1.005", date: "", monthly: "-3" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.problems).sort()).toEqual(["date", "monthly", "name", "target"]);
  });
});

describe("the goals page", () => {
  it("shows loading, then a failed load in words with a retry that works", async () => {
    let fail = true;
    const gate = deferred();
    const fake = api().on("GET /goals", async () => {
      await gate.promise;
      return fail ? apiError(502, "BAD_GATEWAY", "Bad Gateway.") : json(200, { goals: [HOUSE] });
    });
    renderApp("/goals", fake);
    expect(await screen.findByText("Loading your goals…")).toBeTruthy();
    gate.resolve();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).not.toContain("Bad Gateway.");
    fail = false;
    await userEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect((await screen.findByTestId("goal")).textContent).toContain("72% chance · on track");
  }, SLOW_MS);

  it("says so when there are no goals", async () => {
    renderApp("/goals", api().on("GET /goals", () => json(200, { goals: [] })));
    expect(await screen.findByText("No goals yet: add one below.")).toBeTruthy();
  }, SLOW_MS);

  it("adds a goal with integer cents, shows it computing, then its chance", async () => {
    let goals: Goal[] = [];
    const fake = api()
      .on("GET /goals", () => json(200, { goals }))
      .on("POST /goals", (call) => {
        const body = call.body as { name: string; target_cents: number; target_date: string; monthly_cents: number };
        goals = [{ ...HOUSE, ...body, id: 9, status: "pending", probability: null, forecast_id: null, computed_at: null }];
        return json(201, goals[0]);
      });
    renderApp("/goals", fake);
    await screen.findByText("No goals yet: add one below.");
    await userEvent.click(screen.getByRole("button", { name: "Add goal" }));
    expect(screen.getByText("Give the goal a name.")).toBeTruthy();
    expect(fake.count("POST /goals")).toBe(0);
    await userEvent.type(screen.getByLabelText("Name"), "Boat");
    await userEvent.type(screen.getByLabelText("Target amount (dollars)"), "40,000.10");
    await userEvent.type(screen.getByLabelText("Target date"), "2031-06-30");
    await userEvent.type(screen.getByLabelText("Monthly contribution (dollars)"), "250");
    await userEvent.click(screen.getByRole("button", { name: "Add goal" }));
    await waitFor(() => expect(fake.count("POST /goals")).toBe(1));
    expect(fake.last("POST /goals")?.body).toEqual({ name: "Boat", target_cents: 4_000_010, target_date: "2031-06-30", monthly_cents: 25_000 });
    expect((await screen.findByTestId("goal")).textContent).toContain("Computing the chance of success…");
    goals = [{ ...goals[0]!, status: "off_track", probability: 0.31, forecast_id: HOUSE.forecast_id }];
    await waitFor(() => expect(screen.getByTestId("goal-status").textContent).toBe("31% chance · off track"));
    expect(screen.getByRole("meter", { name: "Chance of reaching Boat" }).getAttribute("aria-valuenow")).toBe("31");
  }, SLOW_MS);

  it("edits with PATCH and deletes", async () => {
    let goals: Goal[] = [HOUSE];
    const fake = api()
      .on("GET /goals", () => json(200, { goals }))
      .on("PATCH /goals/4", (call) => {
        goals = [{ ...HOUSE, ...(call.body as object), status: "pending", probability: null }];
        return json(200, goals[0]);
      })
      .on("DELETE /goals/4", () => {
        goals = [];
        return json(204, null);
      });
    renderApp("/goals", fake);
    await screen.findByTestId("goal");
    await userEvent.click(screen.getByRole("button", { name: "Edit House" }));
    // The edit form is inside the goal's row (the "Add a goal" form below has the same fields).
    const row = screen.getByRole("button", { name: "Save changes" }).closest("li")!;
    const target = within(row).getByLabelText("Target amount (dollars)") as HTMLInputElement;
    expect(target.value).toBe("60000.00");
    await userEvent.clear(target);
    await userEvent.type(target, "70000");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(fake.count("PATCH /goals/4")).toBe(1));
    expect(fake.last("PATCH /goals/4")?.body).toEqual({ name: "House", target_cents: 7_000_000, target_date: "2036-12-01", monthly_cents: 20_000 });
    await screen.findByText("Computing the chance of success…");
    await userEvent.click(screen.getByRole("button", { name: "Delete House" }));
    expect(await screen.findByText("No goals yet: add one below.")).toBeTruthy();
  }, SLOW_MS);

  it("explains an unavailable chance", async () => {
    renderApp("/goals", api().on("GET /goals", () => json(200, { goals: [{ ...HOUSE, status: "unavailable", probability: null, reason: "answer the onboarding questions first" }] })));
    expect((await screen.findByTestId("goal-status")).textContent).toBe("Not available: answer the onboarding questions first.");
  }, SLOW_MS);
});
