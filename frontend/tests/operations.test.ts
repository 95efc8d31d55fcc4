// Transactions as operations: rows grouped by the operation the API names, amounts signed by the wallet,
// filters, and the CSV export.
import { describe, expect, it } from "vitest";
import type { Transaction } from "../src/api/types";
import { filterOperations, groupOperations, operationsCsv } from "../src/lib/operations";

const cash = (id: number, kind: string, amount: number, at: string): Transaction => ({ type: "cash", id, kind, amount_cents: amount, created_at: at, operation: `movement:${id}` });
const trade = (id: number, side: string, symbol: string, amount: number, at: string, operation: string, reason: string): Transaction => ({
  type: "trade",
  id,
  kind: side,
  symbol,
  amount_cents: amount,
  shares_micro: 1_500_000,
  price_micros: 12_340_000,
  created_at: at,
  operation,
  reason,
});

// Newest first, as GET /transactions lists them.
const ROWS: Transaction[] = [
  trade(9, "sell", "VTI", 300, "2026-12-05T10:00:00.000Z", "run:4", "rebalance"),
  trade(8, "buy", "BND", 298, "2026-12-05T10:00:00.000Z", "run:4", "rebalance"),
  cash(4, "withdrawal", 1_000, "2026-12-04T09:00:00.000Z"),
  cash(3, "sell", 499, "2026-12-03T09:00:00.000Z"),
  trade(7, "sell", "VTI", 250, "2026-12-03T09:00:00.000Z", "movement:3", "sell"),
  trade(6, "sell", "BND", 249, "2026-12-03T09:00:00.000Z", "movement:3", "sell"),
  trade(5, "buy", "VTI", 6_000, "2026-12-02T09:00:01.000Z", "movement:2", "invest"),
  trade(4, "buy", "BND", 3_999, "2026-12-02T09:00:01.000Z", "movement:2", "invest"),
  cash(2, "invest", 10_000, "2026-12-02T09:00:00.000Z"),
  cash(1, "deposit", 20_000, "2026-12-01T09:00:00.000Z"),
];

describe("groupOperations", () => {
  it("makes one operation per invest, sale, rebalance and cash movement, signed by the wallet", () => {
    const ops = groupOperations(ROWS);
    expect(ops.map((o) => [o.kind, o.walletCents, o.trades.length])).toEqual([
      ["rebalance", null, 2],
      ["withdrawal", -1_000, 0],
      ["sell", 499, 2],
      ["invest", -10_000, 2],
      ["deposit", 20_000, 0],
    ]);
    const invest = ops[3]!;
    expect(invest.boughtCents).toBe(9_999);
    expect(invest.at).toBe("2026-12-02T09:00:00.000Z"); // the invest's time, not its buys'
    expect(ops[0]!.soldCents).toBe(300);
  });

  it("makes a day's tax-loss harvest one operation that leaves the wallet alone", () => {
    const ops = groupOperations([
      trade(11, "buy", "VOO", 8_000, "2026-12-06T22:05:00.000Z", "harvest:2026-12-06", "harvest"),
      trade(10, "sell", "VTI", 8_001, "2026-12-06T22:05:00.000Z", "harvest:2026-12-06", "harvest"),
      ...ROWS,
    ]);
    expect(ops[0]!.kind).toBe("harvest");
    expect([ops[0]!.walletCents, ops[0]!.soldCents, ops[0]!.boughtCents]).toEqual([null, 8_001, 8_000]);
    expect(filterOperations(ops, { type: "harvest", from: "", to: "" })).toHaveLength(1);
  });

  it("keeps every row its own operation for a server that names none", () => {
    const bare = ROWS.map(({ operation: _op, ...t }) => t);
    expect(groupOperations(bare)).toHaveLength(ROWS.length);
  });
});

describe("filterOperations", () => {
  it("filters by type and by inclusive local days", () => {
    const ops = groupOperations(ROWS);
    expect(filterOperations(ops, { type: "invest", from: "", to: "" }).map((o) => o.kind)).toEqual(["invest"]);
    // Dates in the test run's time zone: the times are mid-day UTC, the same day from UTC-9 to UTC+14.
    expect(filterOperations(ops, { type: "all", from: "2026-12-02", to: "2026-12-03" }).map((o) => o.kind)).toEqual(["sell", "invest"]);
    expect(filterOperations(ops, { type: "deposit", from: "2026-12-02", to: "" })).toEqual([]);
  });
});

describe("operationsCsv", () => {
  it("writes a line per cash movement and per trade, signed, with a header", () => {
    const ops = groupOperations(ROWS).filter((o) => o.kind === "sell" || o.kind === "deposit");
    expect(operationsCsv(ops).split("\r\n")).toEqual([
      "date,operation,operation_type,row,kind,symbol,shares,price,amount,effect_on",
      "2026-12-03T09:00:00.000Z,movement:3,sell,cash,sell,,,,4.99,wallet",
      "2026-12-03T09:00:00.000Z,movement:3,sell,trade,sell,BND,1.5,12.34,2.49,portfolio cash",
      "2026-12-03T09:00:00.000Z,movement:3,sell,trade,sell,VTI,1.5,12.34,2.50,portfolio cash",
      "2026-12-01T09:00:00.000Z,movement:1,deposit,cash,deposit,,,,200.00,wallet",
      "",
    ]);
  });
});

describe("a share split", () => {
  // GET /transactions: a `split` movement is a cash row of amount 0 with the fund and the shares it added.
  const split: Transaction = { ...cash(5, "split", 0, "2026-12-06T14:30:00.000Z"), symbol: "VTI", shares_micro: 3_500_000 };

  it("is its own operation with no cash moved, never a $0 deposit", () => {
    const [op] = groupOperations([split, ...ROWS]);
    expect([op?.kind, op?.walletCents, op?.cash?.symbol, op?.cash?.shares_micro]).toEqual(["split", null, "VTI", 3_500_000]);
    expect(filterOperations(groupOperations([split, ...ROWS]), { type: "split", from: "", to: "" }).map((o) => o.key)).toEqual(["movement:5"]);
    expect(filterOperations(groupOperations([split, ...ROWS]), { type: "deposit", from: "", to: "" }).map((o) => o.key)).toEqual(["movement:1"]);
  });

  it("exports its fund and shares, with no cash", () => {
    expect(operationsCsv(groupOperations([split])).split("\r\n")[1]).toBe("2026-12-06T14:30:00.000Z,movement:5,split,cash,split,VTI,3.5,,0.00,shares");
  });
});
