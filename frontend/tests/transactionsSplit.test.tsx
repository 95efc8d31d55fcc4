// A share split in the transactions list: GET /transactions gives it as a `split` cash movement of amount 0
// with the fund and the shares it added; the list names it and shows those shares, with no amount, and never
// calls it a deposit.
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiClient } from "../src/api/client";
import { AuthProvider } from "../src/auth/auth";
import { Transactions } from "../src/components/Transactions";
import { FakeApi, json } from "./fakeApi";

const ROWS = [
  { type: "cash", id: 9, kind: "split", amount_cents: 0, created_at: "2026-11-05T14:30:00.000Z", operation: "movement:9", symbol: "VTI", shares_micro: 3_500_000 },
  { type: "cash", id: 1, kind: "deposit", amount_cents: 40_000, created_at: "2026-11-02T15:00:00.000Z", operation: "movement:1" },
];

describe("Transactions", () => {
  it("shows a split as the shares it added, with no cash moved", async () => {
    const api = new FakeApi()
      .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
      .on("GET /me", () => json(200, { id: 7, email: "ann@example.com", bucket: null }))
      .on("GET /transactions", () => json(200, { transactions: ROWS, paging: { page: 1, limit: 100, total: 2 } }));
    render(
      <AuthProvider client={new ApiClient({ fetch: api.fetch, lock: null })}>
        <Transactions version={0} />
      </AuthProvider>,
    );
    const table = await screen.findByTestId("transactions");
    const row = table.querySelector('tr[data-kind="split"]') as HTMLElement;
    expect(row).not.toBeNull();
    expect(within(row).getByText("Share split")).toBeTruthy();
    expect(within(row).getByText(/^\+3\.5 shares of VTI/)).toBeTruthy();
    expect(within(row).getByTestId("operation-amount").textContent).toBe("no cash moved");
    expect(table.querySelectorAll('tr[data-kind="deposit"]')).toHaveLength(1);
    expect(within(table.querySelector('tr[data-kind="deposit"]') as HTMLElement).getByTestId("operation-amount").textContent).toMatch(/400\.00/);
  });
});
